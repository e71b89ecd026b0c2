package dev.dyndbgd.pool;

import java.nio.ByteBuffer;

/**
 * The per-thread copy buffer for mappings of objects that straddle two pages, the counterpart of
 * the kernel's per-CPU vm_buf. Shared by all pools, like the kernel's, and for the same reason
 * a thread may hold only one spanning mapping at a time.
 */
final class SpanBuffer {
    private static final ThreadLocal<SpanBuffer> LOCAL = ThreadLocal.withInitial(SpanBuffer::new);

    final byte[] bytes = new byte[ZsLayout.MAX_ALLOC_SIZE];
    private final ByteBuffer whole = ByteBuffer.wrap(bytes);
    /** Volatile so that an unmap on another thread frees the buffer for its owner. */
    private volatile boolean busy;

    private SpanBuffer() {
    }

    /** The calling thread's buffer, marked busy; throws if it already backs a mapping. */
    static SpanBuffer claim() {
        SpanBuffer b = LOCAL.get();
        if (b.busy) {
            throw new IllegalStateException("this thread already holds a mapping of a page-spanning"
                    + " object; unmap it first (mappings of spanning objects do not nest)");
        }
        b.busy = true;
        return b;
    }

    /** A fresh view of the first {@code len} bytes (own position and limit). */
    ByteBuffer view(int len) {
        return whole.slice(0, len);
    }

    void release() {
        busy = false;
    }
}
