package dev.dyndbgd.control;

import dev.dyndbgd.table.TableRegistry;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Opens readers of control, re-using the last complete rendering while nothing has changed.
 *
 * <p>Rendering the whole listing costs far more than copying it (tens of thousands of lines built
 * from their parts), and control is read much more often than it changes. So a reader that renders
 * the text to the end while the registry's {@link TableRegistry#version() version} stayed the same
 * leaves the bytes behind, and the next readers of that same version copy them. Any flag change or
 * table change makes a new version, so a cached text is never stale. The cache is dropped after a
 * while unused, so an idle daemon does not hold the rendered text.
 */
public final class ControlSnapshots implements AutoCloseable {
    private static final long IDLE_DROP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final TableRegistry registry;
    private final ScheduledExecutorService evictor;
    private volatile Snapshot last;

    private record Snapshot(long version, byte[] bytes, long[] lastUse) {
    }

    public ControlSnapshots(TableRegistry registry) {
        this.registry = registry;
        this.evictor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "control-cache-evictor");
            t.setDaemon(true);
            return t;
        });
        evictor.scheduleWithFixedDelay(this::dropIfIdle, 10, 10, TimeUnit.SECONDS);
    }

    public ControlReader open() {
        Snapshot s = last;
        long version = registry.version();
        if (s != null && s.version() == version) {
            s.lastUse()[0] = System.nanoTime();
            return (offset, dst) -> copy(s.bytes(), offset, dst);
        }
        return new RenderingReader(version);
    }

    /** Drops the cached rendering (reclaim); returns the bytes given back. */
    public long drop() {
        Snapshot s = last;
        last = null;
        return s == null ? 0 : s.bytes().length;
    }

    /** Bytes held by the cache now (for statistics). */
    public long cachedBytes() {
        Snapshot s = last;
        return s == null ? 0 : s.bytes().length;
    }

    private void dropIfIdle() {
        Snapshot s = last;
        if (s != null && System.nanoTime() - s.lastUse()[0] > IDLE_DROP_NANOS) {
            last = null;
        }
    }

    private static int copy(byte[] bytes, long offset, byte[] dst) {
        if (offset >= bytes.length) {
            return 0;
        }
        int n = (int) Math.min(dst.length, bytes.length - offset);
        System.arraycopy(bytes, (int) offset, dst, 0, n);
        return n;
    }

    /**
     * Renders with a {@link ControlStream} (restarting it for a backward seek, like seq_file) and, if
     * it reads straight through to the end of an unchanged version, keeps the text for others.
     */
    private final class RenderingReader implements ControlReader {
        private final long version;
        private ControlStream cursor;
        private ByteArrayOutputStream record = new ByteArrayOutputStream(1 << 16);

        RenderingReader(long version) {
            this.version = version;
        }

        @Override
        public synchronized int read(long offset, byte[] dst) {
            if (cursor == null || offset < cursor.position()) {
                cursor = new ControlStream(registry);
                record = offset == 0 ? new ByteArrayOutputStream(1 << 16) : null;
            }
            if (offset > cursor.position()) {
                cursor.skip(offset - cursor.position());
                record = null; // skipped bytes are not recorded: this pass cannot be cached
            }
            int total = 0;
            while (total < dst.length) {
                int n = cursor.read(dst, total, dst.length - total);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            if (record != null) {
                record.write(dst, 0, total);
                if (total < dst.length) { // reached the end
                    if (registry.version() == version) {
                        last = new Snapshot(version, record.toByteArray(), new long[]{System.nanoTime()});
                    }
                    record = null;
                }
            }
            return total;
        }
    }

    @Override
    public void close() {
        evictor.shutdownNow();
        last = null;
    }
}
