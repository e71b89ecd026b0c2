package dev.dyndbgd.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance, with real processes: a daemon mounted with FUSE, the example program
 * registering module hello over the socket, and bash writing to and reading control.
 */
class HelloEndToEndTest {
    @TempDir
    Path work;
    private final List<Process> processes = new ArrayList<>();

    /** One line a process printed, with when it arrived. */
    record Line(long nanos, String text) {
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        Path mnt = work.resolve("mnt");
        if (Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ")) {
            new ProcessBuilder("fusermount", "-u", "-z", mnt.toString()).start().waitFor();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process start(List<String> cmd, List<Line> stderr, Path stdout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile());
        Process p = pb.start();
        processes.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    stderr.add(new Line(System.nanoTime(), l));
                }
            } catch (IOException e) {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private Process daemon(List<Line> log) throws Exception {
        Files.createDirectories(work.resolve("empty"));
        Process d = start(List.of(java(), "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.dyndbgd.daemon.Main",
                "--mount", work.resolve("mnt").toString(), "--socket", work.resolve("sock").toString(),
                "--state-file", work.resolve("state").toString(), "--load", work.resolve("empty").toString()),
                log, work.resolve("daemon.out"));
        await(() -> Files.exists(work.resolve("daemon.out")) && read(work.resolve("daemon.out")).contains("serving ")
                || log.stream().anyMatch(l -> l.text().contains("serving ")), 30_000, "daemon mounted");
        return d;
    }

    /** The example as a user runs it, but from the build's classes: Hello, the client library, the SLF4J API only. */
    private Process hello(List<Line> stderr, String who) throws IOException {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> e.contains("examples") && e.endsWith("classes") && !e.endsWith("test-classes")
                        || e.contains("client") || e.contains("slf4j-api"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
        return start(List.of(java(), "-Dslf4j.internal.verbosity=ERROR", "-Ddyndbgd.socket=" + work.resolve("sock"),
                "-cp", cp, "dev.dyndbgd.examples.Hello", who, "20"), stderr, work.resolve("hello-" + who + ".out"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static String sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), script + ": " + out);
        return out;
    }

    private static void await(BooleanSupplier ok, long millis, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            Thread.sleep(5);
        }
    }

    /** The line of the first {@code NAME.printf(} in Hello.java, and the method it is in. */
    private static int lineOf(String statement) throws IOException {
        List<String> src = Files.readAllLines(Path.of("src/main/java/dev/dyndbgd/examples/Hello.java"));
        for (int i = 0; i < src.size(); i++) {
            if (src.get(i).contains(statement + ".printf(")) {
                return i + 1;
            }
        }
        throw new AssertionError(statement);
    }

    @Test
    void helloIsListedObeysControlWithin100msLeavesWhenKilledAndGetsItsFlagsBack() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")) || System.getenv("CI") != null, "no /dev/fuse");
        List<Line> daemonLog = new CopyOnWriteArrayList<>();
        daemon(daemonLog);
        Path control = work.resolve("mnt/control");
        List<Line> out = new CopyOnWriteArrayList<>();
        Process hello = hello(out, "tester");
        await(() -> read(control).contains("[hello]"), 10_000, "hello registered");

        String listed = sh("grep '\\[hello\\]' " + control);
        String file = "dev/dyndbgd/examples/Hello.java";
        assertEquals(file + ":" + lineOf("SLOW") + " [hello]main =_ \"round %d took %d us\\n\" class:TIMING\n"
                + file + ":" + lineOf("GREETING") + " [hello]greet =_ \"greeting %s, round %d\\n\"\n"
                + file + ":" + lineOf("EVEN") + " [hello]greet =_ \"round %d is even\\n\"\n", listed);
        Thread.sleep(100);
        assertEquals(List.of(), out, "nothing prints while disabled");

        sh("echo 'module hello +pmfl' > " + control);
        long written = System.nanoTime();
        String greeting = "hello:greet:" + lineOf("GREETING") + ": greeting tester, round ";
        await(() -> out.stream().anyMatch(l -> l.text().startsWith(greeting)), 5_000, "decorated output");
        Line first = out.stream().filter(l -> l.text().startsWith(greeting)).findFirst().orElseThrow();
        long latencyMs = (first.nanos() - written) / 1_000_000;
        assertTrue(latencyMs < 100, "first decorated line " + latencyMs + " ms after the write");
        assertTrue(out.stream().noneMatch(l -> l.text().contains("took")), "class TIMING needs its own query: " + out);

        hello.destroyForcibly().waitFor();
        await(() -> !read(control).contains("[hello]"), 5_000, "module removed when the program dies");

        List<Line> again = new CopyOnWriteArrayList<>();
        hello(again, "again");
        await(() -> read(control).contains("[hello]greet =pmfl"), 10_000, "flags restored on re-registration");
        String greetingAgain = "hello:greet:" + lineOf("GREETING") + ": greeting again";
        await(() -> again.stream().anyMatch(l -> l.text().startsWith(greetingAgain)),
                5_000, "restarted program prints at once");
        assertTrue(sh("cat " + control).contains("[hello]main =_ \"round %d took %d us\\n\" class:TIMING"));
    }
}
