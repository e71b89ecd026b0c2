package dev.dyndbgd.pool;

import java.util.List;

/**
 * Renders the newest kernel's debugfs {@code zsmalloc/<pool>/classes} file byte for byte: a
 * header, one row per representative class, an empty line and a Total row. The kernel prints
 * with seq_printf; here each field is right-aligned by hand so no format string is parsed per
 * row. Header fields are space-led, row fields space-trailed; the columns line up either way.
 */
final class ClassesText {
    private static final String[] GROUP_TITLES =
            {"10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "99%", "100%"};

    private ClassesText() {
    }

    static String render(List<ClassStats> rows) {
        StringBuilder sb = new StringBuilder(185 * (rows.size() + 3));
        header(sb);
        long[] groupTotals = new long[FullnessGroup.COUNT];
        long allocated = 0;
        long used = 0;
        long pagesUsed = 0;
        long freeable = 0;
        for (ClassStats s : rows) {
            row(sb, s);
            for (int g = FullnessGroup.RATIO_10; g < FullnessGroup.COUNT; g++) {
                groupTotals[g] += s.zspagesInGroup(g);
            }
            allocated += s.objAllocated();
            used += s.objUsed();
            pagesUsed += s.pagesUsed();
            freeable += s.freeable();
        }
        sb.append('\n');
        sb.append(' ');
        pad(sb, "Total", 5).append(' ');
        pad(sb, "", 5).append(' ');
        for (int g = FullnessGroup.RATIO_10; g < FullnessGroup.COUNT; g++) {
            pad(sb, groupTotals[g], 9).append(' ');
        }
        tail(sb, allocated, used, pagesUsed, "", freeable);
        return sb.toString();
    }

    static void header(StringBuilder sb) {
        sb.append(' ');
        pad(sb, "class", 5).append(' ');
        pad(sb, "size", 5);
        for (String t : GROUP_TITLES) {
            sb.append(' ');
            pad(sb, t, 9);
        }
        sb.append(' ');
        pad(sb, "obj_allocated", 13).append(' ');
        pad(sb, "obj_used", 10).append(' ');
        pad(sb, "pages_used", 10).append(' ');
        pad(sb, "pages_per_zspage", 16).append(' ');
        pad(sb, "freeable", 8).append('\n');
    }

    static void row(StringBuilder sb, ClassStats s) {
        sb.append(' ');
        pad(sb, s.index(), 5).append(' ');
        pad(sb, s.size(), 5).append(' ');
        for (int g = FullnessGroup.RATIO_10; g < FullnessGroup.COUNT; g++) {
            pad(sb, s.zspagesInGroup(g), 9).append(' ');
        }
        tail(sb, s.objAllocated(), s.objUsed(), s.pagesUsed(), Integer.toString(s.pagesPerZspage()),
                s.freeable());
    }

    private static void tail(StringBuilder sb, long allocated, long used, long pagesUsed,
                             String pagesPerZspage, long freeable) {
        pad(sb, allocated, 13).append(' ');
        pad(sb, used, 10).append(' ');
        pad(sb, pagesUsed, 10).append(' ');
        pad(sb, pagesPerZspage, 16).append(' ');
        pad(sb, freeable, 8).append('\n');
    }

    private static StringBuilder pad(StringBuilder sb, long value, int width) {
        return pad(sb, Long.toString(value), width);
    }

    /** Right-aligns like printf's %Ns: never truncates. */
    private static StringBuilder pad(StringBuilder sb, String s, int width) {
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        return sb.append(s);
    }
}
