package dev.dyndbgd.pool;

/**
 * The newest kernel's per-class compaction (__zs_compact): keep a destination zspage (the
 * fullest non-full one, scanning 99% down to 10%) and feed it objects from source zspages (the
 * emptiest, scanning 10% up to 99%) until it is full, freeing every source that empties; stop
 * when the class has no whole zspage's worth of free slots left. Runs under the class's write
 * lock, stepping aside (dropping and retaking it) whenever a destination fills up or another
 * thread is waiting for the lock.
 */
final class Compactor {
    private Compactor() {
    }

    /** Compacts one class; returns the pages it gave back. */
    static long compact(SizeClass c) {
        long freed = 0;
        ZsPage dst = null;
        ZsPage src = null;
        long stamp = c.lock.write();
        try {
            while (c.freeablePages() > 0) {
                if (dst == null) {
                    dst = c.isolateDestination();
                    if (dst == null) {
                        break;
                    }
                }
                src = c.isolateSource();
                if (src == null) {
                    break;
                }
                // A mapped object pins its zspage; like the kernel's failed write-trylock, give up
                // on this class for this round rather than wait for the caller to unmap.
                if (src.pinned()) {
                    break;
                }
                c.migrate(src, dst);
                if (c.putBack(src) == FullnessGroup.EMPTY) {
                    freed += c.releaseEmptied(src);
                }
                src = null;
                if (c.isFull(dst) || c.lock.contended()) {
                    c.putBack(dst);
                    dst = null;
                    c.lock.unlockWrite(stamp);
                    stamp = 0;
                    Thread.yield();
                    stamp = c.lock.write();
                }
            }
            if (src != null) {
                c.putBack(src);
            }
            if (dst != null) {
                c.putBack(dst);
            }
        } finally {
            if (stamp != 0) {
                c.lock.unlockWrite(stamp);
            }
        }
        return freed;
    }
}
