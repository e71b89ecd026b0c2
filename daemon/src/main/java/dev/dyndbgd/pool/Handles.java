package dev.dyndbgd.pool;

import static dev.dyndbgd.pool.ZsLayout.OBJ_INDEX_BITS;

/**
 * Bit layouts of the three 64-bit words the pool hands around.
 *
 * <pre>
 * handle (given to callers)   [58..40] generation  [39..32] class index  [31..0] slot
 * obj word (handle table)     [62..44] generation  [43..12] page id      [11..0] object index
 * object header (in the page) handle &lt;&lt; 1 | 1        (free slot: next free index &lt;&lt; 1, bit 0 clear)
 * </pre>
 *
 * Carrying the class index in the handle lets free/map find the one lock that guards the
 * handle's obj word without reading anything shared first; the generation makes a stale or
 * doubly freed handle detectable after its slot was reused. A handle is never 0 or negative:
 * generations run 1..2^19-1.
 */
final class Handles {
    static final int GEN_BITS = 19;
    static final int GEN_MASK = (1 << GEN_BITS) - 1;
    private static final int HANDLE_CLASS_SHIFT = 32;
    private static final int HANDLE_GEN_SHIFT = 40;

    private static final int WORD_GEN_SHIFT = 44;
    static final long OBJ_MASK = (1L << WORD_GEN_SHIFT) - 1;
    /** obj bits of a slot that holds no object. */
    static final long NO_OBJ = OBJ_MASK;
    static final long OBJ_INDEX_MASK = (1L << OBJ_INDEX_BITS) - 1;
    static final int MAX_PAGE_ID = (int) Math.min(Integer.MAX_VALUE, (OBJ_MASK >>> OBJ_INDEX_BITS) - 1);

    /** Tag bit in an object header: set = allocated (the kernel's OBJ_ALLOCATED_TAG). */
    static final long ALLOCATED_TAG = 1L;
    /** Free-list terminator stored in the last free slot: -1 &lt;&lt; 1. */
    static final long FREE_LIST_END = -1L << 1;

    private Handles() {
    }

    static long handle(int generation, int classIndex, int slot) {
        return ((long) generation << HANDLE_GEN_SHIFT) | ((long) classIndex << HANDLE_CLASS_SHIFT)
                | (slot & 0xFFFF_FFFFL);
    }

    static int classIndex(long handle) {
        return (int) (handle >>> HANDLE_CLASS_SHIFT) & 0xFF;
    }

    static int slot(long handle) {
        return (int) handle;
    }

    static int generation(long handle) {
        return (int) (handle >>> HANDLE_GEN_SHIFT);
    }

    /** True if the bits above the generation are clear, i.e. this could be one of our handles. */
    static boolean wellFormed(long handle) {
        return handle > 0 && (handle >>> (HANDLE_GEN_SHIFT + GEN_BITS)) == 0 && slot(handle) >= 0
                && generation(handle) != 0;
    }

    static long obj(int pageId, int objIndex) {
        return ((long) pageId << OBJ_INDEX_BITS) | objIndex;
    }

    static int pageId(long obj) {
        return (int) ((obj & OBJ_MASK) >>> OBJ_INDEX_BITS);
    }

    static int objIndex(long obj) {
        return (int) (obj & OBJ_INDEX_MASK);
    }

    static long word(int generation, long obj) {
        return ((long) generation << WORD_GEN_SHIFT) | (obj & OBJ_MASK);
    }

    static int wordGeneration(long word) {
        return (int) (word >>> WORD_GEN_SHIFT);
    }

    static long header(long handle) {
        return (handle << 1) | ALLOCATED_TAG;
    }

    static boolean isAllocatedHeader(long header) {
        return (header & ALLOCATED_TAG) != 0;
    }

    static long handleOfHeader(long header) {
        return header >>> 1;
    }

    static long freeLink(int nextFreeIndex) {
        return (long) nextFreeIndex << 1;
    }

    static int nextFreeOfLink(long link) {
        return (int) (link >> 1);
    }

    static int nextGeneration(int generation) {
        int next = (generation + 1) & GEN_MASK;
        return next == 0 ? 1 : next;
    }
}
