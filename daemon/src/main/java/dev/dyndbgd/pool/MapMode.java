package dev.dyndbgd.pool;

/**
 * How a mapping will be used (the kernel's zs_mapmode). It only changes behaviour for objects
 * that span two pages, which are served from a per-thread copy buffer.
 */
public enum MapMode {
    /** Copy in at map time; nothing is copied back. The buffer is read-only. */
    READ_ONLY,
    /** No copy in (the buffer's contents are undefined); copied back at unmap. For new objects. */
    WRITE_ONLY,
    /** Copy in and copy back. */
    READ_WRITE
}
