package dev.dyndbgd.footprint;

import dev.dyndbgd.fuse.FuseMount;
import dev.dyndbgd.fuse.MountTable;
import dev.dyndbgd.memory.ProcessMemory;
import dev.dyndbgd.mount.FuseRequirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The daemon's footprint as {@code top} sees it: the packaged jar started by the real launcher
 * ({@code bin/dyndbgd}, so with the JVM options and environment the unit uses) on the whole real
 * module set, its resident set read from {@code /proc} at rest, after 32 readers and 8 writers
 * hammered control with real {@code cat} and {@code echo} processes, and after it went quiet again.
 *
 * <p>A guard against regressions, not a benchmark: the bounds sit well above the figures measured
 * with {@code bin/bench footprint} (docs/benchmarks.md), far below what the daemon used before it
 * was sized to its data (550 MB at rest, 1.5 GB under the same load).
 */
@Timeout(240)
class FootprintIT {
    static final long MB = 1_000_000;
    /** Measured about 63 MB at rest; before, 550 MB. */
    static final long REST_LIMIT = 80 * MB;
    /** Measured under 128 MB; before, 1.5 GB. */
    static final long PEAK_LIMIT = 160 * MB;
    /** Back to within this of the at-rest figure once quiet. */
    static final long SETTLED_SLACK = 8 * MB;

    @TempDir
    Path work;

    @Test
    void staysLeanAtRestUnderLoadAndAfter() throws Exception {
        String modules = System.getProperty("dyndbgd.realModules", "");
        assumeTrue(!modules.isEmpty() && Files.isDirectory(Path.of(modules)),
                "real module set not fetched (scripts/fetch-real-modules); -Ddyndbgd.realModules");
        FuseRequirements.check();
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path jar = repo.resolve("daemon/target/dyndbgd.jar");
        assertTrue(Files.isRegularFile(jar), "the packaged jar: " + jar);
        Path mount = work.resolve("mnt");
        Path log = work.resolve("daemon.log");
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/dyndbgd").toString(), "--mount", mount.toString(),
                "--state-file", work.resolve("state").toString(), "--socket", work.resolve("s.sock").toString(),
                "--load", modules).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DYNDBGD_JAR", jar.toString());
        pb.environment().remove("DYNDBGD_JAVA_OPTS");
        pb.environment().remove("MALLOC_ARENA_MAX");
        Process launcher = pb.start();
        try {
            awaitServing(launcher, log);
            long pid = launcher.pid(); // the launcher execs java: same process
            Thread.sleep(3000);
            ProcessMemory rest = ProcessMemory.of(pid);
            System.out.printf("footprint: at rest VmRSS %s, VmHWM %s%n", ProcessMemory.mb(rest.rssBytes()),
                    ProcessMemory.mb(rest.peakBytes()));
            assertTrue(rest.rssBytes() > 0, "VmRSS read from /proc/" + pid + "/status");
            assertTrue(rest.rssBytes() <= REST_LIMIT, "at rest: " + ProcessMemory.mb(rest.rssBytes()));
            assertTrue(rest.peakBytes() <= PEAK_LIMIT, "peak while loading: " + ProcessMemory.mb(rest.peakBytes()));

            String stats = Files.readString(mount.resolve("stats"), StandardCharsets.ISO_8859_1);
            assertTrue(stats.contains("process resident (VmRSS)"), stats);

            hammer(mount, 3);
            ProcessMemory loaded = ProcessMemory.of(pid);
            System.out.printf("footprint: after 32 readers and 8 writers VmRSS %s, VmHWM %s%n",
                    ProcessMemory.mb(loaded.rssBytes()), ProcessMemory.mb(loaded.peakBytes()));
            assertTrue(loaded.peakBytes() <= PEAK_LIMIT, "peak under load: " + ProcessMemory.mb(loaded.peakBytes()));

            // Quiet again: the daemon settles within a minute (idle check, control cache dropped after 30 s).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
            ProcessMemory now = ProcessMemory.of(pid);
            while (now.rssBytes() > rest.rssBytes() + SETTLED_SLACK && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                now = ProcessMemory.of(pid);
            }
            System.out.printf("footprint: quiet again VmRSS %s%n", ProcessMemory.mb(now.rssBytes()));
            assertTrue(now.rssBytes() <= rest.rssBytes() + SETTLED_SLACK,
                    "back near rest (" + ProcessMemory.mb(rest.rssBytes()) + "): " + ProcessMemory.mb(now.rssBytes()));
            assertTrue(launcher.isAlive(), Files.readString(log));
        } finally {
            launcher.destroy();
            if (!launcher.waitFor(30, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
            if (MountTable.at(mount).isPresent()) {
                FuseMount.detach(mount);
            }
        }
    }

    private static void awaitServing(Process p, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            if (text.contains("serving ")) {
                return;
            }
            assertTrue(p.isAlive(), "daemon exited:\n" + text);
            Thread.sleep(50);
        }
        throw new IOException("daemon did not mount in 60 s:\n" + Files.readString(log));
    }

    /** 32 shells reading control and 8 writing to it, each for the given seconds; all must succeed. */
    private static void hammer(Path mount, int seconds) throws Exception {
        String control = mount.resolve("control").toString();
        String end = "end=$((SECONDS+" + seconds + ")); ";
        List<Process> shells = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            shells.add(new ProcessBuilder("bash", "-c", end + "while [ $SECONDS -lt $end ]; do cat " + control
                    + " > /dev/null || exit 1; done").start());
        }
        for (int i = 0; i < 8; i++) {
            shells.add(new ProcessBuilder("bash", "-c", end + "while [ $SECONDS -lt $end ]; do echo 'module usbcore =p' > "
                    + control + " && echo 'module usbcore =_' > " + control + " || exit 1; done").start());
        }
        for (Process s : shells) {
            assertTrue(s.waitFor(seconds + 60L, TimeUnit.SECONDS), "a shell did not finish");
            assertEquals(0, s.exitValue(), new String(s.getErrorStream().readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }
}
