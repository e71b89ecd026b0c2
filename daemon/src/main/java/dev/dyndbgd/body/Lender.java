package dev.dyndbgd.body;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Working objects (read buffers, decompression contexts) lent to whichever thread needs one and
 * taken back after use. Per-thread copies would pile up: every thread that ever reads (FUSE
 * workers, program connections, the evictors) would keep its own. A lender keeps as many as were ever in
 * use at once, and counts what they hold so the statistics can report it.
 */
final class Lender<T> {
    private final ConcurrentLinkedDeque<T> idle = new ConcurrentLinkedDeque<>();
    private final Supplier<T> make;
    private final long bytesEach;
    private final AtomicLong bytes = new AtomicLong();

    /** @param bytesEach what one object keeps resident when made (growth is reported with {@link #grew}) */
    Lender(Supplier<T> make, long bytesEach) {
        this.make = make;
        this.bytesEach = bytesEach;
    }

    T borrow() {
        T t = idle.pollFirst();
        if (t == null) {
            t = make.get();
            bytes.addAndGet(bytesEach);
        }
        return t;
    }

    /** Returns a borrowed object; the most recently used is lent next (its memory is warm). */
    void giveBack(T t) {
        idle.offerFirst(t);
    }

    /** A lent object now keeps {@code delta} more bytes (a buffer that had to grow). */
    void grew(long delta) {
        bytes.addAndGet(delta);
    }

    /** Bytes all objects made so far keep (none is ever dropped). */
    long bytes() {
        return bytes.get();
    }
}
