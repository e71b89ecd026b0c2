package dev.dyndbgd.body;

import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.SiteBody;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One table's bodies in the shared pool: per block its first site index and pool handle, plus the
 * bodies of pinned (enabled) sites, uncompressed ({@link PinnedBodies}). A site is either pinned (its
 * body kept here) or not (its body only in its block): the cache never holds disabled sites.
 */
final class PooledBodyStore implements BodyStore {
    private final PooledBodies shared;
    private final String module;
    /*
     * The block index: blockStart[b] is the first site of block b (a last entry holds the size) and
     * locations[b] where the block is in the segment log. Most tables have a handful of sites and so
     * one block; for those the arrays are left out (null) and the one location is a field, since two
     * arrays would cost more than their contents.
     */
    private volatile int[] blockStart;
    private volatile long[] locations;
    private volatile long onlyLocation;
    private final int sites;
    private final PinnedBodies pinned = new PinnedBodies();
    private volatile boolean released;
    private long rawBytes;
    private long storedBytes;

    PooledBodyStore(PooledBodies shared, String module, int[] blockStart, long[] locations, long rawBytes, long storedBytes) {
        this.shared = shared;
        this.module = module;
        this.sites = blockStart[blockStart.length - 1];
        setIndex(blockStart, locations);
        this.rawBytes = rawBytes;
        this.storedBytes = storedBytes;
    }

    String module() {
        return module;
    }

    private void setIndex(int[] starts, long[] locs) {
        if (locs.length == 1) {
            onlyLocation = locs[0];
            blockStart = null;
            locations = null;
        } else {
            blockStart = starts;
            locations = locs;
        }
    }

    int blockCount() {
        long[] l = locations;
        return l == null ? 1 : l.length;
    }

    private int start(int block) {
        int[] s = blockStart;
        return s == null ? (block == 0 ? 0 : sites) : s[block];
    }

    private long location(int block) {
        long[] l = locations;
        return l == null ? onlyLocation : l[block];
    }

    private void setLocation(int block, long location) {
        long[] l = locations;
        if (l == null) {
            onlyLocation = location;
        } else {
            l[block] = location;
        }
    }

    /** The block holding site {@code index}. */
    private int blockOf(int index) {
        int[] s = blockStart;
        if (s == null) {
            return 0;
        }
        int b = Arrays.binarySearch(s, 0, s.length - 1, index);
        return b < 0 ? -b - 2 : b;
    }

    @Override
    public int size() {
        return sites;
    }

    @Override
    public SiteBody body(int index) {
        SiteBody b = pinned.get(index);
        return b != null ? b : map(index);
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
            int blocks = blockCount();
            for (b = blockOf(from); b < blocks && start(b) < to; b++) {
                first = start(b);
                int lo = Math.max(from, first);
                int hi = Math.min(to, start(b + 1));
                if (pinned.containsAll(lo, hi)) { // every wanted site is mapped already: no decompression
                    for (int i = lo; i < hi; i++) {
                        visitor.visit(i, pinned.get(i));
                    }
                    continue;
                }
                int[] len = new int[1];
                byte[] raw = shared.loadBlock(location(b), len);
                decoded = BlockLayout.decodeAll(raw, len[0]);
                for (int i = lo; i < hi; i++) {
                    visitor.visit(i, decoded[i - first]);
                }
            }
        } finally {
            shared.lock().readLock().unlock();
        }
    }


    /** Decompresses the site's block and decodes its record. */
    private SiteBody map(int index) {
        shared.lock().readLock().lock();
        try {
            if (released) {
                throw new IllegalStateException(module + " was removed");
            }
            if (index < 0 || index >= sites) {
                throw new IndexOutOfBoundsException(module + ": site " + index);
            }
            int b = blockOf(index);
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(location(b), len);
            return BlockLayout.decode(raw, len[0], index - start(b));
        } finally {
            shared.lock().readLock().unlock();
        }
    }

    @Override
    public void pin(int index) {
        if (!pinned.contains(index)) {
            pinned.put(index, map(index));
        }
    }

    @Override
    public void unpin(int index) {
        pinned.remove(index);
    }

    int pinnedCount() {
        return pinned.size();
    }

    /** This store's object and its block index arrays (headers included). */
    long indexBytes() {
        long arrays = locations == null ? 0 : 16L + 4L * (blockCount() + 1) + 16L + 8L * blockCount();
        return 64 + arrays;
    }

    /** Heap held by the enabled sites' bodies. */
    long cacheBytes() {
        return pinned.bytes();
    }

    void forEachRawBlock(Consumer<byte[]> sink) {
        for (int b = 0; b < blockCount(); b++) {
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(location(b), len);
            sink.accept(Arrays.copyOf(raw, len[0]));
        }
    }

    List<SiteBody> allBodies() {
        List<SiteBody> out = new ArrayList<>(size());
        for (int b = 0; b < blockCount(); b++) {
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(location(b), len);
            out.addAll(Arrays.asList(BlockLayout.decodeAll(raw, len[0])));
        }
        return out;
    }

    /** Takes over a recompressed copy's blocks and frees its own; caller holds the write lock. */
    void replaceBlocks(PooledBodyStore fresh) {
        for (int b = 0; b < blockCount(); b++) {
            shared.segments().free(location(b));
        }
        blockStart = fresh.blockStart;
        locations = fresh.locations;
        onlyLocation = fresh.onlyLocation;
        shared.released(rawBytes, storedBytes);
        rawBytes = fresh.rawBytes;
        storedBytes = fresh.storedBytes;
    }

    /** Moves blocks out of mostly dead segments; caller holds the shared write lock. */
    void relocateSparseBlocks() {
        for (int b = 0; b < blockCount(); b++) {
            if (shared.segments().sparse(location(b))) {
                setLocation(b, shared.relocate(location(b)));
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
            for (int b = 0; b < blockCount(); b++) {
                shared.segments().free(location(b));
            }
            shared.released(rawBytes, storedBytes);
            shared.forget(this);
        } finally {
            shared.lock().writeLock().unlock();
        }
    }
}
