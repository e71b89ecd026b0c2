package dev.dyndbgd.pool;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An object mapped for direct access, valid until {@link ZsPool#unmap} (or {@link #close}).
 * {@link #buffer()} starts at the caller's first byte and its limit is the usable size. For an
 * object inside one page it is a view of the page itself; for an object spanning two pages it is
 * the thread's copy buffer, copied in unless {@link MapMode#WRITE_ONLY} and copied back at unmap
 * unless {@link MapMode#READ_ONLY}. The buffer uses Java's default big-endian order.
 *
 * <p>While mapped, the object's zspage is pinned: compaction will not move it. Freeing a mapped
 * object is a caller error (as in the kernel) and is not detected.
 */
public final class Mapping implements AutoCloseable {
    final ZsPool pool;
    final long handle;
    final MapMode mode;
    final ZsPage zspage;
    /** Offset of the caller's first byte from the start of the zspage. */
    final int dataOffset;
    final int length;
    /** The copy buffer for a spanning object, null for a direct view. */
    final SpanBuffer span;
    private final ByteBuffer view;
    private final AtomicBoolean mapped = new AtomicBoolean(true);

    Mapping(ZsPool pool, long handle, MapMode mode, ZsPage zspage, int dataOffset, int length,
            SpanBuffer span, ByteBuffer view) {
        this.pool = pool;
        this.handle = handle;
        this.mode = mode;
        this.zspage = zspage;
        this.dataOffset = dataOffset;
        this.length = length;
        this.span = span;
        this.view = view;
    }

    /** The object's bytes; position 0 = first usable byte, limit = usable size. */
    public ByteBuffer buffer() {
        if (!mapped.get()) {
            throw new IllegalStateException("mapping of handle " + handle + " was unmapped");
        }
        return view;
    }

    public long handle() {
        return handle;
    }

    public MapMode mode() {
        return mode;
    }

    /** True if the object spans two pages and is served from the thread's copy buffer. */
    public boolean spansPages() {
        return span != null;
    }

    public boolean isMapped() {
        return mapped.get();
    }

    /** Same as {@code pool.unmap(this)}. */
    @Override
    public void close() {
        pool.unmap(this);
    }

    /** Marks the mapping finished; false if it already was. */
    boolean finish() {
        return mapped.compareAndSet(true, false);
    }
}
