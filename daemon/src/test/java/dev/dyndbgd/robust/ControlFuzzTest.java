package dev.dyndbgd.robust;

import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.mount.DaemonProcess;
import dev.dyndbgd.robust.QueryGenerator.Category;
import dev.dyndbgd.robust.QueryGenerator.Input;
import dev.dyndbgd.robust.ReferenceModel.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hardening, item 1: control writes, fuzzed, against an independent reference model.
 *
 * <p>A real daemon, mounted with FUSE, loaded with gcc-built fixture modules, takes 10,000 writes
 * through open/write(2)/close from this JVM (one write(2) per batch) and some hundreds through real
 * {@code bash -c "echo ... > control"} processes. Every write must come back within seconds with the full
 * byte count, EINVAL or E2BIG, as {@link ReferenceModel} predicts; after every write the listing read
 * through the mount, and every 500 writes the listing a real {@code cat} prints, must equal the model's
 * byte for byte. The model is written from the spec only; it learns the call sites from the first listing.
 *
 * <p>{@code -Dfuzz.seed=N} replays a run (the seed is printed; failures repeat it), {@code -Dfuzz.writes},
 * {@code -Dfuzz.shell} change the counts, {@code -Dfuzz.keepGoing=true} collects every disagreement (and
 * resynchronises the model) instead of stopping at the first, {@code -Dfuzz.dump=FILE} writes every input
 * (hex, one a line, {@code W} for a write(2) from here, {@code S} for one through bash) for replaying.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ControlFuzzTest {
    // Fixed by default so CI tries the same inputs every run; -Dfuzz.seed=N explores others.
    private static final long SEED = Long.getLong("fuzz.seed", 20261126L);
    private static final int WRITES = Integer.getInteger("fuzz.writes", 10_000);
    private static final int SHELL_WRITES = Integer.getInteger("fuzz.shell", 300);
    private static final int CAT_EVERY = 500;
    private static final boolean KEEP_GOING = Boolean.getBoolean("fuzz.keepGoing");
    private static final long WRITE_TIMEOUT_SECONDS = 5;
    private static final Writer DUMP = dumpFile();

    private static Writer dumpFile() {
        try {
            String f = System.getProperty("fuzz.dump");
            return f == null ? null : Files.newBufferedWriter(Path.of(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TempDir
    static Path work;
    private DaemonProcess daemon;
    private FileChannel longLived;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-io");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    void start() throws Exception {
        dev.dyndbgd.mount.FuseRequirements.check();
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path modules = Files.createDirectories(work.resolve("modules"));
        Fixtures.sitesModule(modules);
        Fixtures.generatedModule(modules, "alpha", 12);
        Fixtures.generatedModule(modules, "alphabet", 3);
        ClassyModules.build(modules, Files.createDirectories(work.resolve("scratch")));
        daemon = DaemonProcess.start(work, "--load", modules.toString(), "--source-root", ClassyModules.SOURCE_ROOT);
    }

    @AfterAll
    void stop() throws Exception {
        io.shutdownNow();
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void controlWritesAgreeWithTheReferenceModel() throws Exception {
        long t0 = System.nanoTime();
        String initial = cat();
        ReferenceModel model = ReferenceModel.fromListing(initial, ClassyModules.SOURCE_ROOT, ClassyModules.ABSOLUTE_FILES);
        Assertions.assertEquals(initial, model.render(), "the model must render the listing it was built from");
        Assertions.assertTrue(model.sites().stream().map(s -> s.module).distinct().count() >= 6, initial);

        Random random = new Random(SEED);
        Random how = new Random(SEED + 1); // which path a write takes, apart from what it writes
        QueryGenerator gen = new QueryGenerator(random, model.sites(), ClassyModules.SOURCE_ROOT);
        Stats stats = new Stats();
        List<String> findings = new ArrayList<>();
        int total = WRITES + SHELL_WRITES;
        int shellEvery = SHELL_WRITES == 0 ? Integer.MAX_VALUE : Math.max(1, total / SHELL_WRITES);
        int shellDone = 0;
        for (int i = 1; i <= total; i++) {
            boolean shell = i % shellEvery == 0 && shellDone < SHELL_WRITES;
            Input in = shell ? gen.nextForShell() : gen.next();
            byte[] written = in.bytes();
            Outcome actual;
            if (shell) {
                shellDone++;
                written = (in.text() + "\n").getBytes(StandardCharsets.ISO_8859_1); // echo's newline is part of the write
                boolean append = how.nextInt(4) == 0;
                actual = timed(() -> shellWrite(in.text(), append), "bash write #" + i, in);
            } else if (how.nextInt(10) == 0) {
                byte[] data = written;
                stats.longLived++;
                long at = how.nextInt(3) == 0 ? how.nextLong() >>> 24 : -1; // sometimes a pwrite(2) far into the file
                actual = timed(() -> writeLongLived(data, at, how.nextInt(8) == 0), "write #" + i + " (long-lived fd)", in);
            } else {
                byte[] data = written;
                actual = timed(() -> write(data), "write #" + i, in);
            }
            if (DUMP != null) {
                DUMP.write((shell ? "S " : "W ") + HexFormat.of().formatHex(written) + "\n");
                DUMP.flush();
            }
            ReferenceModel.Result expected = model.write(written);
            stats.count(in.category(), shell, expected.outcome());
            if (!daemon.process().isAlive()) {
                Assertions.fail(report("daemon died", i, in, written, expected, actual));
            }
            if (actual != expected.outcome()) {
                String r = report("result differs", i, in, written, expected, actual);
                findings.add(r);
                if (!KEEP_GOING) {
                    Assertions.fail(r);
                }
            }
            String listing = timed(() -> new String(Files.readAllBytes(daemon.control()), StandardCharsets.ISO_8859_1),
                    "read after #" + i, in);
            boolean catNow = i % CAT_EVERY == 0 || i == total;
            if (catNow) {
                stats.cats++;
                listing = cat();
            }
            stats.listings++;
            String want = model.render();
            if (!listing.equals(want)) {
                String r = report("listing differs after this write (" + (catNow ? "cat" : "read(2) in the test") + ")",
                        i, in, written, expected, actual) + "\n" + diff(want, listing);
                findings.add(r);
                if (!KEEP_GOING) {
                    Assertions.fail(r);
                }
                ReferenceModel resynced = ReferenceModel.fromListing(listing, ClassyModules.SOURCE_ROOT, ClassyModules.ABSOLUTE_FILES);
                resynced.coverage.putAll(model.coverage);
                model = resynced;
            }
        }
        stats.seconds = (System.nanoTime() - t0) / 1e9;
        closeLongLived();
        System.out.println(stats.summary(findings.size(), model.coverage));
        if (!findings.isEmpty()) {
            Assertions.fail(findings.size() + " findings (seed " + SEED + "):\n\n" + String.join("\n\n", findings.subList(0, Math.min(30, findings.size()))));
        }
    }

    // ---- I/O through the mount

    /** One open, one write(2) of all of {@code data}, close: the daemon's answer. */
    private Outcome write(byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(data.length).put(data).flip();
        try (FileChannel ch = FileChannel.open(daemon.control(), StandardOpenOption.WRITE)) {
            int n = ch.write(buf); // a direct buffer: exactly one write(2)
            if (n != data.length) {
                throw new AssertionError("short write: " + n + " of " + data.length + " bytes");
            }
            return Outcome.OK;
        } catch (IOException e) {
            return errno(String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * A write(2) on a descriptor kept open across writes, so its offset has moved on (by each accepted
     * write's length), or a pwrite(2) at {@code at} when that is not negative: the kernel, and so the
     * daemon, must ignore the offset. Closed again now and then.
     */
    private Outcome writeLongLived(byte[] data, long at, boolean closeAfter) throws IOException {
        if (longLived == null) {
            longLived = FileChannel.open(daemon.control(), StandardOpenOption.WRITE);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(data.length).put(data).flip();
        try {
            int n = at < 0 ? longLived.write(buf) : longLived.write(buf, at);
            if (n != data.length) {
                throw new AssertionError("short write: " + n + " of " + data.length + " bytes");
            }
            return Outcome.OK;
        } catch (IOException e) {
            return errno(String.valueOf(e.getMessage()), e);
        } finally {
            if (closeAfter) {
                closeLongLived();
            }
        }
    }

    private void closeLongLived() throws IOException {
        if (longLived != null) {
            longLived.close();
            longLived = null;
        }
    }

    /** bash's builtin echo (or printf for text echo would take as options) redirected ({@code >} or {@code >>}) onto control. */
    private Outcome shellWrite(String text, boolean append) throws IOException, InterruptedException {
        String cmd = (text.startsWith("-") ? "printf '%s\\n' " : "echo ") + ansiC(text) + (append ? " >> " : " > ") + daemon.control();
        DaemonProcess.Shell r = DaemonProcess.run(List.of("env", "LC_ALL=C", "bash", "-c", cmd));
        if (r.exit() == 0 && r.err().isEmpty()) {
            return Outcome.OK;
        }
        return errno(r.err(), null);
    }

    private static Outcome errno(String message, IOException e) {
        if (message.contains("Invalid argument")) {
            return Outcome.EINVAL;
        }
        if (message.contains("Argument list too long")) {
            return Outcome.E2BIG;
        }
        throw new AssertionError("neither the byte count, EINVAL nor E2BIG: " + message, e);
    }

    /** A bash $'...' word holding exactly these bytes. */
    private static String ansiC(String s) {
        StringBuilder b = new StringBuilder("$'");
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format("\\x%02x", (int) c));
            }
        }
        return b.append('\'').toString();
    }

    private String cat() throws IOException, InterruptedException {
        DaemonProcess.Shell r = DaemonProcess.run(List.of("cat", daemon.control().toString()));
        Assertions.assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    /** Runs a call on the I/O thread; a daemon that does not answer in time fails the test. */
    private <T> T timed(Callable<T> call, String what, Input in) throws Exception {
        Future<T> f = io.submit(call);
        try {
            return f.get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not return in " + WRITE_TIMEOUT_SECONDS + " s (seed " + SEED + "), input "
                    + ReferenceModel.show(in.text()) + "\n" + logTail());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(what + " (seed " + SEED + "), input " + ReferenceModel.show(in.text()) + ": "
                    + e.getCause() + "\n" + logTail(), e.getCause());
        }
    }

    // ---- reports

    private String report(String what, int i, Input in, byte[] written, ReferenceModel.Result expected, Outcome actual)
            throws IOException {
        String text = new String(written, StandardCharsets.ISO_8859_1);
        return what + " at write #" + i + " (seed " + SEED + ", " + in.category().label + ", " + written.length + " bytes)\n"
                + "  input:    " + (text.length() > 400 ? ReferenceModel.show(text.substring(0, 400)) + "..." : ReferenceModel.show(text)) + "\n"
                + "  daemon:   " + actual + "\n  model:    " + expected.outcome() + "\n"
                + "  queries:  " + String.join("\n            ", expected.trace().subList(0, Math.min(10, expected.trace().size()))) + "\n"
                + logTail();
    }

    private String logTail() throws IOException {
        List<String> lines = daemon.logText().lines().toList();
        return "  daemon log (tail):\n    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    private static String diff(String want, String got) {
        List<String> w = want.lines().toList();
        List<String> g = got.lines().toList();
        StringBuilder b = new StringBuilder("  listing (model vs daemon), differing lines:\n");
        int shown = 0;
        for (int i = 0; i < Math.max(w.size(), g.size()) && shown < 8; i++) {
            String a = i < w.size() ? w.get(i) : "<none>";
            String c = i < g.size() ? g.get(i) : "<none>";
            if (!a.equals(c)) {
                b.append("    model:  ").append(ReferenceModel.show(a)).append("\n    daemon: ").append(ReferenceModel.show(c)).append('\n');
                shown++;
            }
        }
        return b.toString();
    }

    /** Counts by category and outcome, for the printed summary. */
    private static final class Stats {
        final Map<Category, int[]> byCategory = new EnumMap<>(Category.class);
        int shell;
        int longLived;
        int listings;
        int cats;
        double seconds;

        void count(Category c, boolean viaShell, Outcome o) {
            byCategory.computeIfAbsent(c, k -> new int[Outcome.values().length])[o.ordinal()]++;
            if (viaShell) {
                shell++;
            }
        }

        String summary(int findings, Map<String, Integer> coverage) {
            StringBuilder b = new StringBuilder("ControlFuzzTest seed " + SEED + ": ");
            int[] all = new int[Outcome.values().length];
            StringBuilder rows = new StringBuilder();
            for (var e : byCategory.entrySet()) {
                int[] v = e.getValue();
                rows.append(String.format("  %-32s %6d   ok %6d  EINVAL %6d  E2BIG %5d%n", e.getKey().label, v[0] + v[1] + v[2], v[0], v[1], v[2]));
                for (int i = 0; i < all.length; i++) {
                    all[i] += v[i];
                }
            }
            b.append(all[0] + all[1] + all[2]).append(" writes (").append(shell).append(" through bash, ").append(longLived)
                    .append(" on a long-lived fd) in ")
                    .append(String.format("%.1f s", seconds)).append(": ok ").append(all[0]).append(", EINVAL ").append(all[1])
                    .append(", E2BIG ").append(all[2]).append("; listings compared ").append(listings).append(" (")
                    .append(cats).append(" by cat); findings ").append(findings).append('\n').append(rows);
            b.append("  queries (model):\n");
            coverage.forEach((k, v) -> b.append(String.format("    %-44s %6d%n", k, v)));
            return b.toString();
        }
    }
}
