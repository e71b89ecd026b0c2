package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FullnessStatsTest {

    @Test
    void groupRule() {
        assertEquals(0, FullnessGroup.of(0, 128));
        assertEquals(1, FullnessGroup.of(1, 128)); // 0% still counts as in use
        assertEquals(2, FullnessGroup.of(13, 128)); // 1300/128 = 10
        assertEquals(1, FullnessGroup.of(12, 128)); // 9
        assertEquals(10, FullnessGroup.of(127, 128)); // 99
        assertEquals(11, FullnessGroup.of(128, 128));
        assertEquals(6, FullnessGroup.of(1, 2)); // 50% -> 60% column
    }

    /**
     * Class 0: 32-byte objects, 1 page, 128 per zspage; payload 24 lands there. Expected numbers
     * follow from: group = 100*inuse/objs/10 + 1; pages_used = allocated/objs*pages;
     * freeable = (allocated-used)/objs*pages.
     */
    @Test
    void knownSequenceGivesHandComputedCounters() {
        try (ZsPool pool = new ZsPool("stats")) {
            List<Long> first = new ArrayList<>();
            for (int i = 0; i < 13; i++) {
                first.add(pool.malloc(24));
            }
            // zspage A: 13/128 = 10% -> group 2
            assertClass0(pool, groups(2, 1), 128, 13, 1, 0);

            pool.free(first.remove(12));
            // A: 12/128 = 9% -> group 1
            assertClass0(pool, groups(1, 1), 128, 12, 1, 0);

            List<Long> second = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long h = pool.malloc(24);
                (i < 116 ? first : second).add(h);
            }
            // A fills (128, group 11); B gets 84: 8400/128 = 65 -> group 7
            assertClass0(pool, groups(11, 1, 7, 1), 256, 212, 2, 0);
            assertEquals(2, pool.totalPages());

            for (int i = 0; i < 80; i++) {
                pool.free(second.remove(second.size() - 1));
            }
            // B: 4/128 = 3% -> group 1; free slots 124 < 128 -> nothing freeable
            assertClass0(pool, groups(11, 1, 1, 1), 256, 132, 2, 0);

            for (int i = 0; i < 20; i++) {
                pool.free(first.remove(first.size() - 1));
            }
            // A: 108/128 = 84% -> group 9; free slots 144 -> one zspage = 1 page freeable
            assertClass0(pool, groups(9, 1, 1, 1), 256, 112, 2, 1);

            // compaction: dst = A (the 80-90% list), src = B (0-10%); B's 4 objects move, B is freed
            assertEquals(1, pool.compact());
            assertEquals(1, pool.pagesCompacted());
            assertEquals(1, pool.totalPages());
            // A: 112/128 = 87% -> group 9
            assertClass0(pool, groups(9, 1), 128, 112, 1, 0);

            // a 3-page class moves totalPages by 3
            pool.malloc(40); // 48-byte class 1: 3 pages, 256 objects
            ClassStats c1 = pool.classStats().get(1);
            assertEquals(1, c1.index());
            assertEquals(48, c1.size());
            assertArrayEquals(groups(1, 1), c1.zspagesPerGroup());
            assertEquals(256, c1.objAllocated());
            assertEquals(3, c1.pagesUsed());
            assertEquals(4, pool.totalPages());
        }
    }

    private static void assertClass0(ZsPool pool, long[] groups, long allocated, long used,
                                     long pagesUsed, long freeable) {
        ClassStats s = pool.classStats().get(0);
        assertEquals(0, s.index());
        assertEquals(32, s.size());
        assertEquals(1, s.pagesPerZspage());
        assertEquals(128, s.objsPerZspage());
        assertArrayEquals(groups, s.zspagesPerGroup());
        assertEquals(allocated, s.objAllocated());
        assertEquals(used, s.objUsed());
        assertEquals(pagesUsed, s.pagesUsed());
        assertEquals(freeable, s.freeable());
    }

    /** groups(g1, n1, g2, n2, ...) -> a 12-long count array. */
    private static long[] groups(int... groupCountPairs) {
        long[] out = new long[12];
        for (int i = 0; i < groupCountPairs.length; i += 2) {
            out[groupCountPairs[i]] = groupCountPairs[i + 1];
        }
        return out;
    }
}
