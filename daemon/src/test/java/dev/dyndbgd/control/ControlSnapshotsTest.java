package dev.dyndbgd.control;

import dev.dyndbgd.query.BatchResult;
import dev.dyndbgd.query.EngineFixture;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control cache: one recording at a time, paged text shared by readers of an unchanged version,
 * and memory that stays at one rendering however many readers and writers there are.
 */
class ControlSnapshotsTest {
    private static final int PAGE = ControlSnapshots.PAGE_SIZE;
    private static final long NO_STALL = TimeUnit.MINUTES.toNanos(10);

    /** The standard fixture plus five modules of 800 sites: about 400 KB of text, several pages. */
    private static EngineFixture big() {
        EngineFixture f = EngineFixture.standard();
        for (int m = 0; m < 5; m++) {
            String name = "big" + m;
            Random rnd = new Random(m);
            List<SiteRecord> sites = new ArrayList<>();
            for (int i = 0; i < 800; i++) {
                sites.add(new SiteRecord("drivers/" + name + "/part" + (i / 10) + ".c", name + "_fn" + (i / 4),
                        name + ": event " + Long.toHexString(rnd.nextLong()) + " state %d\n", 100 + 3 * i,
                        SiteRecord.CLASS_DEFAULT, 0));
            }
            f.registry.add(new ModuleImage(name, sites, List.of()));
        }
        return f;
    }

    private static byte[] expected(EngineFixture f) {
        return ControlStream.snapshot(f.registry).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void write(EngineFixture f, String query) {
        long before = f.registry.version();
        assertEquals(BatchResult.Status.OK, f.engine.write(query).status(), query);
        assertNotEquals(before, f.registry.version(), "the write changed flags: " + query);
    }

    /** Bytes of pages needed for a text of this length: the most one rendering may hold. */
    private static long pagesFor(long length) {
        return (length + PAGE - 1) / PAGE * PAGE;
    }

    /** One open of control read front to back, as cat does, in reads of the given size. */
    private static final class Seq {
        final ControlReader reader;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long offset;
        boolean done;

        Seq(ControlReader reader) {
            this.reader = reader;
        }

        void read(int size) {
            byte[] buf = new byte[size];
            int n = reader.read(offset, buf);
            out.write(buf, 0, n);
            offset += n;
            done = n < size;
        }

        byte[] readToEnd(int size) {
            while (!done) {
                read(size);
            }
            return out.toByteArray();
        }
    }

    private static byte[] readAll(ControlReader r, int size) {
        return new Seq(r).readToEnd(size);
    }

    @Test
    void aCachedRenderingIsByteIdenticalAcrossPageBoundaries() {
        EngineFixture f = big();
        byte[] expected = expected(f);
        assertTrue(expected.length > 5L * PAGE, "spans several pages: " + expected.length);
        try (ControlSnapshots s = new ControlSnapshots(f.registry)) {
            assertArrayEquals(expected, readAll(s.open(), 4097), "the recording reader");
            assertEquals(1, s.recordingsStarted());
            assertEquals(expected.length, s.cachedBytes(), "pages held, the last one trimmed");

            for (int size : new int[]{1, 7, 4097, PAGE - 1, PAGE, PAGE + 1, 131072, 3 * PAGE + 5, expected.length + 10}) {
                assertArrayEquals(expected, readAll(s.open(), size), "reads of " + size);
            }
            assertEquals(1, s.recordingsStarted(), "every later reader copied the cached pages");

            // A FUSE read may ask for any offset: straddle every page edge, and ask past the end.
            ControlReader r = s.open();
            for (int edge = PAGE; edge < expected.length; edge += PAGE) {
                for (int size : new int[]{1, 2, 4097, PAGE + 3}) {
                    long offset = edge - Math.min(size / 2 + 1, edge);
                    byte[] dst = new byte[size];
                    int n = r.read(offset, dst);
                    int want = (int) Math.min(size, expected.length - offset);
                    assertEquals(want, n, "at " + offset + " size " + size);
                    assertArrayEquals(Arrays.copyOfRange(expected, (int) offset, (int) offset + want),
                            Arrays.copyOf(dst, n), "at " + offset + " size " + size);
                }
            }
            assertEquals(0, r.read(expected.length, new byte[10]));
            assertEquals(0, r.read(expected.length + 12345L, new byte[10]));
        }
    }

    /**
     * Sixteen cats of one uncached version, all started before any finishes (the case that made
     * sixteen copies of the text): all get the whole text, and only one of them records it.
     */
    @Test
    void concurrentReadersOfOneVersionMakeOneRecording() throws Exception {
        EngineFixture f = big();
        byte[] expected = expected(f);
        int readers = 16;
        try (ControlSnapshots s = new ControlSnapshots(f.registry, NO_STALL)) {
            CyclicBarrier started = new CyclicBarrier(readers);
            AtomicLong maxHeld = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(readers);
            try {
                List<Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < readers; t++) {
                    int size = 4096 + 1000 * t;
                    results.add(pool.submit(() -> {
                        Seq seq = new Seq(s.open());
                        seq.read(4096);
                        started.await(30, TimeUnit.SECONDS);
                        while (!seq.done) {
                            seq.read(size);
                            maxHeld.accumulateAndGet(s.cachedBytes(), Math::max);
                        }
                        return seq.out.toByteArray();
                    }));
                }
                for (Future<byte[]> r : results) {
                    assertArrayEquals(expected, r.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, s.recordingsStarted(), "one recorder; the other fifteen streamed");
            assertEquals(expected.length, s.cachedBytes());
            assertTrue(maxHeld.get() <= pagesFor(expected.length), "held " + maxHeld.get());

            assertArrayEquals(expected, readAll(s.open(), 65536));
            assertEquals(1, s.recordingsStarted(), "a later reader of the same version shares the text");
        }
    }

    /**
     * Opens between writes, step by step: each reader gets its version's text, a recorder of a
     * version that went stale gives way at once, and the cache never holds more than one rendering.
     */
    @Test
    void readersBetweenWritesGetTheirVersionAndTheCacheHoldsOneRendering() {
        EngineFixture f = big();
        try (ControlSnapshots s = new ControlSnapshots(f.registry, NO_STALL)) {
            write(f, "module big1 +p");
            byte[] v1 = expected(f);
            long bound = pagesFor(v1.length);
            assertArrayEquals(v1, readAll(s.open(), 65536));
            assertEquals(1, s.recordingsStarted());

            Seq b = new Seq(s.open()); // v1, from the cache
            b.read(100_000);
            write(f, "module big1 -p");
            byte[] v2 = expected(f);
            assertArrayEquals(v1, b.readToEnd(65536), "text as of the first read");

            Seq c = new Seq(s.open());
            c.read(4096); // claims v2; the v1 text, which no open can use any more, is let go
            assertEquals(2, s.recordingsStarted());
            assertEquals(PAGE, s.cachedBytes());
            Seq d = new Seq(s.open());
            while (!c.done || !d.done) {
                if (!d.done) {
                    d.read(8191);
                }
                if (!c.done) {
                    c.read(65536);
                }
                assertTrue(s.cachedBytes() <= bound, "held " + s.cachedBytes());
            }
            assertArrayEquals(v2, c.out.toByteArray());
            assertArrayEquals(v2, d.out.toByteArray());
            assertEquals(2, s.recordingsStarted(), "d streamed while c recorded");
            assertEquals(v2.length, s.cachedBytes());

            write(f, "module big2 +p");
            Seq e = new Seq(s.open());
            e.read(4096); // claims v3
            assertEquals(3, s.recordingsStarted());
            write(f, "module big2 -p");
            byte[] v4 = expected(f);
            Seq g = new Seq(s.open());
            g.read(4096); // v3 is stale: no waiting for its recorder
            assertEquals(4, s.recordingsStarted());
            e.read(4096); // e sees it lost its claim and stops recording
            assertEquals(PAGE, s.cachedBytes(), "only g's page");
            // e streams on like seq_file: the lines it had not rendered yet show the state as it is now.
            assertArrayEquals(v4, e.readToEnd(32768));
            assertArrayEquals(v4, g.readToEnd(131072));
            assertEquals(4, s.recordingsStarted());
            assertEquals(v4.length, s.cachedBytes());
            assertTrue(s.cachedBytes() <= bound);
        }
    }

    /**
     * Eight readers against four writers that keep changing flag lengths (=pmf against =_): every
     * text is whole lines of the right sites (a cached text of one version never mixes with another's
     * offsets), and the cache stays at one rendering all along.
     */
    @Test
    void concurrentReadersAndWritersStayCorrectAndBounded() throws Exception {
        EngineFixture f = big();
        for (int m = 0; m < 5; m++) {
            write(f, "module big" + m + " +pmf");
        }
        long bound = pagesFor(expected(f).length); // every site flagged: the longest text there is
        for (int m = 0; m < 5; m++) {
            write(f, "module big" + m + " -pmf");
        }
        List<String> shape = shape(new String(expected(f), StandardCharsets.ISO_8859_1));

        try (ControlSnapshots s = new ControlSnapshots(f.registry)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong maxHeld = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    jobs.add(pool.submit(() -> {
                        Random rnd = new Random(writer);
                        while (!stop.get()) {
                            String q = "module big" + rnd.nextInt(5) + " line " + (100 + 3 * rnd.nextInt(800))
                                    + (rnd.nextBoolean() ? " +pmf" : " -pmf");
                            f.engine.write(q);
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                        }
                    }));
                }
                for (int r = 0; r < 8; r++) {
                    int reader = r;
                    jobs.add(pool.submit(() -> {
                        Random rnd = new Random(100 + reader);
                        for (int i = 0; i < 25; i++) {
                            Seq seq = new Seq(s.open());
                            while (!seq.done) {
                                seq.read(1 + rnd.nextInt(2 * PAGE));
                                maxHeld.accumulateAndGet(s.cachedBytes(), Math::max);
                            }
                            String text = seq.out.toString(StandardCharsets.ISO_8859_1);
                            if (!shape(text).equals(shape)) {
                                failures.add("reader " + reader + " pass " + i + ": lines differ");
                            }
                        }
                    }));
                }
                for (Future<?> j : jobs.subList(4, jobs.size())) {
                    j.get(120, TimeUnit.SECONDS);
                }
                stop.set(true);
                for (Future<?> j : jobs) {
                    j.get(30, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            assertTrue(failures.isEmpty(), failures.toString());
            assertTrue(maxHeld.get() <= bound, "held " + maxHeld.get() + " of at most " + bound);
            assertTrue(s.recordingsStarted() > 0);

            // Quiet again: the next reader records the current text, and the one after shares it.
            byte[] now = expected(f);
            assertArrayEquals(now, readAll(s.open(), 4097));
            long recordings = s.recordingsStarted();
            assertEquals(now.length, s.cachedBytes());
            assertArrayEquals(now, readAll(s.open(), 131072));
            assertEquals(recordings, s.recordingsStarted());
        }
    }

    /** Each line with its flags blanked: what must not change while only flags do. */
    private static List<String> shape(String text) {
        return text.lines().map(l -> l.replaceFirst(" =[a-z_]+ ", " = ")).toList();
    }

    /**
     * An open that read one chunk and stopped (less on a terminal, a killed cat whose fd lingers)
     * holds the claim only while it keeps reading: after a second without progress, a reader of the
     * same version takes over, and its text is cached.
     */
    @Test
    void anAbandonedRecorderIsTakenOverAfterItStalls() throws Exception {
        EngineFixture f = big();
        byte[] expected = expected(f);
        try (ControlSnapshots s = new ControlSnapshots(f.registry)) {
            Seq abandoned = new Seq(s.open());
            abandoned.read(4096);
            assertEquals(1, s.recordingsStarted());

            assertArrayEquals(expected, readAll(s.open(), 65536));
            assertEquals(1, s.recordingsStarted(), "the claim is fresh: this reader only streamed");
            assertEquals(PAGE, s.cachedBytes(), "nothing cached but the abandoned recorder's page");

            Thread.sleep(1500);
            assertArrayEquals(expected, readAll(s.open(), 65536));
            assertEquals(2, s.recordingsStarted(), "the stalled claim was taken over");
            assertEquals(expected.length, s.cachedBytes(), "cached; the abandoned page was given back");

            assertArrayEquals(expected, abandoned.readToEnd(65536), "the old recorder still reads correctly");
            assertEquals(expected.length, s.cachedBytes(), "but, having lost its claim, records nothing");
            assertArrayEquals(expected, readAll(s.open(), 65536));
            assertEquals(2, s.recordingsStarted(), "later readers share the cached text");
        }
    }

    @Test
    void aBackwardSeekRestartsTheRecordingAndASkipGivesItUp() {
        EngineFixture f = big();
        byte[] expected = expected(f);
        try (ControlSnapshots s = new ControlSnapshots(f.registry)) {
            ControlReader r = s.open();
            byte[] head = new byte[10_000];
            assertEquals(head.length, r.read(0, head));
            assertEquals(head.length, r.read(head.length, head));
            assertArrayEquals(expected, readAll(r, 4097), "read again from 0: restarted like seq_file");
            assertEquals(2, s.recordingsStarted(), "the restart recorded afresh");
            assertEquals(expected.length, s.cachedBytes());

            write(f, "module big3 +p");
            byte[] v2 = expected(f);
            ControlReader skipper = s.open();
            byte[] tail = new byte[v2.length];
            int n = skipper.read(5000, tail);
            assertArrayEquals(Arrays.copyOfRange(v2, 5000, v2.length), Arrays.copyOf(tail, n));
            assertEquals(2, s.recordingsStarted(), "a reader starting past 0 cannot record");

            ControlReader jumper = s.open();
            assertEquals(4096, jumper.read(0, new byte[4096])); // claims
            assertEquals(3, s.recordingsStarted());
            assertEquals(4096, jumper.read(50_000, new byte[4096])); // skips: gives the claim back
            assertEquals(0, s.cachedBytes());
            assertArrayEquals(v2, readAll(s.open(), 65536));
            assertEquals(4, s.recordingsStarted(), "the next reader could claim at once");
            assertEquals(v2.length, s.cachedBytes());
        }
    }

    @Test
    void dropGivesBackTheTextAndAnyRecordingInProgress() {
        EngineFixture f = big();
        byte[] expected = expected(f);
        try (ControlSnapshots s = new ControlSnapshots(f.registry)) {
            assertArrayEquals(expected, readAll(s.open(), 65536));
            assertEquals(expected.length, s.drop());
            assertEquals(0, s.cachedBytes());

            Seq recorder = new Seq(s.open());
            recorder.read(3 * PAGE);
            assertEquals(3L * PAGE, s.cachedBytes());
            assertEquals(3L * PAGE, s.drop());
            assertEquals(0, s.cachedBytes());
            assertArrayEquals(expected, recorder.readToEnd(PAGE), "the reader carries on, streaming");
            assertEquals(0, s.cachedBytes(), "its recording was dropped, so it caches nothing");
        }
    }
}
