package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CompactionTest {

    @Test
    void compactionFreesPagesMovesObjectsAndKeepsHandlesValid() {
        Random rnd = new Random(7);
        try (ZsPool pool = new ZsPool("compact")) {
            int n = 20_000;
            List<long[]> live = new ArrayList<>(); // {handle, seed, len}
            for (int i = 0; i < n; i++) {
                int len = i % 50 == 0 ? 1 + rnd.nextInt(4096) : 1 + rnd.nextInt(1024);
                long h = pool.malloc(len);
                pool.write(h, 0, TestData.bytes(i, len), 0, len);
                live.add(new long[] {h, i, len});
            }
            List<long[]> survivors = new ArrayList<>();
            for (long[] e : live) {
                if (rnd.nextInt(10) < 7) {
                    pool.free(e[0]);
                } else {
                    survivors.add(e);
                }
            }
            long[] before = new long[survivors.size()];
            for (int i = 0; i < before.length; i++) {
                before[i] = pool.objWord(survivors.get(i)[0]);
            }
            long freeableBefore = pool.classStats().stream().mapToLong(ClassStats::freeable).sum();
            long pagesBefore = pool.totalPages();

            long freed = pool.compact();

            assertTrue(freed > 0, "freed " + freed);
            assertTrue(freed >= freeableBefore / 2, "freed " + freed + " of " + freeableBefore);
            assertEquals(pagesBefore - freed, pool.totalPages());
            assertEquals(freed, pool.pagesCompacted());
            for (ClassStats s : pool.classStats()) {
                assertEquals(0, s.freeable(), "class " + s.index());
                assertEquals(s.objAllocated() / s.objsPerZspage() * s.pagesPerZspage(), s.pagesUsed());
            }
            long pagesFromStats = pool.classStats().stream().mapToLong(ClassStats::pagesUsed).sum();
            assertEquals(pool.totalPages(), pagesFromStats);
            int moved = 0;
            for (int i = 0; i < before.length; i++) {
                long[] e = survivors.get(i);
                if (pool.objWord(e[0]) != before[i]) {
                    moved++;
                }
                assertData(pool, e);
            }
            assertTrue(moved > 0, "objects moved: " + moved);
            assertEquals(survivors.size(), pool.objectsInUse());

            // free more, compact again: the counter accumulates
            List<long[]> rest = new ArrayList<>();
            for (long[] e : survivors) {
                if (rnd.nextBoolean()) {
                    pool.free(e[0]);
                } else {
                    rest.add(e);
                }
            }
            long pages2 = pool.totalPages();
            long freed2 = pool.compact();
            assertEquals(pages2 - freed2, pool.totalPages());
            assertEquals(freed + freed2, pool.pagesCompacted());
            assertEquals(0, pool.compact()); // nothing left to do
            assertEquals(freed + freed2, pool.pagesCompacted());
            for (long[] e : rest) {
                assertData(pool, e);
            }
        }
    }

    @Test
    void aPinnedSourceStopsThatClassUntilUnmapped() {
        try (ZsPool pool = new ZsPool("pinned")) {
            List<Long> a = new ArrayList<>();
            for (int i = 0; i < 128; i++) {
                a.add(pool.malloc(24));
            }
            List<Long> b = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long h = pool.malloc(24);
                pool.write(h, 0, TestData.bytes(i, 24), 0, 24);
                b.add(h);
            }
            for (int i = 0; i < 20; i++) {
                pool.free(a.remove(a.size() - 1));
            }
            // A 108/128, B 4/128: one page freeable; B would be the source
            Mapping m = pool.map(b.get(0), MapMode.READ_ONLY);
            assertEquals(0, pool.compact());
            assertEquals(1, pool.classStats().get(0).freeable());
            m.close();
            assertEquals(1, pool.compact());
            for (int i = 0; i < 4; i++) {
                byte[] got = new byte[24];
                pool.read(b.get(i), 0, got, 0, 24);
                assertArrayEquals(TestData.bytes(i, 24), got);
            }
        }
    }

    @Test
    void aConcurrentCallerGetsZero() throws Exception {
        try (ZsPool pool = new ZsPool("serial")) {
            List<Long> hs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                hs.add(pool.malloc(24));
            }
            for (int i = 0; i < hs.size(); i += 2) {
                pool.free(hs.get(i));
            }
            Field f = ZsPool.class.getDeclaredField("compacting");
            f.setAccessible(true);
            AtomicBoolean flag = (AtomicBoolean) f.get(pool);
            flag.set(true); // as if another thread were compacting
            assertEquals(0, pool.compact());
            assertEquals(0, pool.pagesCompacted());
            flag.set(false);
            assertTrue(pool.compact() > 0);
        }
    }

    static void assertData(ZsPool pool, long[] e) {
        int len = (int) e[2];
        byte[] got = new byte[len];
        pool.read(e[0], 0, got, 0, len);
        assertArrayEquals(TestData.bytes((int) e[1], len), got, "handle " + e[0]);
    }
}
