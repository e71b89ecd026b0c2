package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SizeClassTableTest {
    /** The spec's "newest, chain 8 (min-waste), 119 classes" table, verbatim. */
    private static final String SPEC_CHAIN8 = """
            0:(32,1,128) 1:(48,3,256) 2:(64,1,64) 3:(80,5,256) 4:(96,3,128) 5:(112,7,256) 6:(128,1,32)
            7:(144,7,199) 8:(160,5,128) 9:(176,4,93) 10:(192,3,64) 11:(208,3,59) 12:(224,7,128)
            13:(240,1,17) 14:(256,1,16) 15:(272,1,15) 16:(288,5,71) 17:(304,7,94) 18:(320,5,64)
            19:(336,6,73) 20:(352,8,93) 21:(368,8,89) 22:(384,3,32) 23:(400,5,51) 24:(416,6,59)
            25:(432,7,66) 26:(448,7,64) 27:(464,5,44) 28:(480,2,17) 29:(496,4,33) 30:(512,1,8)
            31:(528,4,31) 32:(544,2,15) 33:(560,7,51) 34:(576,1,7) 35:(592,8,55) 36:(608,7,47)
            37:(624,2,13) 38:(640,5,32) 39:(656,5,31) 40:(672,1,6) 41:(688,8,47) 42:(704,5,29)
            43:(720,3,17) 44:(736,2,11) 45:(752,7,38) 46:(768,3,16) 47:(784,5,26) 49:(816,1,5)
            50:(832,8,39) 51:(848,5,24) 52:(864,7,33) 53:(880,8,37) 54:(896,7,32) 55:(912,7,31)
            56:(928,5,22) 57:(944,3,13) 58:(960,4,17) 59:(976,6,25) 60:(992,8,33) 62:(1024,1,4)
            64:(1056,8,31) 65:(1072,5,19) 66:(1088,4,15) 67:(1104,3,11) 68:(1120,8,29) 69:(1136,5,18)
            71:(1168,2,7) 72:(1184,7,24) 73:(1200,5,17) 74:(1216,3,10) 75:(1232,7,23) 76:(1248,4,13)
            78:(1280,5,16) 79:(1296,7,22) 83:(1360,1,3) 87:(1424,8,23) 88:(1440,6,17) 89:(1456,5,14)
            91:(1488,4,11) 92:(1504,7,19) 94:(1536,3,8) 95:(1552,8,21) 96:(1568,5,13) 97:(1584,7,18)
            100:(1632,2,5) 103:(1680,7,17) 104:(1696,5,12) 105:(1712,8,19) 107:(1744,3,7) 110:(1792,7,16)
            111:(1808,4,9) 114:(1856,5,11) 116:(1888,6,13) 117:(1904,7,15) 118:(1920,8,17) 126:(2048,1,2)
            134:(2176,8,15) 135:(2192,7,13) 137:(2224,6,11) 140:(2272,5,9) 144:(2336,4,7) 147:(2384,7,12)
            151:(2448,3,5) 155:(2512,8,13) 158:(2560,5,8) 160:(2592,7,11) 168:(2720,2,3) 177:(2864,7,10)
            180:(2912,5,7) 184:(2976,8,11) 190:(3072,3,4) 197:(3184,7,9) 202:(3264,4,5) 211:(3408,5,6)
            217:(3504,6,7) 222:(3584,7,8) 225:(3632,8,9) 254:(4096,1,1)
            """;

    @Test
    void distinctClassCountsPerChainSize() {
        assertEquals(119, new SizeClassTable(8).distinctClasses());
        assertEquals(69, new SizeClassTable(4).distinctClasses());
        assertEquals(192, new SizeClassTable(16).distinctClasses());
        try (ZsPool pool = new ZsPool("t")) {
            assertEquals(119, pool.classCount());
        }
        try (ZsPool pool = new ZsPool("t", 4)) {
            assertEquals(69, pool.classCount());
        }
        try (ZsPool pool = new ZsPool("t", 16)) {
            assertEquals(192, pool.classCount());
        }
    }

    @Test
    void chain8TableEqualsTheSpecTableEntryForEntry() {
        SizeClassTable t = new SizeClassTable(8);
        Matcher m = Pattern.compile("(\\d+):\\((\\d+),(\\d+),(\\d+)\\)").matcher(SPEC_CHAIN8);
        List<Integer> indexes = new ArrayList<>();
        while (m.find()) {
            int i = Integer.parseInt(m.group(1));
            indexes.add(i);
            assertEquals(Integer.parseInt(m.group(2)), t.size(i), "size of " + i);
            assertEquals(Integer.parseInt(m.group(3)), t.pagesPerZspage(i), "pages of " + i);
            assertEquals(Integer.parseInt(m.group(4)), t.objsPerZspage(i), "objs of " + i);
        }
        assertEquals(119, indexes.size());
        assertArrayEquals(indexes.stream().mapToInt(Integer::intValue).toArray(), t.representatives());
    }

    @Test
    void spotChecksAndHugeClassSizes() {
        SizeClassTable t8 = new SizeClassTable(8);
        assertEntry(t8, 1, 48, 3, 256);
        assertEntry(t8, 7, 144, 7, 199);
        assertEntry(t8, 225, 3632, 8, 9);
        assertEntry(t8, 254, 4096, 1, 1);
        assertEquals(3625, t8.hugeClassSize());
        assertTrue(t8.isHuge(254));
        // aliases point at the largest index of their merged run
        assertEquals(49, t8.representativeOf(48));
        assertEquals(254, t8.representativeOf(226));

        SizeClassTable t4 = new SizeClassTable(4);
        assertEntry(t4, 11, 208, 3, 59); // min-waste differs from the 5.8 rule only here
        assertEntry(t4, 9, 176, 4, 93);
        assertEntry(t4, 202, 3264, 4, 5);
        assertEquals(3257, t4.hugeClassSize());

        SizeClassTable t16 = new SizeClassTable(16);
        assertEntry(t16, 238, 3840, 15, 16);
        assertEquals(3833, t16.hugeClassSize());
    }

    @Test
    void chainLengthRule() {
        assertEquals(1, SizeClassTable.chainLengthFor(2048, 8)); // power of two short-circuit
        assertEquals(1, SizeClassTable.chainLengthFor(32, 16));
        assertEquals(3, SizeClassTable.chainLengthFor(48, 8)); // 3 pages waste 0
        assertEquals(7, SizeClassTable.chainLengthFor(144, 8)); // waste 16 at 7 pages
        assertEquals(3, SizeClassTable.chainLengthFor(144, 4)); // waste 48 at 3 pages beats 64/128/112
    }

    @Test
    void rejectsChainSizesOutsideFourToSixteen() {
        assertThrows(IllegalArgumentException.class, () -> new ZsPool("t", 3));
        assertThrows(IllegalArgumentException.class, () -> new ZsPool("t", 17));
    }

    private static void assertEntry(SizeClassTable t, int i, int size, int pages, int objs) {
        assertTrue(t.isRepresentative(i), i + " is a representative");
        assertEquals(size, t.size(i));
        assertEquals(pages, t.pagesPerZspage(i));
        assertEquals(objs, t.objsPerZspage(i));
    }
}
