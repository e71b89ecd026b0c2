package dev.dyndbgd.body;

import dev.dyndbgd.memory.HeapSizes;
import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.SiteBody;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Cold bodies of every table, compressed in one zsmalloc pool: the diet finished.
 *
 * <p>Each table's sites are cut into blocks of consecutive sites ({@link BlockLayout}), each block
 * compressed by the {@link BodyCodec} and appended as {@code [raw length] [compressed bytes]} to the
 * {@link SegmentLog}, which packs blocks into page-sized pool objects. A table keeps only, per block,
 * its first site index and its location (heads and bodies tied by index). Mapping one body decompresses its block and decodes that
 * one record; enabled sites are kept decoded in a small per-table cache (pinned), nothing else is.
 *
 * <p>Concurrency: any number of readers map bodies at once (a shared read lock, so a map never waits
 * for another module's map); only a recompression (re-training the dictionary) or a reclaim takes the
 * write lock while it swaps blocks.
 */
public final class PooledBodies implements BodyStore.Factory, AutoCloseable {
    /**
     * Sites a block holds at most by default. Bigger blocks compress better (more context) but cost
     * more to map one body: 32 favours memory; 24 with the lz4dict codec keeps a map under 2 µs
     * at p99 (see docs/benchmarks.md).
     */
    public static final int DEFAULT_SITES_PER_BLOCK = 32;
    /** A block also stops growing once its laid-out bytes reach this many per site it may hold. */
    private static final int RAW_BYTES_PER_SITE = 94;

    private final int sitesPerBlock;
    private final int targetRawBytes;

    private final ZsPool pool;
    private final SegmentLog log;
    private volatile BodyCodec codec;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /*
     * Every live store, for statistics, re-training and compaction. A copy-on-write list rather than
     * a concurrent set: one reference per table instead of a 40-byte hash node (tables come and go
     * rarely; iteration never locks).
     */
    private final List<PooledBodyStore> stores = new CopyOnWriteArrayList<>();
    /** Buffers for reading blocks: a block's pool entry, and what it decompresses to. */
    static final class ReadBuffers {
        byte[] entry = new byte[4096];
        byte[] raw = new byte[8192];
    }

    private final Lender<ReadBuffers> buffers = new Lender<>(ReadBuffers::new,
            HeapSizes.object(2 * HeapSizes.REFERENCE) + HeapSizes.bytes(4096) + HeapSizes.bytes(8192));
    final AtomicLong rawBytes = new AtomicLong();
    final AtomicLong storedBytes = new AtomicLong();
    final AtomicLong maps = new AtomicLong();
    private final AtomicLong maxPoolBytes = new AtomicLong();

    public PooledBodies(ZsPool pool, BodyCodec codec) {
        this(pool, codec, DEFAULT_SITES_PER_BLOCK);
    }

    public PooledBodies(ZsPool pool, BodyCodec codec, int sitesPerBlock) {
        if (sitesPerBlock < 1 || sitesPerBlock > 1024) {
            throw new IllegalArgumentException("sites per block must be 1..1024, not " + sitesPerBlock);
        }
        this.sitesPerBlock = sitesPerBlock;
        this.targetRawBytes = sitesPerBlock * RAW_BYTES_PER_SITE;
        this.pool = pool;
        this.log = new SegmentLog(pool);
        this.codec = codec;
    }

    public ZsPool pool() {
        return pool;
    }

    public BodyCodec codec() {
        return codec;
    }

    @Override
    public BodyStore create(String module, List<SiteRecord> sites) {
        List<SiteBody> bodies = new ArrayList<>(sites.size());
        for (SiteRecord r : sites) {
            bodies.add(new SiteBody(r.file(), r.function(), r.format(), r.line()));
        }
        lock.readLock().lock();
        try {
            PooledBodyStore store = store(bodies, codec);
            stores.add(store);
            return store;
        } finally {
            lock.readLock().unlock();
        }
    }

    private PooledBodyStore store(List<SiteBody> bodies, BodyCodec with) {
        List<Integer> starts = new ArrayList<>();
        List<Long> handles = new ArrayList<>();
        int i = 0;
        while (i < bodies.size()) {
            int end = i;
            int raw = 0;
            while (end < bodies.size() && end - i < sitesPerBlock && raw < targetRawBytes) {
                SiteBody b = bodies.get(end++);
                raw += b.file().length() + b.function().length() + b.format().length() + 4;
            }
            long handle = storeBlock(bodies.subList(i, end), with);
            starts.add(i);
            handles.add(handle);
            i = end;
        }
        int[] startArray = new int[starts.size() + 1];
        long[] handleArray = new long[handles.size()];
        // A table of one block keeps a one-word filter in a field; several: NameFilter.WIDE words a block.
        int width = handles.size() == 1 ? 1 : NameFilter.WIDE;
        long[] filterArray = new long[handles.size() * width];
        for (int b = 0; b < handleArray.length; b++) {
            startArray[b] = starts.get(b);
            handleArray[b] = handles.get(b);
        }
        startArray[handleArray.length] = bodies.size();
        for (int b = 0; b < handleArray.length; b++) {
            NameFilter.fill(bodies.subList(startArray[b], startArray[b + 1]), filterArray, b * width, width);
        }
        return new PooledBodyStore(this, startArray, handleArray, filterArray);
    }

    /** Compresses and appends one block; returns its location (never 0). */
    private long storeBlock(List<SiteBody> block, BodyCodec with) {
        byte[] raw = BlockLayout.encode(block);
        byte[] comp = with.compress(raw);
        byte[] entry = new byte[5 + comp.length];
        int h = putVarint(entry, 0, raw.length);
        System.arraycopy(comp, 0, entry, h, comp.length);
        int size = h + comp.length;
        long location = log.append(entry, size);
        rawBytes.addAndGet(raw.length);
        storedBytes.addAndGet(size);
        maxPoolBytes.accumulateAndGet(pool.totalPages() * 4096L, Math::max);
        return location;
    }

    /** Lends buffers for {@link #loadBlock}; give them back with {@link #giveBack}. */
    ReadBuffers borrowBuffers() {
        return buffers.borrow();
    }

    void giveBack(ReadBuffers b) {
        buffers.giveBack(b);
    }

    /**
     * Reads and decompresses a block into {@code b.raw} and returns it, its length in
     * {@code rawLength[0]}.
     */
    byte[] loadBlock(long location, ReadBuffers b, int[] rawLength) {
        int len = SegmentLog.length(location);
        if (b.entry.length < len) {
            b.entry = grown(b.entry, len);
        }
        log.read(location, b.entry);
        int[] pos = {0};
        int rawLen = getVarint(b.entry, pos);
        if (b.raw.length < rawLen) {
            b.raw = grown(b.raw, rawLen);
        }
        int n = codec.decompress(b.entry, pos[0], len - pos[0], b.raw, rawLen);
        rawLength[0] = n;
        maps.incrementAndGet();
        return b.raw;
    }

    private byte[] grown(byte[] old, int needed) {
        byte[] bigger = new byte[Math.max(needed, old.length * 2)];
        buffers.grew(HeapSizes.bytes(bigger.length) - HeapSizes.bytes(old.length));
        return bigger;
    }

    SegmentLog segments() {
        return log;
    }

    /** Frees a block a store gives back, taking its bytes out of the totals. Caller holds the write lock. */
    void freeBlock(long location) {
        int len = SegmentLog.length(location);
        byte[] entry = new byte[len];
        log.read(location, entry);
        rawBytes.addAndGet(-getVarint(entry, new int[]{0})); // the entry starts with its laid-out size
        storedBytes.addAndGet(-len);
        log.free(location);
    }

    /** High-water mark of the pool's pages, in bytes (mm_stat's mem_used_max). */
    public long maxPoolBytes() {
        return maxPoolBytes.get();
    }

    ReentrantReadWriteLock lock() {
        return lock;
    }

    void forget(PooledBodyStore store) {
        stores.remove(store);
    }

    /**
     * Trains a zstd dictionary on the bodies now stored and recompresses every block with it (what
     * zram's recompression does with a better algorithm). Run once the first load is in, before
     * the mount serves. Returns the dictionary size, or 0 if none could be trained.
     */
    public int trainDictionary(int size) {
        if (!(codec instanceof DictionaryCodec current) || current.hasDictionary()) {
            return 0;
        }
        byte[] dict;
        lock.writeLock().lock();
        try {
            List<byte[]> samples = new ArrayList<>();
            for (PooledBodyStore s : stores) {
                s.forEachRawBlock(samples::add);
            }
            // zstd's trainer picks the dictionary for either codec: for lz4 it is used as plain text.
            dict = ZstdDictCodec.train(samples, size);
            DictionaryCodec trained = dict == null ? current.settled() : current.withDictionary(dict);
            if (trained == current) {
                return 0;
            }
            for (PooledBodyStore s : stores) {
                PooledBodyStore fresh = store(s.allBodies(), trained);
                s.replaceBlocks(fresh);
            }
            current.releaseCompressor();
            trained.releaseCompressor();
            codec = trained;
        } finally {
            lock.writeLock().unlock();
        }
        // The old blocks' pages are free but scattered over the page chunks: pack them so whole
        // chunks go back.
        pool.compact();
        return dict == null ? 0 : dict.length;
    }

    /**
     * Rewrites blocks that sit in mostly dead segments (left by removed modules) at the end of the
     * log, so those segments empty and go back to the pool, then compacts the pool. Returns the
     * pool pages given back.
     */
    public long compact() {
        long before = pool.totalPages();
        lock.writeLock().lock();
        try {
            for (PooledBodyStore s : stores) {
                s.relocateSparseBlocks();
            }
        } finally {
            lock.writeLock().unlock();
        }
        pool.compact();
        return before - pool.totalPages();
    }

    /** Moves one block to the end of the log; returns its new location. Caller holds the write lock. */
    long relocate(long location) {
        int len = SegmentLog.length(location);
        byte[] bytes = new byte[len];
        log.read(location, bytes);
        long moved = log.append(bytes, len);
        log.free(location);
        return moved;
    }

    /** Drops compressor working memory after a bulk load. */
    public void releaseWorkingMemory() {
        if (codec instanceof DictionaryCodec c) {
            c.releaseCompressor();
        }
    }

    /** Statistics over every table's bodies. */
    public BodyStats stats() {
        long blocks = 0;
        long sites = 0;
        long pinned = 0;
        long indexBytes = 0;
        long cacheBytes = 0;
        for (PooledBodyStore s : stores) {
            blocks += s.blockCount();
            sites += s.size();
            pinned += s.pinnedCount();
            indexBytes += s.indexBytes();
            cacheBytes += s.cacheBytes();
        }
        indexBytes += HeapSizes.references(stores.size()); // the list of stores
        indexBytes += log.indexBytes();
        return new BodyStats(codec.name(), stores.size(), sites, blocks, pinned, rawBytes.get(), storedBytes.get(),
                pool.residentBytes(), indexBytes, codec.residentBytes() + buffers.bytes(), cacheBytes, maps.get());
    }

    @Override
    public void close() {
        pool.close();
    }

    static int putVarint(byte[] b, int at, int v) {
        while ((v & ~0x7F) != 0) {
            b[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    static int getVarint(byte[] b, int[] pos) {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int x = b[pos[0]++];
            v |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("corrupt block header");
    }
}
