package dev.dyndbgd.pool;

/**
 * The fixed geometry of the pool, as the newest mm/zsmalloc.c has it on a 64-bit kernel with
 * 4 KiB pages. Everything else (class table, fullness groups, handle encoding) is derived from
 * these numbers, so they live in one place.
 */
final class ZsLayout {
    static final int PAGE_SHIFT = 12;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    static final int PAGE_MASK = PAGE_SIZE - 1;

    /** Every non-huge object starts with the tagged handle; the caller's bytes follow it. */
    static final int HANDLE_SIZE = 8;

    /** max(32, chain << PAGE_SHIFT >> OBJ_INDEX_BITS) is 32 for every allowed chain size. */
    static final int MIN_ALLOC_SIZE = 32;
    static final int MAX_ALLOC_SIZE = PAGE_SIZE;

    static final int CLASS_BITS = 8;
    /** 16: classes are 16 bytes apart, so object starts (and headers) are 16-byte aligned. */
    static final int SIZE_CLASS_DELTA = PAGE_SIZE >> CLASS_BITS;
    /** 255 nominal classes: ceil((4096 - 32) / 16) + 1. */
    static final int NOMINAL_CLASSES =
            (MAX_ALLOC_SIZE - MIN_ALLOC_SIZE + SIZE_CLASS_DELTA - 1) / SIZE_CLASS_DELTA + 1;

    static final int DEFAULT_CHAIN_SIZE = 8;
    static final int MIN_CHAIN_SIZE = 4;
    static final int MAX_CHAIN_SIZE = 16;

    /**
     * Bits for an object's index inside its zspage in an obj word. The most objects a zspage can
     * hold is 16 pages of 32-byte objects = 2048, so 12 bits always suffice.
     */
    static final int OBJ_INDEX_BITS = 12;

    private ZsLayout() {
    }
}
