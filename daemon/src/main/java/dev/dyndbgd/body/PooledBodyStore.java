package dev.dyndbgd.body;

import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.SiteBody;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One table's bodies in the shared pool: per block its first site index and pool handle, plus the
 * decoded bodies of pinned (enabled) sites. A site is either pinned (its body decoded here) or not
 * (its body only in its block): the cache never holds disabled sites.
 */
final class PooledBodyStore implements BodyStore {
    private final PooledBodies shared;
    private final String module;
    private volatile int[] blockStart;   // blockStart[b] = first site of block b; last entry = size
    private volatile long[] locations;     // where block b is in the segment log
    private volatile Map<Integer, SiteBody> pinned; // null until a site is enabled
    private volatile boolean released;
    private long rawBytes;
    private long storedBytes;

    PooledBodyStore(PooledBodies shared, String module, int[] blockStart, long[] locations, long rawBytes, long storedBytes) {
        this.shared = shared;
        this.module = module;
        this.blockStart = blockStart;
        this.locations = locations;
        this.rawBytes = rawBytes;
        this.storedBytes = storedBytes;
    }

    String module() {
        return module;
    }

    @Override
    public int size() {
        int[] s = blockStart;
        return s[s.length - 1];
    }

    @Override
    public SiteBody body(int index) {
        Map<Integer, SiteBody> p = pinned;
        if (p != null) {
            SiteBody b = p.get(index);
            if (b != null) {
                return b;
            }
        }
        return map(index);
    }

    @Override
    public void forEach(int from, int to, BodyVisitor visitor) {
        if (from >= to) {
            return;
        }
        SiteBody[] decoded;
        int first;
        int b;
        shared.lock().readLock().lock();
        try {
            if (released) {
                throw new IllegalStateException(module + " was removed");
            }
            int[] starts = blockStart;
            b = Arrays.binarySearch(starts, 0, starts.length - 1, from);
            if (b < 0) {
                b = -b - 2;
            }
            Map<Integer, SiteBody> p = pinned;
            for (; b < starts.length - 1 && starts[b] < to; b++) {
                first = starts[b];
                int lo = Math.max(from, first);
                int hi = Math.min(to, starts[b + 1]);
                if (allPinned(p, lo, hi)) { // every wanted site is mapped already: no decompression
                    for (int i = lo; i < hi; i++) {
                        visitor.visit(i, p.get(i));
                    }
                    continue;
                }
                int[] len = new int[1];
                byte[] raw = shared.loadBlock(locations[b], len);
                decoded = BlockLayout.decodeAll(raw, len[0]);
                for (int i = lo; i < hi; i++) {
                    visitor.visit(i, decoded[i - first]);
                }
            }
        } finally {
            shared.lock().readLock().unlock();
        }
    }

    private static boolean allPinned(Map<Integer, SiteBody> p, int lo, int hi) {
        if (p == null || p.size() < hi - lo) {
            return false;
        }
        for (int i = lo; i < hi; i++) {
            if (!p.containsKey(i)) {
                return false;
            }
        }
        return true;
    }

    /** Decompresses the site's block and decodes its record. */
    private SiteBody map(int index) {
        shared.lock().readLock().lock();
        try {
            if (released) {
                throw new IllegalStateException(module + " was removed");
            }
            int[] starts = blockStart;
            int b = Arrays.binarySearch(starts, 0, starts.length - 1, index);
            if (b < 0) {
                b = -b - 2;
            }
            if (index < 0 || index >= starts[starts.length - 1]) {
                throw new IndexOutOfBoundsException(module + ": site " + index);
            }
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(locations[b], len);
            return BlockLayout.decode(raw, len[0], index - starts[b]);
        } finally {
            shared.lock().readLock().unlock();
        }
    }

    @Override
    public void pin(int index) {
        Map<Integer, SiteBody> p = pinned;
        if (p == null) {
            synchronized (this) {
                if (pinned == null) {
                    pinned = new ConcurrentHashMap<>();
                }
                p = pinned;
            }
        }
        p.computeIfAbsent(index, this::map);
    }

    @Override
    public void unpin(int index) {
        Map<Integer, SiteBody> p = pinned;
        if (p != null) {
            p.remove(index);
        }
    }

    int pinnedCount() {
        Map<Integer, SiteBody> p = pinned;
        return p == null ? 0 : p.size();
    }

    int blockCount() {
        return locations.length;
    }

    /** The block index arrays (array headers included). */
    long indexBytes() {
        return 16L + 4L * blockStart.length + 16L + 8L * locations.length;
    }

    /** Estimated heap held by decoded pinned bodies (entry, record and strings). */
    long cacheBytes() {
        Map<Integer, SiteBody> p = pinned;
        if (p == null) {
            return 0;
        }
        long n = 0;
        for (SiteBody b : p.values()) {
            n += 48 + 24 + 3 * 40L + b.file().length() + b.function().length() + b.format().length();
        }
        return n;
    }

    void forEachRawBlock(Consumer<byte[]> sink) {
        long[] h = locations;
        for (long handle : h) {
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(handle, len);
            sink.accept(Arrays.copyOf(raw, len[0]));
        }
    }

    List<SiteBody> allBodies() {
        List<SiteBody> out = new ArrayList<>(size());
        long[] h = locations;
        for (long handle : h) {
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(handle, len);
            out.addAll(Arrays.asList(BlockLayout.decodeAll(raw, len[0])));
        }
        return out;
    }

    /** Takes over a recompressed copy's blocks and frees its own; caller holds the write lock. */
    void replaceBlocks(PooledBodyStore fresh) {
        long[] old = locations;
        blockStart = fresh.blockStart;
        locations = fresh.locations;
        for (long h : old) {
            shared.segments().free(h);
        }
        shared.released(rawBytes, storedBytes);
        rawBytes = fresh.rawBytes;
        storedBytes = fresh.storedBytes;
    }

    /** Moves blocks out of mostly dead segments; caller holds the shared write lock. */
    void relocateSparseBlocks() {
        long[] h = locations;
        for (int b = 0; b < h.length; b++) {
            if (shared.segments().sparse(h[b])) {
                h[b] = shared.relocate(h[b]);
            }
        }
    }

    @Override
    public void release() {
        shared.lock().writeLock().lock();
        try {
            if (released) {
                return;
            }
            released = true;
            for (long h : locations) {
                shared.segments().free(h);
            }
            pinned = null;
            shared.released(rawBytes, storedBytes);
            shared.forget(this);
        } finally {
            shared.lock().writeLock().unlock();
        }
    }
}
