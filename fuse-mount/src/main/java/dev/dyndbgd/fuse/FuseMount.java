package dev.dyndbgd.fuse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A mounted {@link VirtualDirectory}, served by this project's own FUSE engine: the kernel's
 * protocol spoken on {@code /dev/fuse} ({@link FuseSession}, {@link FuseFileSystem}), no libfuse.
 * As root it opens the device and calls mount(2) itself; as another user it has fusermount3 (the
 * setuid helper every FUSE library uses) mount and pass the device back. It returns once the mount
 * answers, and unmounts on {@link #close()}.
 *
 * <p>Before mounting it looks at the mount point: a stale mount left by a crashed server is detached
 * first; a live mount is refused, so two daemons never stack on one directory.
 */
public final class FuseMount implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    /**
     * Worker threads blocked on the device. Requests are short (a control write or a read of
     * cached text), so two keep both cores busy; a third lets a request that waits for the
     * registry's lock (a batch in progress) not hold up the others.
     */
    static final int WORKERS = 3;
    /** Pages one READ may carry when the kernel's limit is unknown: the protocol's default, 128 KiB. */
    private static final int DEFAULT_MAX_PAGES = 32;
    /** The most pages asked for even where the kernel allows more: 1 MiB, what cat reads at a time. */
    private static final int WANTED_MAX_PAGES = 256;

    private final Path mountPoint;
    private final FuseFileSystem fs;
    private final boolean viaFusermount;
    private FuseSession session;
    private int fd = -1;
    private volatile boolean mounted;

    private FuseMount(Path mountPoint, FuseFileSystem fs, boolean viaFusermount) {
        this.mountPoint = mountPoint;
        this.fs = fs;
        this.viaFusermount = viaFusermount;
    }

    /** Pages a READ may carry here: this machine's limit, at most {@link #WANTED_MAX_PAGES}. */
    static int maxPages() {
        // Read as a stream: Files.readString sizes its read by the file's size, which procfs gives
        // as 0, and returned "2" of "256".
        try (var in = Files.newInputStream(Path.of("/proc/sys/fs/fuse/max_pages_limit"))) {
            String limit = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            return Math.max(1, Math.min(WANTED_MAX_PAGES, Integer.parseInt(limit)));
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_MAX_PAGES;
        }
    }

    /** Mounts {@code root} at {@code dir} (created if missing). */
    public static FuseMount mount(VirtualDirectory root, Path dir, MountOptions options) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        prepare(target);
        long uid = currentUid();
        long gid = currentGid();
        int maxPages = maxPages();
        int maxRead = maxPages * 4096; // the largest read asked of the daemon in one request
        FuseFileSystem fs = new FuseFileSystem(root, uid, gid, MountOptions.MAX_WRITE, maxPages);
        FuseMount m = new FuseMount(target, fs, uid != 0);
        m.fd = m.viaFusermount ? Fusermount.mount(target, options.fusermountOptions(maxRead))
                : kernelMount(target, options, uid, gid, maxRead);
        m.mounted = true;
        m.session = new FuseSession(m.fd, fs, MountOptions.MAX_WRITE, WORKERS);
        m.session.start();
        m.awaitReady();
        return m;
    }

    /** As root: open the device and mount it, as fusermount3 would. */
    private static int kernelMount(Path target, MountOptions options, long uid, long gid, int maxRead) throws IOException {
        int fd = Posix.LIBC.open("/dev/fuse", Posix.O_RDWR | Posix.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open /dev/fuse: " + Posix.describe(Posix.errno())
                    + " (load the fuse module: modprobe fuse; install fuse3)");
        }
        String data = options.kernelData(fd, uid, gid, maxRead);
        if (Posix.LIBC.mount(options.fsName(), target.toString(), "fuse." + options.fsName(),
                Posix.MS_NOSUID | Posix.MS_NODEV, data) != 0) {
            int errno = Posix.errno();
            Posix.LIBC.close(fd);
            throw new IOException("cannot mount " + target + ": mount(2) failed with " + Posix.describe(errno));
        }
        return fd;
    }

    /** Files opened on the mount so far: a measure of activity for whoever watches the process's footprint. */
    public long opens() {
        return fs.opens();
    }

    /** Gives back the megabyte buffers kept for large reads (the daemon does this when it settles). */
    public void releaseBuffers() {
        fs.large.clear();
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

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (session.finished()) {
                close();
                throw new IOException("cannot mount " + mountPoint + ": the kernel ended the FUSE session at once (see the log)");
            }
            var entry = MountTable.at(mountPoint);
            if (entry.isPresent() && entry.get().fsType().startsWith("fuse")) {
                try {
                    Files.readAttributes(mountPoint, java.nio.file.attribute.BasicFileAttributes.class);
                    return;
                } catch (IOException notYet) {
                    // the kernel knows the mount but the workers are not answering yet
                }
            }
            try {
                Thread.sleep(5);
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
     * busy (an open file), so a stop never leaves the directory dead. The workers then see the device
     * report ENODEV and stop; the descriptor is closed last.
     */
    @Override
    public synchronized void close() {
        if (!mounted) {
            return;
        }
        mounted = false;
        String target = mountPoint.toString();
        try {
            if (MountTable.at(mountPoint).isPresent()) {
                if (viaFusermount) {
                    if (!Fusermount.unmount(mountPoint, false)) {
                        Fusermount.unmount(mountPoint, true);
                    }
                } else if (Posix.LIBC.umount2(target, 0) != 0) {
                    int errno = Posix.errno();
                    LOG.debug("umount {}: {}; detaching it lazily", target, Posix.describe(errno));
                    Posix.LIBC.umount2(target, Posix.MNT_DETACH);
                }
            }
            if (MountTable.at(mountPoint).isPresent()) {
                detach(mountPoint);
            }
        } catch (IOException e) {
            LOG.warn("unmounting {}: {}", mountPoint, e.getMessage());
        }
        try {
            session.awaitFinished(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Posix.LIBC.close(fd);
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

    static long currentUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    static long currentGid() {
        return new com.sun.security.auth.module.UnixSystem().getGid();
    }
}
