package dev.dyndbgd.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real dyndbgd process (the Main class on the test class path), mounted at a temporary directory,
 * plus the shell the tests drive it with: real {@code sh}, {@code echo}, {@code cat} processes.
 */
public final class DaemonProcess implements AutoCloseable {
    public final Path mount;
    public final Path log;
    private final Process process;

    private DaemonProcess(Path mount, Path log, Process process) {
        this.mount = mount;
        this.log = log;
        this.process = process;
    }

    public static DaemonProcess start(Path work, String... args) throws IOException, InterruptedException {
        return start(work, java.util.Map.of(), args);
    }

    /** As {@link #start(Path, String...)}, with {@code env} added to the daemon's environment (a locale, say). */
    public static DaemonProcess start(Path work, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path mount = work.resolve("mnt");
        Path log = work.resolve("daemon-" + System.nanoTime() + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.dyndbgd.daemon.Main", "--mount", mount.toString()));
        if (!List.of(args).contains("--state-file")) {
            cmd.addAll(List.of("--state-file", work.resolve("state").toString()));
        }
        if (!List.of(args).contains("--socket")) {
            cmd.addAll(List.of("--socket", socketOf(work).toString()));
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        DaemonProcess d = new DaemonProcess(mount, log, p);
        d.awaitMounted(Duration.ofSeconds(30));
        return d;
    }

    private void awaitMounted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("daemon exited with " + process.exitValue() + ":\n" + logText());
            }
            if (logText().contains("serving ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("daemon did not mount in " + timeout + ":\n" + logText());
    }

    /** Where a daemon started in {@code work} listens for programs. */
    public static Path socketOf(Path work) {
        return work.resolve("dyndbgd.sock");
    }

    public String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    public Path control() {
        return mount.resolve("control");
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** kill -9: no unmount, no goodbye. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate();
        }
        // A test that killed the daemon (or failed before restarting it) must not leave a dead mount.
        try {
            if (dev.dyndbgd.fuse.MountTable.at(mount).isPresent()) {
                dev.dyndbgd.fuse.FuseMount.detach(mount);
            }
        } catch (IOException e) {
            // nothing more a test can do; the next run's stale-mount recovery will clean it up
        }
    }

    /** Result of a shell command. */
    public record Shell(int exit, String out, String err) {
    }

    /** Runs a script in bash, whose echo reports a failed write as "write error: <strerror>". */
    public static Shell sh(String script) throws IOException, InterruptedException {
        return run(List.of("bash", "-c", script));
    }

    public static Shell run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        // Drain stderr on its own thread so neither pipe can fill up and stall the child.
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] o = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Shell(p.exitValue(), new String(o, StandardCharsets.ISO_8859_1), new String(err.join(), StandardCharsets.ISO_8859_1));
    }
}
