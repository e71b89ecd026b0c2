package dev.dyndbgd.fuse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A mounted {@link VirtualDirectory}: mounts with jnr-fuse (libfuse2, multi-threaded loop), returns
 * once the mount answers, and unmounts on {@link #close()}.
 *
 * <p>Before mounting it looks at the mount point: a stale mount left by a crashed server is detached
 * first; a live mount is refused, so two daemons never stack on one directory.
 */
public final class FuseMount implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

    private final Path mountPoint;
    private final VirtualFs fs;
    private volatile boolean mounted;

    private FuseMount(Path mountPoint, VirtualFs fs) {
        this.mountPoint = mountPoint;
        this.fs = fs;
    }

    /** Mounts {@code root} at {@code dir} (created if missing). */
    public static FuseMount mount(VirtualDirectory root, Path dir, MountOptions options) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        prepare(target);
        VirtualFs fs = new VirtualFs(root, currentUid(), currentGid());
        FuseMount m = new FuseMount(target, fs);
        String[] args = options.toArgs().toArray(String[]::new);
        // The loop runs on a thread of our own, in jnr-fuse's blocking mode. Its non-blocking mode
        // does the same but then waits a fixed 2 s for the loop to fail before calling the mount
        // good: two thirds of the daemon's start-up. Here the mount is good as soon as it answers
        // (awaitReady), and bad as soon as the loop ends without it.
        CompletableFuture<Void> loop = new CompletableFuture<>();
        Thread serving = new Thread(() -> {
            try {
                fs.mount(target, true, false, args);
                loop.complete(null);
            } catch (Throwable e) {
                loop.completeExceptionally(e);
            }
        }, "fuse-loop");
        serving.setDaemon(true);
        serving.start();
        m.mounted = true;
        m.awaitReady(loop);
        return m;
    }

    /** Files opened on the mount so far: a measure of activity for whoever watches the process's footprint. */
    public long opens() {
        return fs.opens();
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** Makes sure the directory exists and nothing live is mounted there; detaches a stale mount. */
    static void prepare(Path target) throws IOException {
        MountPointState state = MountPointState.of(target);
        switch (state) {
            case LIVE -> throw new IOException(target + " is already mounted and answering (another dyndbgd?); "
                    + "stop it or unmount it (fusermount -u " + target + ") first");
            case STALE -> {
                LOG.warn("{} holds a stale mount of a crashed server (Transport endpoint is not connected): detaching it", target);
                detach(target);
            }
            case FREE -> {
            }
        }
        Files.createDirectories(target);
    }

    /** Lazily detaches whatever FUSE mount is at {@code target}; true if nothing is mounted there afterwards. */
    public static boolean detach(Path target) throws IOException {
        for (List<String> cmd : List.of(List.of("fusermount", "-u", "-z", target.toString()),
                List.of("fusermount3", "-u", "-z", target.toString()), List.of("umount", "-l", target.toString()))) {
            if (MountTable.at(target).isEmpty()) {
                return true;
            }
            run(cmd);
        }
        return MountTable.at(target).isEmpty();
    }

    private void awaitReady(CompletableFuture<Void> loop) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (loop.isDone()) {
                close();
                Throwable why = loop.handle((ok, e) -> e).join();
                throw new IOException("cannot mount " + mountPoint + ": "
                        + (why == null ? "the FUSE loop ended at once" : rootMessage(why))
                        + " (is libfuse2 installed, /dev/fuse present, and the directory empty?)", why);
            }
            var entry = MountTable.at(mountPoint);
            if (entry.isPresent() && entry.get().fsType().startsWith("fuse")) {
                try {
                    Files.readAttributes(mountPoint, java.nio.file.attribute.BasicFileAttributes.class);
                    return;
                } catch (IOException notYet) {
                    // the kernel knows the mount but the loop is not serving yet
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the mount", e);
            }
        }
        close();
        throw new IOException("the mount at " + mountPoint + " did not answer within " + READY_TIMEOUT.toSeconds() + " s");
    }

    /**
     * Unmounts: a normal unmount first (it waits for the kernel to let go), a lazy one if the mount is
     * busy (an open file), so a stop never leaves the directory dead.
     */
    @Override
    public synchronized void close() {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            if (MountTable.at(mountPoint).isPresent()) {
                run(List.of("fusermount", "-u", mountPoint.toString()));
            }
            if (MountTable.at(mountPoint).isPresent()) {
                detach(mountPoint);
            }
        } catch (IOException e) {
            LOG.warn("unmounting {}: {}", mountPoint, e.getMessage());
        }
        // Let jnr-fuse forget the mount too, so its shutdown hook does not unmount a later one.
        fs.umount();
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            } else if (p.exitValue() != 0 && !out.isEmpty()) {
                LOG.debug("{}: {}", String.join(" ", cmd), out);
            }
        } catch (IOException e) {
            LOG.debug("{}: {}", String.join(" ", cmd), e.getMessage()); // tool not installed: try the next
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    static long currentUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    static long currentGid() {
        return new com.sun.security.auth.module.UnixSystem().getGid();
    }
}
