package dev.dyndbgd.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * The megabyte buffers that 1 MiB reads need (the array a file reads into, the direct buffer the
 * reply is written from), shared by the worker threads instead of kept by each. Kept per worker,
 * three workers held 9 MB for good after one burst of readers; shared, they are re-used while
 * reads keep coming and all given back by {@link #clear()} when the daemon settles after a burst.
 */
final class LargeBuffers {
    /** At most this many of each kind are kept between uses: one per worker. */
    private final int keep;
    private final Deque<byte[]> arrays = new ArrayDeque<>();
    private final Deque<ByteBuffer> directs = new ArrayDeque<>();

    LargeBuffers(int keep) {
        this.keep = keep;
    }

    /** An array of exactly {@code size} bytes (files read up to their array's length). */
    synchronized byte[] array(int size) {
        for (Iterator<byte[]> it = arrays.iterator(); it.hasNext(); ) {
            byte[] a = it.next();
            if (a.length == size) {
                it.remove();
                return a;
            }
        }
        return new byte[size];
    }

    /** A little-endian direct buffer of at least {@code capacity} bytes, cleared. */
    synchronized ByteBuffer direct(int capacity) {
        for (Iterator<ByteBuffer> it = directs.iterator(); it.hasNext(); ) {
            ByteBuffer b = it.next();
            if (b.capacity() >= capacity) {
                it.remove();
                return b.clear();
            }
        }
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    synchronized void giveBack(byte[] a) {
        arrays.addFirst(a);
        while (arrays.size() > keep) {
            arrays.removeLast();
        }
    }

    synchronized void giveBack(ByteBuffer b) {
        directs.addFirst(b);
        while (directs.size() > keep) {
            directs.removeLast();
        }
    }

    /** Drops every kept buffer: the next collection frees them. */
    synchronized void clear() {
        arrays.clear();
        directs.clear();
    }

    /** Bytes kept now (for tests and statistics). */
    synchronized long bytesKept() {
        long n = 0;
        for (byte[] a : arrays) {
            n += a.length;
        }
        for (ByteBuffer b : directs) {
            n += b.capacity();
        }
        return n;
    }
}
