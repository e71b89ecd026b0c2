package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The line in effect at a pc, for tables javac would not write but the format allows. */
class LineNumbersTest {
    @Test
    void unsortedEntriesAndRepeatedPcs() {
        LineNumbers lines = new LineNumbers();
        lines.add(10, 30);
        lines.add(0, 5);
        lines.add(4, 8);
        lines.add(4, 9); // the same pc again: the later entry wins
        assertEquals(List.of(5, 5, 9, 9, 30, 30), List.of(lines.lineAt(0), lines.lineAt(3), lines.lineAt(4),
                lines.lineAt(9), lines.lineAt(10), lines.lineAt(500)));
    }

    @Test
    void noTableMeansLineZero() {
        assertEquals(0, new LineNumbers().lineAt(0));
        LineNumbers late = new LineNumbers();
        late.add(6, 12);
        assertEquals(0, late.lineAt(0));
        assertEquals(12, late.lineAt(6));
    }

    @Test
    void aClassWithAnOutOfOrderTable() {
        TestClassFile cf = new TestClassFile("t/Lines");
        int site = cf.field("t/Lines", "S", DebugApi.DEBUG_SITE_TYPE);
        int enabled = cf.method(DebugApi.DEBUG_SITE, "enabled", "()Z");
        byte[] code = {
                0x00, 0x00,                                                          // pc 0, 1: nop (line 40)
                (byte) 0xb2, (byte) (site >> 8), (byte) site,                        // pc 2: GETSTATIC S (line 41)
                (byte) 0xb6, (byte) (enabled >> 8), (byte) enabled,                  // pc 5: enabled()
                0x57,                                                                // pc 8: pop
                (byte) 0xb2, (byte) (site >> 8), (byte) site,                        // pc 9: GETSTATIC S (line 44)
                (byte) 0xb6, (byte) (enabled >> 8), (byte) enabled,
                0x57, (byte) 0xb1};
        ClassScan scan = SiteScanner.scanClass(cf.method("lambda$work$7", code, 9, 44, 2, 41, 0, 40).toBytes());
        ClassScan.FieldRef s = new ClassScan.FieldRef("t/Lines", "S");
        assertEquals(List.of(new ClassScan.SiteUse(s, "work", 41), new ClassScan.SiteUse(s, "work", 44)), scan.uses());
        assertEquals("t/Lines.java", scan.file());
    }
}
