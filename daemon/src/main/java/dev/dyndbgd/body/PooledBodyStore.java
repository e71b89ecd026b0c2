package dev.dyndbgd.body;

import dev.dyndbgd.memory.HeapSizes;
import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.SiteBody;

import java.nio.charset.StandardCharsets;
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
    /*
     * There is one of these a table, so it keeps nothing it can do without (40 bytes): not the
     * module's name (the table has it), nor byte totals (the pool reads them from the blocks it
     * frees), nor a released flag (the index becomes RELEASED).
     */
    private static final long[] RELEASED = new long[0];

    private final PooledBodies shared;
    /*
     * The block index: blockStart[b] is the first site of block b (a last entry holds the size);
     * index[b] is where block b is in the segment log, and after the blocks' locations come their
     * NameFilter words, NameFilter.WIDE a block (one array, so the filters cost no header or field
     * of their own). Most tables have a handful of sites and so one block; for those the arrays are
     * left out (null), and the one location and a one-word filter are fields, since arrays would
     * cost more than their contents.
     */
    private volatile int[] blockStart;
    private volatile long[] index;
    private volatile long onlyLocation;
    private volatile long onlyFilter;
    private final int sites;
    /** Enabled sites' bodies; made on the first pin, since most tables never have one enabled. */
    private volatile PinnedBodies pinned;

    /** @param words per block, {@link NameFilter#WIDE} filter words, or one for a table of one block */
    PooledBodyStore(PooledBodies shared, int[] blockStart, long[] locations, long[] words) {
        this.shared = shared;
        this.sites = blockStart[blockStart.length - 1];
        setIndex(blockStart, locations, words);
    }

    private boolean released() {
        return index == RELEASED;
    }

    private void setIndex(int[] starts, long[] locs, long[] words) {
        if (locs.length == 1) {
            onlyLocation = locs[0];
            onlyFilter = words[0];
            blockStart = null;
            index = null;
        } else {
            long[] both = Arrays.copyOf(locs, locs.length + words.length);
            System.arraycopy(words, 0, both, locs.length, words.length);
            blockStart = starts;
            index = both;
        }
    }

    private boolean mayHold(int block, long[] names) {
        if (names.length == 0) {
            return true;
        }
        long[] l = index;
        return l == null ? NameFilter.mayHold(onlyFilter, names)
                : NameFilter.mayHold(l, blockCount() + block * NameFilter.WIDE, NameFilter.WIDE, names);
    }

    int blockCount() {
        long[] l = index;
        return l == null ? 1 : l.length / (1 + NameFilter.WIDE);
    }

    private int start(int block) {
        int[] s = blockStart;
        return s == null ? (block == 0 ? 0 : sites) : s[block];
    }

    private long location(int block) {
        long[] l = index;
        return l == null ? onlyLocation : l[block];
    }

    private void setLocation(int block, long location) {
        long[] l = index;
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
        PinnedBodies p = pinned;
        SiteBody b = p == null ? null : p.get(index);
        return b != null ? b : map(index);
    }

    @Override
    public void forEach(int from, int to, BodyVisitor visitor) {
        forEachContaining(from, to, "", NameFilter.ANY, visitor);
    }

    /**
     * A block whose name filter lacks {@code names}' bits holds no site with those names: it is not
     * even decompressed. Formats are stored verbatim (Latin-1) in the decompressed block, so a block
     * whose text lacks {@code formatText} holds no site whose format contains it: one intrinsic
     * search of the block replaces decoding its records, most of a format query's cost after
     * decompression.
     */
    @Override
    public void forEachContaining(int from, int to, String formatText, long[] names, BodyVisitor visitor) {
        if (from >= to) {
            return;
        }
        SiteBody[] decoded;
        int first;
        int b;
        shared.lock().readLock().lock();
        try {
            if (released()) {
                throw new IllegalStateException("the table was removed");
            }
            int blocks = blockCount();
            for (b = blockOf(from); b < blocks && start(b) < to; b++) {
                first = start(b);
                int lo = Math.max(from, first);
                int hi = Math.min(to, start(b + 1));
                if (!mayHold(b, names)) {
                    continue; // no site here has the names asked for
                }
                PinnedBodies p = pinned;
                if (p != null && p.containsAll(lo, hi)) { // every wanted site is mapped already: no decompression
                    for (int i = lo; i < hi; i++) {
                        visitor.visit(i, p.get(i));
                    }
                    continue;
                }
                decoded = withBlock(b, (raw, n) -> formatText.isEmpty()
                        || new String(raw, 0, n, StandardCharsets.ISO_8859_1).contains(formatText) ? BlockLayout.decodeAll(raw, n) : null);
                if (decoded == null) {
                    continue; // the text is nowhere in the block
                }
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
            if (released()) {
                throw new IllegalStateException("the table was removed");
            }
            if (index < 0 || index >= sites) {
                throw new IndexOutOfBoundsException("site " + index + " of " + sites);
            }
            int b = blockOf(index);
            int record = index - start(b);
            return withBlock(b, (raw, n) -> BlockLayout.decode(raw, n, record));
        } finally {
            shared.lock().readLock().unlock();
        }
    }

    @Override
    public synchronized void pin(int index) { // enabling is rare: a plain lock keeps pin and unpin simple
        if (pinned == null) {
            pinned = new PinnedBodies();
        }
        if (!pinned.contains(index)) {
            pinned.put(index, map(index));
        }
    }

    @Override
    public synchronized void unpin(int index) {
        if (pinned != null) {
            pinned.remove(index);
            if (pinned.size() == 0) {
                pinned = null; // the last enabled site went: give the holder back too
            }
        }
    }

    int pinnedCount() {
        PinnedBodies p = pinned;
        return p == null ? 0 : p.size();
    }

    /** This store's object and its block index arrays. */
    long indexBytes() {
        // Fields: four references, two longs and an int.
        long self = HeapSizes.object(4 * HeapSizes.REFERENCE + 2 * 8 + 4);
        long[] l = index;
        return self + (l == null ? 0 : HeapSizes.ints(blockCount() + 1) + HeapSizes.longs(l.length));
    }

    /** Heap held by the enabled sites' bodies. */
    long cacheBytes() {
        PinnedBodies p = pinned;
        return p == null ? 0 : p.bytes();
    }

    void forEachRawBlock(Consumer<byte[]> sink) {
        for (int b = 0; b < blockCount(); b++) {
            sink.accept(withBlock(b, (raw, n) -> Arrays.copyOf(raw, n)));
        }
    }

    List<SiteBody> allBodies() {
        List<SiteBody> out = new ArrayList<>(size());
        for (int b = 0; b < blockCount(); b++) {
            out.addAll(Arrays.asList(withBlock(b, BlockLayout::decodeAll)));
        }
        return out;
    }

    /** What is made of a decompressed block while its buffers are lent. */
    @FunctionalInterface
    private interface BlockUse<R> {
        R apply(byte[] raw, int length);
    }

    /** Decompresses block {@code b} into borrowed buffers and returns what {@code use} makes of its bytes. */
    private <R> R withBlock(int b, BlockUse<R> use) {
        PooledBodies.ReadBuffers buffers = shared.borrowBuffers();
        try {
            int[] len = new int[1];
            byte[] raw = shared.loadBlock(location(b), buffers, len);
            return use.apply(raw, len[0]);
        } finally {
            shared.giveBack(buffers);
        }
    }

    /** Takes over a recompressed copy's blocks and frees its own; caller holds the write lock. */
    void replaceBlocks(PooledBodyStore fresh) {
        for (int b = 0; b < blockCount(); b++) {
            shared.freeBlock(location(b));
        }
        blockStart = fresh.blockStart;
        index = fresh.index;
        onlyLocation = fresh.onlyLocation;
        onlyFilter = fresh.onlyFilter;
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
            if (released()) {
                return;
            }
            for (int b = 0; b < blockCount(); b++) {
                shared.freeBlock(location(b));
            }
            blockStart = null;
            index = RELEASED;
            shared.forget(this);
        } finally {
            shared.lock().writeLock().unlock();
        }
    }
}
