package dev.dyndbgd.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.StampedLock;

/**
 * The lock of one size class: a {@link StampedLock} used as a plain read/write lock, plus a
 * count of threads that had to wait for it. Compaction holds the write lock for long stretches
 * and polls {@link #contended()} to step aside, as the kernel's compaction loop does with
 * rwlock_is_contended(); StampedLock itself does not expose its queue.
 */
final class ClassLock {
    private final StampedLock lock = new StampedLock();
    private final AtomicInteger waiting = new AtomicInteger();

    long write() {
        long stamp = lock.tryWriteLock();
        if (stamp != 0) {
            return stamp;
        }
        waiting.incrementAndGet();
        try {
            return lock.writeLock();
        } finally {
            waiting.decrementAndGet();
        }
    }

    long read() {
        long stamp = lock.tryReadLock();
        if (stamp != 0) {
            return stamp;
        }
        waiting.incrementAndGet();
        try {
            return lock.readLock();
        } finally {
            waiting.decrementAndGet();
        }
    }

    void unlockWrite(long stamp) {
        lock.unlockWrite(stamp);
    }

    void unlockRead(long stamp) {
        lock.unlockRead(stamp);
    }

    boolean contended() {
        return waiting.get() > 0;
    }
}
