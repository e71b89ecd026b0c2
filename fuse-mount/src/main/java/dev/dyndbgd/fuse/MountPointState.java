package dev.dyndbgd.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What is at a mount point before we mount there. */
public enum MountPointState {
    /** Nothing mounted there. */
    FREE,
    /** A FUSE mount whose server is gone ("Transport endpoint is not connected"): safe to detach. */
    STALE,
    /** A mount that answers: another daemon (or anything else) is using it. */
    LIVE;

    /** Looks at the mount table, and only when something is mounted there, at the directory itself. */
    public static MountPointState of(Path dir) throws IOException {
        Optional<MountTable.Entry> entry = MountTable.at(dir);
        if (entry.isEmpty()) {
            return FREE;
        }
        if (!entry.get().fsType().startsWith("fuse")) {
            return LIVE;
        }
        // Listing a dead FUSE mount fails at once with ENOTCONN (a stat may not: the kernel can answer
        // it from its attribute cache). A hung server could block, so ask on a helper thread and treat
        // no answer as a live (busy) mount rather than wait forever.
        ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mount-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<MountPointState> f = probe.submit(() -> {
                try {
                    Files.readAttributes(dir, BasicFileAttributes.class);
                    try (var entries = Files.newDirectoryStream(dir)) {
                        entries.iterator().hasNext();
                    }
                    return LIVE;
                } catch (IOException e) {
                    String m = String.valueOf(e.getMessage());
                    return m.contains("not connected") ? STALE : LIVE;
                }
            });
            return f.get(3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return LIVE;
        } catch (Exception e) {
            throw new IOException("cannot probe " + dir + ": " + e.getMessage(), e);
        } finally {
            probe.shutdownNow();
        }
    }
}
