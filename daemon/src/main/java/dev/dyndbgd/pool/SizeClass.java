package dev.dyndbgd.pool;

import static dev.dyndbgd.pool.ZsLayout.HANDLE_SIZE;
import static dev.dyndbgd.pool.ZsLayout.PAGE_SHIFT;

import java.util.Arrays;

/**
 * One representative size class: its geometry, its lock, its handle table, its zspages sorted
 * into 12 fullness lists, and its counters. The methods here are the class-local halves of
 * malloc, free and compaction; every one of them expects the caller to hold {@link #lock} in
 * write mode (the read-only ones: read or write mode). They never take the lock themselves.
 */
final class SizeClass {
    final int index;
    final int size;
    final int pagesPerZspage;
    final int objsPerZspage;
    final boolean huge;
    /** Bytes in front of the caller's data: the handle header, or none for huge objects. */
    final int headerSize;
    /** What the caller may use of an object. */
    final int usableSize;
    final ClassLock lock = new ClassLock();
    final HandleTable handles = new HandleTable();

    private final PageStore pages;
    private final ZspageBytes bytes;
    private final ZsPage[] listHeads = new ZsPage[FullnessGroup.COUNT];
    private final long[] groupCounts = new long[FullnessGroup.COUNT];
    private long objAllocated;
    private long objUsed;

    SizeClass(int index, int size, int pagesPerZspage, int objsPerZspage, boolean huge,
              PageStore pages, ZspageBytes bytes) {
        this.index = index;
        this.size = size;
        this.pagesPerZspage = pagesPerZspage;
        this.objsPerZspage = objsPerZspage;
        this.huge = huge;
        this.headerSize = huge ? 0 : HANDLE_SIZE;
        this.usableSize = size - headerSize;
        this.pages = pages;
        this.bytes = bytes;
    }

    // ---- malloc / free -------------------------------------------------------------------

    /**
     * zs_malloc for this class: the fullest non-full zspage (groups 99% down to empty, list
     * head), or a fresh one. Write lock. Unlike the kernel, which drops the class lock to
     * allocate pages (it may sleep), pages are taken with the lock held: the page store only
     * blocks briefly, and this keeps two threads from adding two zspages for one object each.
     */
    long allocate() {
        ZsPage z = firstListed(FullnessGroup.RATIO_99, FullnessGroup.EMPTY);
        boolean fresh = z == null;
        if (fresh) {
            z = newZspage();
        }
        long handle = handles.issue(index);
        long obj = objMalloc(z, handle);
        handles.record(handle, obj);
        if (fresh) {
            insert(z, FullnessGroup.of(z.inuse, objsPerZspage));
            objAllocated += objsPerZspage;
        } else {
            fixFullness(z);
        }
        objUsed++;
        return handle;
    }

    /** zs_free for a handle already validated by {@link #locate}. Write lock. */
    void free(long handle, long obj) {
        ZsPage z = pages.owner(Handles.pageId(obj));
        objUsed--;
        objFree(z, Handles.objIndex(obj));
        if (fixFullness(z) == FullnessGroup.EMPTY) {
            freeZspage(z);
        }
        handles.release(handle);
    }

    /** The obj word of a live handle of this class, or -1. Read or write lock. */
    long locate(long handle) {
        return handles.lookup(handle);
    }

    ZsPage zspageOf(long obj) {
        return pages.owner(Handles.pageId(obj));
    }

    /** Offset of an object's first byte (its header, if any) from the start of its zspage. */
    int objectOffset(int objIndex) {
        return objIndex * size;
    }

    /** Offset of the caller's first byte from the start of the zspage. */
    int dataOffset(long obj) {
        return Handles.objIndex(obj) * size + headerSize;
    }

    /** Whether the whole object (header included) lies in one page, as the kernel decides. */
    boolean objectWithinOnePage(long obj) {
        return ZspageBytes.withinOnePage(objectOffset(Handles.objIndex(obj)), size);
    }

    // ---- object slots inside a zspage -----------------------------------------------------

    private ZsPage newZspage() {
        int[] ids = new int[pagesPerZspage];
        ZsPage z = new ZsPage(this, ids);
        pages.allocate(ids, z);
        // Link every slot to the next; the last one ends the list. (The kernel also links a
        // phantom slot in the tail waste; it can never be reached, since a zspage with
        // objsPerZspage objects in use is full and never allocated from.)
        if (!huge) {
            for (int i = 0; i < objsPerZspage; i++) {
                long link = i + 1 < objsPerZspage ? Handles.freeLink(i + 1) : Handles.FREE_LIST_END;
                bytes.putLong(z, objectOffset(i), link);
            }
        }
        z.freeObj = 0;
        return z;
    }

    /** Pops the zspage's free list and tags the slot with the handle; returns the obj word. */
    private long objMalloc(ZsPage z, long handle) {
        int idx = z.freeObj;
        int off = objectOffset(idx);
        if (huge) {
            z.freeObj = -1;
            z.hugeHeader = Handles.header(handle);
        } else {
            z.freeObj = Handles.nextFreeOfLink(bytes.getLong(z, off));
            bytes.putLong(z, off, Handles.header(handle));
        }
        z.inuse++;
        return Handles.obj(z.pageIds[off >>> PAGE_SHIFT], idx);
    }

    /** Pushes a slot on its zspage's free list (LIFO). */
    private void objFree(ZsPage z, int idx) {
        if (huge) {
            z.hugeHeader = 0;
        } else {
            bytes.putLong(z, objectOffset(idx), Handles.freeLink(z.freeObj));
        }
        z.freeObj = idx;
        z.inuse--;
    }

    private void freeZspage(ZsPage z) {
        remove(z);
        pages.release(z.pageIds);
        objAllocated -= objsPerZspage;
    }

    // ---- fullness lists -------------------------------------------------------------------

    /** First zspage found scanning groups from {@code from} towards {@code to} (inclusive). */
    private ZsPage firstListed(int from, int to) {
        int step = from >= to ? -1 : 1;
        for (int g = from; ; g += step) {
            if (listHeads[g] != null) {
                return listHeads[g];
            }
            if (g == to) {
                return null;
            }
        }
    }

    /** Adds at the head of the group's list, like list_add. */
    private void insert(ZsPage z, int group) {
        ZsPage head = listHeads[group];
        z.prev = null;
        z.next = head;
        if (head != null) {
            head.prev = z;
        }
        listHeads[group] = z;
        z.group = group;
        groupCounts[group]++;
    }

    private void remove(ZsPage z) {
        int g = z.group;
        if (z.prev != null) {
            z.prev.next = z.next;
        } else {
            listHeads[g] = z.next;
        }
        if (z.next != null) {
            z.next.prev = z.prev;
        }
        z.prev = null;
        z.next = null;
        z.group = ZsPage.NOT_LISTED;
        groupCounts[g]--;
    }

    private int fixFullness(ZsPage z) {
        int g = FullnessGroup.of(z.inuse, objsPerZspage);
        if (g != z.group) {
            remove(z);
            insert(z, g);
        }
        return g;
    }

    // ---- compaction primitives ------------------------------------------------------------

    /** zs_can_compact: pages that whole zspages' worth of free slots would give back. */
    long freeablePages() {
        if (objAllocated <= objUsed) {
            return 0;
        }
        return (objAllocated - objUsed) / objsPerZspage * pagesPerZspage;
    }

    /** Takes the head of the first non-empty list scanning 99% down to 10%, or null. */
    ZsPage isolateDestination() {
        return isolate(FullnessGroup.RATIO_99, FullnessGroup.RATIO_10);
    }

    /** Takes the head of the first non-empty list scanning 10% up to 99%, or null. */
    ZsPage isolateSource() {
        return isolate(FullnessGroup.RATIO_10, FullnessGroup.RATIO_99);
    }

    private ZsPage isolate(int from, int to) {
        ZsPage z = firstListed(from, to);
        if (z != null) {
            remove(z);
        }
        return z;
    }

    /** Puts an isolated zspage back on the list its fullness calls for; returns the group. */
    int putBack(ZsPage z) {
        int g = FullnessGroup.of(z.inuse, objsPerZspage);
        insert(z, g);
        return g;
    }

    /** Frees a put-back zspage that compaction emptied; returns the pages given back. */
    int releaseEmptied(ZsPage z) {
        freeZspage(z);
        return pagesPerZspage;
    }

    boolean isFull(ZsPage z) {
        return z.inuse == objsPerZspage;
    }

    /**
     * Moves live objects from {@code src} to {@code dst} in slot order until {@code dst} is full
     * or {@code src} is empty. Each object is copied whole (header included) and its handle is
     * pointed at the new place, so callers' handles stay valid. Both zspages are isolated.
     */
    void migrate(ZsPage src, ZsPage dst) {
        for (int idx = 0; idx < objsPerZspage; idx++) {
            int from = objectOffset(idx);
            long header = huge ? src.hugeHeader : bytes.getLong(src, from);
            if (!Handles.isAllocatedHeader(header)) {
                continue;
            }
            long handle = Handles.handleOfHeader(header);
            long newObj = objMalloc(dst, handle);
            bytes.copy(src, from, dst, objectOffset(Handles.objIndex(newObj)), size);
            handles.record(handle, newObj);
            objFree(src, idx);
            if (isFull(dst) || src.inuse == 0) {
                return;
            }
        }
    }

    /**
     * Moves page {@code chainPos} of a zspage to the page {@code newPageId} (the analogue of the
     * kernel's zs_page_migrate, used to empty whole chunks): copies the page, swaps it into the
     * chain and re-points the handles of objects that start in it. Write lock, zspage unpinned.
     */
    void movePage(ZsPage z, int chainPos, int newPageId) {
        int oldPageId = z.pageIds[chainPos];
        pages.memory(newPageId).put(PageStore.base(newPageId), pages.memory(oldPageId),
                PageStore.base(oldPageId), ZsLayout.PAGE_SIZE);
        z.pageIds[chainPos] = newPageId;
        int pageStart = chainPos << PAGE_SHIFT;
        int first = (pageStart + size - 1) / size;
        int last = Math.min(objsPerZspage - 1, (pageStart + ZsLayout.PAGE_SIZE - 1) / size);
        for (int idx = first; idx <= last; idx++) {
            long header = huge ? z.hugeHeader : bytes.getLong(z, objectOffset(idx));
            if (Handles.isAllocatedHeader(header)) {
                handles.record(Handles.handleOfHeader(header), Handles.obj(newPageId, idx));
            }
        }
    }

    // ---- statistics ---------------------------------------------------------------------

    /** Snapshot of the debugfs row. Read or write lock. */
    ClassStats stats() {
        long pagesUsed = objAllocated / objsPerZspage * pagesPerZspage;
        return new ClassStats(index, size, pagesPerZspage, objsPerZspage, groupCounts.clone(),
                objAllocated, objUsed, pagesUsed, freeablePages());
    }

    long zspageCount() {
        return objAllocated / objsPerZspage;
    }

    /** Heap estimate: handle table, zspage metadata, this object with its lists and lock. */
    long estimatedBytes() {
        return handles.bytes() + zspageCount() * ZsPage.estimatedBytes(pagesPerZspage) + 400;
    }

    /** Forgets every zspage (pool close); the pages themselves go with the page store. */
    void clear() {
        Arrays.fill(listHeads, null);
        Arrays.fill(groupCounts, 0);
        objAllocated = 0;
        objUsed = 0;
        handles.clear();
    }
}
