package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    /** Per-thread bookkeeping of what each live handle must contain. */
    private record Entry(long handle, int seed, int len) {
    }

    @Test
    void workersAndACompactorRaceWithoutLosingData() throws Exception {
        try (ZsPool pool = new ZsPool("race")) {
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicLong ops = new AtomicLong();
            AtomicLong compactions = new AtomicLong();
            List<List<Entry>> finalLive = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Entry> live = new ArrayList<>();
                finalLive.add(live);
                int id = t;
                threads.add(new Thread(() -> {
                    try {
                        work(pool, new Random(100 + id), live, stop, ops, id);
                    } catch (Throwable e) {
                        failures.add(e);
                        stop.set(true);
                    }
                }, "worker-" + t));
            }
            threads.add(new Thread(() -> {
                try {
                    while (!stop.get()) {
                        compactions.addAndGet(pool.compact());
                        Thread.sleep(1);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                    stop.set(true);
                }
            }, "compactor"));
            threads.forEach(Thread::start);
            Thread.sleep(2000);
            stop.set(true);
            for (Thread th : threads) {
                th.join(30_000);
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.peek();
                throw new AssertionError("worker failed: " + first, first);
            }
            long liveCount = finalLive.stream().mapToLong(List::size).sum();
            assertEquals(liveCount, pool.objectsInUse());
            for (List<Entry> live : finalLive) {
                for (Entry e : live) {
                    verify(pool, e);
                }
            }
            System.out.printf("concurrency: %d ops in 2 s by 4 workers, %d pages compacted,"
                    + " %d pages moved between chunks%n", ops.get(), pool.pagesCompacted(), pool.pagesMoved());
            assertEquals(compactions.get(), pool.pagesCompacted());
            for (List<Entry> live : finalLive) {
                for (Entry e : live) {
                    pool.free(e.handle());
                }
            }
            assertEquals(0, pool.objectsInUse());
            assertEquals(0, pool.totalPages());
            for (ClassStats s : pool.classStats()) {
                assertEquals(0, s.objAllocated(), "class " + s.index());
            }
        }
    }

    private static void work(ZsPool pool, Random rnd, List<Entry> live, AtomicBoolean stop,
                             AtomicLong ops, int id) {
        int seed = id << 24;
        long n = 0;
        while (!stop.get()) {
            int op = rnd.nextInt(100);
            if (live.isEmpty() || (op < 45 && live.size() < 3000)) {
                int len = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(4096) : 1 + rnd.nextInt(600);
                long h = pool.malloc(len);
                Entry e = new Entry(h, ++seed, len);
                if (rnd.nextBoolean()) {
                    pool.write(h, 0, TestData.bytes(e.seed(), len), 0, len);
                } else {
                    try (Mapping m = pool.map(h, MapMode.WRITE_ONLY)) {
                        m.buffer().put(TestData.bytes(e.seed(), len));
                    }
                }
                live.add(e);
            } else if (op < 75) {
                verify(pool, live.get(rnd.nextInt(live.size())));
            } else if (op < 80) {
                // rewrite in place through a read-write mapping
                int k = rnd.nextInt(live.size());
                Entry old = live.get(k);
                Entry e = new Entry(old.handle(), ++seed, old.len());
                try (Mapping m = pool.map(e.handle(), MapMode.READ_WRITE)) {
                    m.buffer().put(TestData.bytes(e.seed(), e.len()));
                }
                live.set(k, e);
            } else {
                int k = rnd.nextInt(live.size());
                Entry e = live.get(k);
                verify(pool, e);
                pool.free(e.handle());
                live.set(k, live.get(live.size() - 1));
                live.remove(live.size() - 1);
            }
            n++;
        }
        ops.addAndGet(n);
    }

    private static void verify(ZsPool pool, Entry e) {
        byte[] expect = TestData.bytes(e.seed(), e.len());
        byte[] got = new byte[e.len()];
        if ((e.seed() & 1) == 0) {
            pool.read(e.handle(), 0, got, 0, e.len());
        } else {
            try (Mapping m = pool.map(e.handle(), MapMode.READ_ONLY)) {
                ByteBuffer b = m.buffer();
                b.get(got);
            }
        }
        assertArrayEquals(expect, got, "handle " + e.handle());
        assertTrue(pool.usableSize(e.handle()) >= e.len());
    }
}
