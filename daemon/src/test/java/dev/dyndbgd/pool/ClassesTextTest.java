package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassesTextTest {
    /** Spec §2.2, rendered header (184 characters). */
    private static final String SPEC_HEADER = " class  size       10%       20%       30%       40%       50%       60%       70%       80%       90%       99%      100% obj_allocated   obj_used pages_used pages_per_zspage freeable";
    /** Spec §2.2, the Documentation/mm/zsmalloc.rst sample row. */
    private static final String SPEC_SAMPLE_ROW = "    30   512         0        12         4         1         0         1         0         0         1         0       414          3464       3346        433                1       14";

    @Test
    void headerIsExactly184CharactersAndMatchesTheSpec() {
        assertEquals(184, SPEC_HEADER.length());
        StringBuilder sb = new StringBuilder();
        ClassesText.header(sb);
        assertEquals(SPEC_HEADER + "\n", sb.toString());
        try (ZsPool pool = new ZsPool("hdr")) {
            String text = pool.classesText();
            assertEquals(SPEC_HEADER + "\n", text.substring(0, 185));
        }
    }

    @Test
    void rowFormatReproducesTheDocumentationSample() {
        long[] groups = {0, 0, 12, 4, 1, 0, 1, 0, 0, 1, 0, 414};
        StringBuilder sb = new StringBuilder();
        ClassesText.row(sb, new ClassStats(30, 512, 1, 8, groups, 3464, 3346, 433, 14));
        assertEquals(SPEC_SAMPLE_ROW + "\n", sb.toString());
    }

    /**
     * Tiny state: one 24-byte object (class 0, zspage 1/128 in use -> "10%") and one 4096-byte
     * object (class 254, full -> "100%"). The expected file is assembled with the kernel's own
     * printf formats, independently of the renderer's hand padding.
     */
    @Test
    void wholeFileForATinyPoolState() {
        try (ZsPool pool = new ZsPool("tiny", 4)) {
            pool.malloc(24);
            pool.malloc(4096);
            SizeClassTable t = pool.table();
            StringBuilder expect = new StringBuilder(SPEC_HEADER).append('\n');
            for (int i : t.representatives()) {
                long[] g = new long[12];
                long alloc = 0, used = 0, pagesUsed = 0;
                if (i == 0) {
                    g[1] = 1; alloc = 128; used = 1; pagesUsed = 1;
                } else if (i == 254) {
                    g[11] = 1; alloc = 1; used = 1; pagesUsed = 1;
                }
                expect.append(String.format(" %5d %5d ", i, t.size(i)));
                for (int fg = 1; fg < 12; fg++) {
                    expect.append(String.format("%9d ", g[fg]));
                }
                expect.append(String.format("%13d %10d %10d %16d %8d\n", alloc, used, pagesUsed,
                        t.pagesPerZspage(i), 0));
            }
            expect.append('\n');
            expect.append(String.format(" %5s %5s ", "Total", ""));
            long[] totals = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            for (int fg = 1; fg < 12; fg++) {
                expect.append(String.format("%9d ", totals[fg]));
            }
            expect.append(String.format("%13d %10d %10d %16s %8d\n", 129, 2, 2, "", 0));
            String text = pool.classesText();
            assertEquals(expect.toString(), text);

            // and a few lines typed out by hand
            List<String> lines = text.lines().toList();
            assertEquals(1 + 69 + 1 + 1, lines.size());
            assertEquals("     0    32         1         0         0         0         0         0         0         0         0         0         0           128          1          1                1        0", lines.get(1));
            assertEquals("   254  4096         0         0         0         0         0         0         0         0         0         0         1             1          1          1                1        0", lines.get(69));
            assertEquals("", lines.get(70));
            assertEquals(" Total               1         0         0         0         0         0         0         0         0         0         1           129          2          2                         0", lines.get(71));
            for (String line : lines) {
                if (!line.isEmpty()) {
                    assertEquals(184, line.length(), line);
                }
            }
        }
    }
}
