package dev.dyndbgd.mount;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programs in another language, as real processes: a C client written from docs/protocol.md alone
 * (compiled here with gcc). 200 of them register 100 sites each at once with a mounted daemon, a
 * write to control reaches every one through its read-only mapping, a name already held is refused,
 * and when they exit their modules go.
 */
class CProgramsEndToEndTest {
    private static final int PROGRAMS = 200;
    private static final int SITES = 100;

    @TempDir
    Path work;

    @BeforeAll
    static void requirements() {
        FuseRequirements.check();
    }

    /** Builds the C client from the test resources into {@code work}; skips (or fails under CI) without gcc. */
    static Path compileClient(Path work) throws IOException, InterruptedException {
        boolean haveGcc = DaemonProcess.sh("command -v gcc").exit() == 0;
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(haveGcc, "CI must have gcc (bin/test installs it)");
        }
        Assumptions.assumeTrue(haveGcc, "gcc is not installed");
        Path src = work.resolve("ddclient.c");
        try (InputStream in = CProgramsEndToEndTest.class.getResourceAsStream("/program/ddclient.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path bin = work.resolve("ddclient");
        DaemonProcess.Shell cc = DaemonProcess.run(List.of("gcc", "-O2", "-Wall", "-Werror", "-o", bin.toString(), src.toString()));
        assertEquals(0, cc.exit(), cc.err());
        return bin;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(java.util.function.BooleanSupplier ok, long millis, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void twoHundredCProgramsRegisterObeyControlAndLeave() throws Exception {
        Path client = compileClient(work);
        Path empty = Files.createDirectories(work.resolve("empty"));
        try (DaemonProcess d = DaemonProcess.start(work, "--load", empty.toString())) {
            String socket = DaemonProcess.socketOf(work).toString();
            List<Process> programs = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < PROGRAMS; i++) {
                Path out = work.resolve("out" + i);
                outputs.add(out);
                programs.add(new ProcessBuilder(client.toString(), socket, "cprog" + i, Integer.toString(SITES), "30000")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start());
            }
            try {
                await(() -> outputs.stream().allMatch(o -> read(o).startsWith("REGISTERED " + SITES)), 60_000,
                        "all programs registered");
                String control = DaemonProcess.sh("cat " + d.control()).out();
                long lines = control.lines().filter(l -> l.contains(" [cprog")).count();
                assertEquals((long) PROGRAMS * SITES, lines);
                assertTrue(control.contains("c/cprog7.c:1 [cprog7]work =_ \"cprog7 message 99\\n\"\n"), "listed from the C client's table");

                DaemonProcess.Shell thief = DaemonProcess.run(List.of(client.toString(), socket, "cprog7", "1", "100"));
                assertEquals(2, thief.exit(), thief.out());
                assertTrue(thief.out().startsWith("ERROR 17 module cprog7 is already held by program pid " + programs.get(7).pid()),
                        thief.out());

                assertEquals(0, DaemonProcess.sh("echo 'module cprog* +p' > " + d.control()).exit());
                for (int i = 0; i < PROGRAMS; i++) {
                    Process p = programs.get(i);
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "program " + i + " still waiting");
                    assertEquals(0, p.exitValue(), "program " + i + ": " + read(outputs.get(i)));
                    assertTrue(read(outputs.get(i)).contains("ENABLED after"), read(outputs.get(i)));
                }
                await(() -> {
                    try {
                        return !DaemonProcess.sh("cat " + d.control()).out().contains("[cprog");
                    } catch (IOException | InterruptedException e) {
                        return false;
                    }
                }, 10_000, "every program's module removed after it exited");
                assertTrue(d.logText().contains("module cprog7 is already held"), "the refusal is logged with its reason");
            } finally {
                programs.forEach(Process::destroyForcibly);
            }
        }
    }
}
