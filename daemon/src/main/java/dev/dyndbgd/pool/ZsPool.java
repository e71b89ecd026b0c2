package dev.dyndbgd.pool;

import static dev.dyndbgd.pool.ZsLayout.HANDLE_SIZE;
import static dev.dyndbgd.pool.ZsLayout.MAX_ALLOC_SIZE;
import static dev.dyndbgd.pool.ZsLayout.NOMINAL_CLASSES;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A userspace zsmalloc: stores variable-size byte objects (1..4096 bytes) densely in 4 KiB pages
 * held off the Java heap, and reproduces the newest mm/zsmalloc.c's size classes, zspage layout,
 * fullness groups, compaction and statistics, so its debugfs-style {@link #classesText()} reads
 * like the kernel's.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>Nominal class {@code i} (0..254) is for objects of {@code min(4096, 32 + 16 i)} bytes.
 *     {@code malloc(n)} adds the 8-byte header and takes the smallest class that fits (4089..4096
 *     clamp to class 254). Walking from 254 down, a class whose (pages per zspage, objects per
 *     zspage) equal the last created class's is an alias of it; only these representatives (119 at
 *     the default chain size 8) can exist as {@link SizeClass} objects, each made on its first
 *     allocation (an unused class costs nothing and reads as a row of zeros).</li>
 * <li>A zspage is {@code pagesPerZspage} pages (not necessarily adjacent) viewed as one area
 *     holding {@code objsPerZspage} objects back to back; an object may straddle two pages, but
 *     object starts are 16-aligned, so the 8-byte header or free link never does.</li>
 * <li>An allocated object's first 8 bytes are {@code handle << 1 | 1}; a free slot's are
 *     {@code nextFreeIndex << 1} (bit 0 clear; -2 ends the list). The free list is LIFO. Huge
 *     zspages (one object on one page: class 254) keep the tagged handle in their metadata and
 *     give the caller the full 4096 bytes.</li>
 * <li>Every zspage with objects is on exactly one of its class's 12 fullness lists, the one
 *     {@link FullnessGroup#of} gives for its in-use count, except while compaction holds it
 *     isolated under the class write lock. A zspage whose last object is freed is freed at once.
 *     </li>
 * <li>Per class: objAllocated = zspages x objsPerZspage, objUsed = live objects; pool-wide
 *     {@link #totalPages()} = sum of zspages x pagesPerZspage.</li>
 * <li>A handle never changes while live; it names its class and a slot in that class's handle
 *     table, whose obj word (id of the page the object starts in, object index in the zspage) is
 *     rewritten only when compaction moves the object or its page moves, and only under that
 *     class's write lock. An object never changes class. A slot's generation changes on every
 *     free, so a stale handle is rejected even after its slot is reused.</li>
 * </ul>
 *
 * <h2>Locking</h2>
 * <ul>
 * <li>Each representative class has its own lock ({@link ClassLock}, a StampedLock). Write mode:
 *     malloc, free, creating and freeing zspages, compaction of that class. Read mode: resolving
 *     a handle for map/read/write/usableSize and taking statistics. Nothing ever holds two class
 *     locks, so work in one class never waits for another class.</li>
 * <li>{@link #read} and {@link #write} copy while holding the read lock (short copies; readers
 *     run in parallel). {@link #map} resolves the handle under the read lock, pins the zspage
 *     and lets go; the pin keeps compaction from choosing that zspage as a source until
 *     {@link #unmap}, which needs no lock.</li>
 * <li>The page store has a private lock, always taken after a class lock (never before).</li>
 * <li>{@link #compact()} is serialised by a flag: a call made while another runs returns 0.
 *     Moving objects between zspages (compaction) and moving a zspage's page to another chunk
 *     (chunk defragmentation) both happen under the class write lock and skip pinned zspages,
 *     so a handle's obj word read under the class lock, or a pinned mapping, is always current.
 *     </li>
 * </ul>
 *
 * <h2>Memory</h2>
 * Pages are 4 KiB slices of 64 KiB direct buffers (see {@link PageStore}); there is no Java
 * object per stored object: a handle is a slot in its class's {@code long[]} handle table, and
 * the only per-zspage object is its {@link ZsPage} metadata. {@link #residentBytes()} reports it.
 */
public final class ZsPool implements AutoCloseable {
    /** The largest object a pool stores (one page). */
    public static final int MAX_OBJECT_SIZE = ZsLayout.MAX_ALLOC_SIZE;

    private final String name;
    private final SizeClassTable table;
    private final PageStore pages = new PageStore();
    private final ZspageBytes bytes = new ZspageBytes(pages);
    private final ChunkDefragmenter defragmenter = new ChunkDefragmenter(pages);
    /** Nominal index -> position of its representative in {@link #classes} (aliases share it). */
    private final int[] positionOf = new int[NOMINAL_CLASSES];
    /** Representative class indexes, ascending. */
    private final int[] representatives;
    /**
     * Representatives in ascending index order, each made on its first allocation: most of the
     * 119 classes may never hold an object, and an unused class should cost nothing.
     */
    private final AtomicReferenceArray<SizeClass> classes;
    private final AtomicBoolean compacting = new AtomicBoolean();
    private final AtomicLong pagesCompacted = new AtomicLong();
    private final AtomicLong pagesMoved = new AtomicLong();
    private final LongAdder liveObjects = new LongAdder();
    private volatile boolean closed;

    /** A pool with the kernel's default chain size of 8 pages per zspage. */
    public ZsPool(String name) {
        this(name, ZsLayout.DEFAULT_CHAIN_SIZE);
    }

    /** A pool whose zspages chain at most {@code maxPagesPerZspage} (4..16) pages. */
    public ZsPool(String name, int maxPagesPerZspage) {
        this.name = Objects.requireNonNull(name, "name");
        this.table = new SizeClassTable(maxPagesPerZspage);
        this.representatives = table.representatives();
        this.classes = new AtomicReferenceArray<>(representatives.length);
        int[] byIndex = new int[NOMINAL_CLASSES];
        for (int k = 0; k < representatives.length; k++) {
            byIndex[representatives[k]] = k;
        }
        for (int i = 0; i < NOMINAL_CLASSES; i++) {
            positionOf[i] = byIndex[table.representativeOf(i)];
        }
    }

    public String name() {
        return name;
    }

    /** Pages per zspage this pool may chain (4..16). */
    public int maxPagesPerZspage() {
        return table.chainSize();
    }

    // ---- allocation -------------------------------------------------------------------------

    /**
     * Allocates an object able to hold {@code size} bytes and returns its handle (always > 0).
     * The contents are undefined until written.
     *
     * @throws IllegalArgumentException if size is not 1..4096
     */
    public long malloc(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("cannot allocate " + size
                    + " bytes: size must be at least 1");
        }
        if (size > MAX_ALLOC_SIZE) {
            throw new IllegalArgumentException("cannot allocate " + size
                    + " bytes: the largest object is one page (" + MAX_ALLOC_SIZE + " bytes)");
        }
        SizeClass c = classAt(positionOf[SizeClassTable.nominalIndexFor(size + HANDLE_SIZE)], true);
        long stamp = c.lock.write();
        try {
            ensureOpen();
            long handle = c.allocate();
            liveObjects.increment();
            return handle;
        } finally {
            c.lock.unlockWrite(stamp);
        }
    }

    /**
     * Frees an object. Handle 0 is ignored, as zs_free ignores a null handle.
     *
     * @throws IllegalArgumentException if the handle is not a live handle of this pool (never
     *                                  allocated, already freed, or from another pool's slot)
     */
    public void free(long handle) {
        if (handle == 0) {
            return;
        }
        SizeClass c = classOfHandle(handle);
        long stamp = c.lock.write();
        try {
            ensureOpen();
            long obj = liveObj(c, handle);
            c.free(handle, obj);
            liveObjects.decrement();
        } finally {
            c.lock.unlockWrite(stamp);
        }
    }

    /** Bytes the caller may use: class size - 8, or 4096 for a huge object. */
    public int usableSize(long handle) {
        SizeClass c = classOfHandle(handle);
        long stamp = c.lock.read();
        try {
            ensureOpen();
            liveObj(c, handle);
            return c.usableSize;
        } finally {
            c.lock.unlockRead(stamp);
        }
    }

    // ---- access -----------------------------------------------------------------------------

    /**
     * Maps an object for direct access until {@link #unmap}. See {@link Mapping} for what the
     * buffer is. A thread may hold one mapping of a page-spanning object at a time.
     *
     * @throws IllegalStateException if this thread already holds a spanning mapping and this
     *                               object spans pages too
     */
    public Mapping map(long handle, MapMode mode) {
        Objects.requireNonNull(mode, "mode");
        SizeClass c = classOfHandle(handle);
        ZsPage z;
        int dataOffset;
        SpanBuffer span = null;
        long stamp = c.lock.read();
        try {
            ensureOpen();
            long obj = liveObj(c, handle);
            z = c.zspageOf(obj);
            dataOffset = c.dataOffset(obj);
            if (!c.objectWithinOnePage(obj)) {
                span = SpanBuffer.claim();
            }
            z.pin();
        } finally {
            c.lock.unlockRead(stamp);
        }
        int len = c.usableSize;
        try {
            ByteBuffer view;
            if (span == null) {
                view = bytes.slice(z, dataOffset, len);
            } else {
                if (mode != MapMode.WRITE_ONLY) {
                    bytes.copyOut(z, dataOffset, span.bytes, 0, len);
                }
                view = span.view(len);
            }
            if (mode == MapMode.READ_ONLY) {
                view = view.asReadOnlyBuffer();
            }
            return new Mapping(this, handle, mode, z, dataOffset, len, span, view);
        } catch (RuntimeException | Error e) {
            // never leave the zspage pinned or the thread's copy buffer taken
            if (span != null) {
                span.release();
            }
            z.unpin();
            throw e;
        }
    }

    /**
     * Ends a mapping. For a spanning object mapped other than READ_ONLY, copies the caller's
     * bytes back; the 8-byte header is never part of the copy, so it cannot be clobbered.
     *
     * @throws IllegalStateException    if the mapping was already unmapped
     * @throws IllegalArgumentException if the mapping belongs to another pool
     */
    public void unmap(Mapping m) {
        Objects.requireNonNull(m, "mapping");
        if (m.pool != this) {
            throw new IllegalArgumentException("mapping belongs to pool '" + m.pool.name
                    + "', not '" + name + "'");
        }
        if (!m.finish()) {
            throw new IllegalStateException("handle " + m.handle + " is already unmapped");
        }
        try {
            if (m.span != null && m.mode != MapMode.READ_ONLY) {
                bytes.copyIn(m.zspage, m.dataOffset, m.span.bytes, 0, m.length);
            }
        } finally {
            if (m.span != null) {
                m.span.release();
            }
            m.zspage.unpin();
        }
    }

    /** Copies {@code len} bytes of the object from {@code offset} into {@code dst}. */
    public void read(long handle, int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        SizeClass c = classOfHandle(handle);
        long stamp = c.lock.read();
        try {
            ensureOpen();
            long obj = liveObj(c, handle);
            checkRange(c, offset, len);
            bytes.copyOut(c.zspageOf(obj), c.dataOffset(obj) + offset, dst, dstOff, len);
        } finally {
            c.lock.unlockRead(stamp);
        }
    }

    /** Copies {@code len} bytes from {@code src} into the object at {@code offset} (zs_obj_write). */
    public void write(long handle, int offset, byte[] src, int srcOff, int len) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        SizeClass c = classOfHandle(handle);
        long stamp = c.lock.read();
        try {
            ensureOpen();
            long obj = liveObj(c, handle);
            checkRange(c, offset, len);
            bytes.copyIn(c.zspageOf(obj), c.dataOffset(obj) + offset, src, srcOff, len);
        } finally {
            c.lock.unlockRead(stamp);
        }
    }

    // ---- compaction and statistics ------------------------------------------------------------

    /**
     * Compacts every class from the largest index down (zs_compact). Returns the pages freed by
     * this call; 0 if another compaction is running. Afterwards moves live pages out of sparsely
     * used high chunks so whole chunks can be given back (does not change {@link #totalPages()}).
     */
    public long compact() {
        if (!compacting.compareAndSet(false, true)) {
            return 0;
        }
        try {
            long freed = 0;
            for (int k = representatives.length - 1; k >= 0 && !closed; k--) {
                SizeClass c = classes.get(k);
                if (c != null) {
                    freed += Compactor.compact(c);
                }
            }
            pagesCompacted.addAndGet(freed);
            if (!closed) {
                // Not part of zs_compact: the kernel leaves physical placement to page migration.
                // Here the pool owns its memory, so it also packs live pages into fewer chunks.
                pagesMoved.addAndGet(defragmenter.run());
            }
            return freed;
        } finally {
            compacting.set(false);
        }
    }

    /** Pages freed by all compactions so far (zs_pool_stats.pages_compacted). */
    public long pagesCompacted() {
        return pagesCompacted.get();
    }

    /** Pages moved between chunks so far to give whole chunks back (not part of the kernel's stats). */
    public long pagesMoved() {
        return pagesMoved.get();
    }

    /** Pages held in zspages (zs_get_total_pages). */
    public long totalPages() {
        return pages.pagesInUse();
    }

    /** Number of distinct (representative) classes. */
    public int classCount() {
        return representatives.length;
    }

    /** Payload sizes at or above this are stored in the huge class (zs_huge_class_size). */
    public int hugeClassSize() {
        return table.hugeClassSize();
    }

    /** Representative class index a {@code malloc(size)} lands in. */
    public int classIndexFor(int size) {
        if (size <= 0 || size > MAX_ALLOC_SIZE) {
            throw new IllegalArgumentException("size must be 1.." + MAX_ALLOC_SIZE + ", got " + size);
        }
        return table.classIndexForPayload(size);
    }

    /** Representative class index for a raw size without the header (zs_lookup_class_index). */
    public int lookupClassIndex(int rawSize) {
        return table.lookupClassIndex(Math.max(0, rawSize));
    }

    /** One snapshot per representative class, in index order. */
    public List<ClassStats> classStats() {
        List<ClassStats> out = new ArrayList<>(representatives.length);
        for (int k = 0; k < representatives.length; k++) {
            SizeClass c = classes.get(k);
            if (c == null) { // never used: the kernel's row of zeros
                int i = representatives[k];
                out.add(new ClassStats(i, table.size(i), table.pagesPerZspage(i), table.objsPerZspage(i),
                        new long[FullnessGroup.COUNT], 0, 0, 0, 0));
                continue;
            }
            long stamp = c.lock.read();
            try {
                out.add(c.stats());
            } finally {
                c.lock.unlockRead(stamp);
            }
        }
        return out;
    }

    /** The debugfs {@code classes} file of the newest kernel, header to Total row. */
    public String classesText() {
        return ClassesText.render(classStats());
    }

    public long objectsInUse() {
        return liveObjects.sum();
    }

    /**
     * Everything this pool keeps, in bytes: page memory actually held (chunks of 16 pages,
     * including their free pages), page-store bookkeeping, each class's handle table arrays,
     * an estimate of zspage metadata (~56 bytes + the page-id array per zspage) and a fixed
     * ~400 bytes per class for its object, lists and lock.
     */
    public long residentBytes() {
        long total = pages.heldBytes() + pages.metadataBytes() + 16 + 4L * representatives.length;
        for (int k = 0; k < representatives.length; k++) {
            SizeClass c = classes.get(k);
            if (c == null) {
                continue;
            }
            long stamp = c.lock.read();
            try {
                total += c.estimatedBytes();
            } finally {
                c.lock.unlockRead(stamp);
            }
        }
        return total;
    }

    /**
     * Frees all memory. Later calls fail with IllegalStateException (except free(0)). Buffers of
     * still-open mappings stay readable but are no longer part of the pool.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int k = 0; k < representatives.length; k++) {
            SizeClass c = classes.get(k);
            if (c == null) {
                continue;
            }
            long stamp = c.lock.write();
            try {
                c.clear();
            } finally {
                c.lock.unlockWrite(stamp);
            }
        }
        pages.releaseAll();
        liveObjects.reset();
    }

    @Override
    public String toString() {
        return "ZsPool[" + name + ", chain " + table.chainSize() + ", " + totalPages() + " pages, "
                + objectsInUse() + " objects]";
    }

    // ---- package-private views for tests -------------------------------------------------------

    /** The obj word (page id, object index) a handle currently points at. */
    long objWord(long handle) {
        SizeClass c = classOfHandle(handle);
        long stamp = c.lock.read();
        try {
            return liveObj(c, handle);
        } finally {
            c.lock.unlockRead(stamp);
        }
    }

    /** The in-band header of a non-huge object (or the out-of-band one of a huge object). */
    long rawHeader(long handle) {
        SizeClass c = classOfHandle(handle);
        long stamp = c.lock.read();
        try {
            long obj = liveObj(c, handle);
            ZsPage z = c.zspageOf(obj);
            return c.huge ? z.hugeHeader : bytes.getLong(z, c.objectOffset(Handles.objIndex(obj)));
        } finally {
            c.lock.unlockRead(stamp);
        }
    }

    /** Page chunks (16 pages each) the pool holds now. */
    public int chunksHeld() {
        return pages.chunksHeld();
    }

    SizeClassTable table() {
        return table;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The class at a position, made now if {@code create} and it does not exist yet. */
    private SizeClass classAt(int k, boolean create) {
        SizeClass c = classes.get(k);
        if (c != null || !create) {
            return c;
        }
        int i = representatives[k];
        SizeClass made = new SizeClass(i, table.size(i), table.pagesPerZspage(i), table.objsPerZspage(i),
                table.isHuge(i), pages, bytes);
        return classes.compareAndSet(k, null, made) ? made : classes.get(k);
    }

    private SizeClass classOfHandle(long handle) {
        if (Handles.wellFormed(handle)) {
            int idx = Handles.classIndex(handle);
            if (idx < NOMINAL_CLASSES && table.isRepresentative(idx)) {
                SizeClass c = classAt(positionOf[idx], false);
                if (c != null) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException(describe(handle) + " is not a handle of pool '" + name + "'");
    }

    private long liveObj(SizeClass c, long handle) {
        long obj = c.locate(handle);
        if (obj < 0) {
            throw new IllegalArgumentException(describe(handle) + " is not live in pool '" + name
                    + "' (never allocated, or already freed)");
        }
        return obj;
    }

    private static void checkRange(SizeClass c, int offset, int len) {
        if (offset < 0 || len < 0 || offset > c.usableSize - len) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + "+" + len
                    + ") is outside the object's " + c.usableSize + " usable bytes");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("pool '" + name + "' is closed");
        }
    }

    private static String describe(long handle) {
        return "handle 0x" + Long.toHexString(handle);
    }
}
