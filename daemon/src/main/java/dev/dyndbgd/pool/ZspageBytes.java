package dev.dyndbgd.pool;

import static dev.dyndbgd.pool.ZsLayout.PAGE_MASK;
import static dev.dyndbgd.pool.ZsLayout.PAGE_SHIFT;
import static dev.dyndbgd.pool.ZsLayout.PAGE_SIZE;

import java.nio.ByteBuffer;

/**
 * Byte-range access to a zspage as if its chain of pages were one contiguous area: offsets are
 * relative to the start of the zspage and ranges are split at page boundaries (an object may
 * straddle two pages). 8-byte words are only ever read or written at 16-aligned object starts,
 * so a word never straddles a page. Callers hold whatever lock or pin makes the access safe.
 */
final class ZspageBytes {
    private final PageStore pages;

    ZspageBytes(PageStore pages) {
        this.pages = pages;
    }

    long getLong(ZsPage z, int zsOffset) {
        int pageId = z.pageIds[zsOffset >>> PAGE_SHIFT];
        return pages.memory(pageId).getLong(PageStore.base(pageId) + (zsOffset & PAGE_MASK));
    }

    void putLong(ZsPage z, int zsOffset, long value) {
        int pageId = z.pageIds[zsOffset >>> PAGE_SHIFT];
        pages.memory(pageId).putLong(PageStore.base(pageId) + (zsOffset & PAGE_MASK), value);
    }

    void copyOut(ZsPage z, int zsOffset, byte[] dst, int dstOff, int len) {
        while (len > 0) {
            int pageId = z.pageIds[zsOffset >>> PAGE_SHIFT];
            int inPage = zsOffset & PAGE_MASK;
            int n = Math.min(len, PAGE_SIZE - inPage);
            pages.memory(pageId).get(PageStore.base(pageId) + inPage, dst, dstOff, n);
            zsOffset += n;
            dstOff += n;
            len -= n;
        }
    }

    void copyIn(ZsPage z, int zsOffset, byte[] src, int srcOff, int len) {
        while (len > 0) {
            int pageId = z.pageIds[zsOffset >>> PAGE_SHIFT];
            int inPage = zsOffset & PAGE_MASK;
            int n = Math.min(len, PAGE_SIZE - inPage);
            pages.memory(pageId).put(PageStore.base(pageId) + inPage, src, srcOff, n);
            zsOffset += n;
            srcOff += n;
            len -= n;
        }
    }

    /** Copies {@code len} bytes between two zspages, each side split at its own page edges. */
    void copy(ZsPage from, int fromOffset, ZsPage to, int toOffset, int len) {
        while (len > 0) {
            int srcId = from.pageIds[fromOffset >>> PAGE_SHIFT];
            int dstId = to.pageIds[toOffset >>> PAGE_SHIFT];
            int srcIn = fromOffset & PAGE_MASK;
            int dstIn = toOffset & PAGE_MASK;
            int n = Math.min(len, Math.min(PAGE_SIZE - srcIn, PAGE_SIZE - dstIn));
            pages.memory(dstId).put(PageStore.base(dstId) + dstIn, pages.memory(srcId),
                    PageStore.base(srcId) + srcIn, n);
            fromOffset += n;
            toOffset += n;
            len -= n;
        }
    }

    /** A view of {@code len} bytes that lie within one page (no copy). */
    ByteBuffer slice(ZsPage z, int zsOffset, int len) {
        int pageId = z.pageIds[zsOffset >>> PAGE_SHIFT];
        return pages.memory(pageId).slice(PageStore.base(pageId) + (zsOffset & PAGE_MASK), len);
    }

    static boolean withinOnePage(int zsOffset, int len) {
        return (zsOffset & PAGE_MASK) + len <= PAGE_SIZE;
    }
}
