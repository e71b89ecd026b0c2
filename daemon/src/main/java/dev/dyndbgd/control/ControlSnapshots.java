package dev.dyndbgd.control;

import dev.dyndbgd.table.TableRegistry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 *
 * <p>Memory is bounded whatever the number of readers: the daemon runs on a small heap, and a
 * rendering is megabytes. Only one reader at a time records (the first to start a version that is
 * not cached); every other reader streams from its own {@link ControlStream}, which holds one chunk.
 * The recording and the cached text are fixed-size pages, so growing never doubles and copies a
 * buffer, and finishing never copies the whole text again. At any moment the cache holds either one
 * recording in progress or one finished text, never both: a recording only starts when the cached
 * text is of an older version, which no later open can use.
 */
public final class ControlSnapshots implements AutoCloseable {
    private static final long IDLE_DROP_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** A recorder this long without a read is taken to be abandoned (an open fd nobody reads). */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int PAGE_SHIFT = 16;
    /** 64 KiB: big enough that the page list stays short, small enough that the last page wastes little. */
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    private final TableRegistry registry;
    private final long stallNanos;
    private final ScheduledExecutorService evictor;
    /**
     * Guards claiming, publishing and dropping, and every write to a {@link Recording}. These happen
     * once per recording or once per read of the one recorder, so the lock is barely contended;
     * holding it across the check and the change is what keeps "one recording or one text" true.
     */
    private final Object lock = new Object();
    /** The finished text; written under {@link #lock}, read without it by {@link #open()}. */
    private volatile Snapshot last;
    /** The one recording in progress, or null; guarded by {@link #lock}. */
    private Recording recording;
    /** Guarded by {@link #lock}. */
    private long recordingsStarted;

    /** A finished rendering: pages of {@link #PAGE_SIZE} bytes, the last one trimmed to what it holds. */
    private static final class Snapshot {
        final long version;
        final byte[][] pages;
        final long length;
        final long bytesHeld;
        volatile long lastUse;

        Snapshot(long version, byte[][] pages, long length, long now) {
            this.version = version;
            this.pages = pages;
            this.length = length;
            long held = 0;
            for (byte[] p : pages) {
                held += p.length;
            }
            this.bytesHeld = held;
            this.lastUse = now;
        }

        /** Readers share the pages; each read copies only what it asked for, across page edges. */
        int copy(long offset, byte[] dst) {
            if (offset < 0 || offset >= length) {
                return 0;
            }
            int n = (int) Math.min(dst.length, length - offset);
            int done = 0;
            while (done < n) {
                long pos = offset + done;
                byte[] page = pages[(int) (pos >>> PAGE_SHIFT)];
                int in = (int) (pos & PAGE_MASK);
                int k = Math.min(n - done, page.length - in);
                System.arraycopy(page, in, dst, done, k);
                done += k;
            }
            return n;
        }
    }

    /**
     * The claim to record one version, and the bytes so far. The object itself is the owner's token:
     * a recorder whose object is no longer {@link #recording} has lost its claim. All fields are
     * guarded by {@link #lock}, so a taker can free the pages of a recorder that stopped reading.
     */
    private static final class Recording {
        final long version;
        List<byte[]> pages = new ArrayList<>();
        int lastFill = PAGE_SIZE; // bytes used in the last page; PAGE_SIZE means "start a new one"
        long length;
        long lastProgress;

        Recording(long version, long now) {
            this.version = version;
            this.lastProgress = now;
        }

        void append(byte[] src, int n) {
            int off = 0;
            while (off < n) {
                if (lastFill == PAGE_SIZE) {
                    pages.add(new byte[PAGE_SIZE]);
                    lastFill = 0;
                }
                int k = Math.min(n - off, PAGE_SIZE - lastFill);
                System.arraycopy(src, off, pages.get(pages.size() - 1), lastFill, k);
                lastFill += k;
                off += k;
            }
            length += n;
        }

        long bytesHeld() {
            return (long) pages.size() * PAGE_SIZE;
        }

        /** Gives the pages back now, not when the (maybe abandoned) reader holding us is closed. */
        void discard() {
            pages = List.of();
            lastFill = PAGE_SIZE;
            length = 0;
        }

        Snapshot finish(long now) {
            byte[][] out = pages.toArray(new byte[0][]);
            if (out.length > 0 && lastFill < PAGE_SIZE) {
                // Trimmed once here, so the cache holds the text's size and not up to a page more.
                out[out.length - 1] = Arrays.copyOf(out[out.length - 1], lastFill);
            }
            long len = length;
            discard();
            return new Snapshot(version, out, len, now);
        }
    }

    public ControlSnapshots(TableRegistry registry) {
        this(registry, STALL_NANOS);
    }

    /** With another stall timeout, so tests of an abandoned recorder need not wait a second. */
    ControlSnapshots(TableRegistry registry, long stallNanos) {
        this.registry = registry;
        this.stallNanos = stallNanos;
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
        if (s != null) {
            if (s.version == version) {
                s.lastUse = System.nanoTime();
                return s::copy;
            }
            // Versions only grow, so no later open can use this text: let it go now, not at idle drop.
            synchronized (lock) {
                if (last == s) {
                    last = null;
                }
            }
        }
        return new RenderingReader(version);
    }

    /** Drops the cached rendering and any recording in progress (reclaim); returns the bytes given back. */
    public long drop() {
        synchronized (lock) {
            long held = heldLocked();
            last = null;
            if (recording != null) {
                recording.discard();
                recording = null;
            }
            return held;
        }
    }

    /** Bytes held by the cache now, finished or being recorded (for statistics). */
    public long cachedBytes() {
        synchronized (lock) {
            return heldLocked();
        }
    }

    /** How many recordings have been started, finished or not (for tests and statistics). */
    public long recordingsStarted() {
        synchronized (lock) {
            return recordingsStarted;
        }
    }

    private long heldLocked() {
        Snapshot s = last;
        return (s == null ? 0 : s.bytesHeld) + (recording == null ? 0 : recording.bytesHeld());
    }

    private void dropIfIdle() {
        synchronized (lock) {
            long now = System.nanoTime();
            Snapshot s = last;
            if (s != null && now - s.lastUse > IDLE_DROP_NANOS) {
                last = null;
            }
            if (recording != null && now - recording.lastProgress > IDLE_DROP_NANOS) {
                recording.discard();
                recording = null;
            }
        }
    }

    /**
     * Claims the recording of {@code version} for a reader starting at offset 0, or returns null if
     * it should only stream: its version is no longer current, the version is cached already, or a
     * live recorder has it. A recorder of an older version, or one silent for {@link #stallNanos},
     * is taken over: otherwise one abandoned open would stop caching for good.
     */
    private Recording claim(long version) {
        synchronized (lock) {
            if (registry.version() != version) {
                return null;
            }
            Snapshot s = last;
            if (s != null && s.version == version) {
                return null;
            }
            long now = System.nanoTime();
            Recording cur = recording;
            if (cur != null) {
                if (cur.version == version && now - cur.lastProgress <= stallNanos) {
                    return null;
                }
                cur.discard();
            }
            last = null; // older than version (checked above), so no open can use it any more
            recording = new Recording(version, now);
            recordingsStarted++;
            return recording;
        }
    }

    /**
     * Adds what the recorder just read; publishes the text at the end. Returns false once the
     * recorder should stop recording: it finished, lost its claim, or its version went stale (then
     * the claim is released at once, so a reader of the new version can record).
     */
    private boolean record(Recording mine, byte[] src, int n, boolean atEnd) {
        synchronized (lock) {
            if (recording != mine) {
                return false;
            }
            if (registry.version() != mine.version) {
                mine.discard();
                recording = null;
                return false;
            }
            long now = System.nanoTime();
            mine.append(src, n);
            mine.lastProgress = now;
            if (atEnd) {
                // Version unchanged from the claim (after the stream was opened) to here, and versions
                // only grow: every chunk was rendered from this version's state.
                last = mine.finish(now);
                recording = null;
                return false;
            }
            return true;
        }
    }

    private void release(Recording mine) {
        synchronized (lock) {
            if (recording == mine) {
                mine.discard();
                recording = null;
            }
        }
    }

    /**
     * Renders with a {@link ControlStream} (restarting it for a backward seek, like seq_file) and, if
     * it holds the claim and reads straight through to the end of an unchanged version, keeps the
     * text for others.
     */
    private final class RenderingReader implements ControlReader {
        private final long version;
        private ControlStream cursor;
        private Recording mine; // non-null while this reader may be the recorder

        RenderingReader(long version) {
            this.version = version;
        }

        @Override
        public synchronized int read(long offset, byte[] dst) {
            if (cursor == null || offset < cursor.position()) {
                giveUp();
                cursor = new ControlStream(registry);
                if (offset == 0) {
                    // After the stream is opened, so the claim's version check covers its table list.
                    mine = claim(version);
                }
            }
            if (offset > cursor.position()) {
                giveUp(); // skipped bytes are not recorded: this pass cannot be cached
                cursor.skip(offset - cursor.position());
            }
            int total = 0;
            while (total < dst.length) {
                int n = cursor.read(dst, total, dst.length - total);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            if (mine != null && !record(mine, dst, total, total < dst.length)) {
                mine = null;
            }
            return total;
        }

        private void giveUp() {
            if (mine != null) {
                release(mine);
                mine = null;
            }
        }
    }

    @Override
    public void close() {
        evictor.shutdownNow();
        drop();
    }
}
