package dev.dyndbgd.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The answer to one request, built in a direct buffer and handed to the device in one write: a
 * 16-byte {@code fuse_out_header} (length, negated errno, the request's unique id) and the
 * operation's result after it. One per worker thread, re-used for every request it serves.
 */
final class FuseReply {
    /** Where a finished reply goes: the device, or a test. */
    interface Sink {
        void send(ByteBuffer reply, int length);
    }

    private final Sink sink;
    private ByteBuffer out;
    private long unique;

    FuseReply(Sink sink, int initialCapacity) {
        this.sink = sink;
        this.out = allocate(Math.max(initialCapacity, 4096));
    }

    private static ByteBuffer allocate(int n) {
        return ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts the reply to request {@code id}: the payload is written after the header. */
    FuseReply start(long id) {
        unique = id;
        out.clear();
        out.position(FuseProtocol.OUT_HEADER);
        return this;
    }

    /** Room for {@code n} more payload bytes (the buffer grows to the largest reply this worker sent). */
    ByteBuffer payload(int n) {
        if (out.remaining() < n) {
            int needed = out.position() + n;
            ByteBuffer bigger = allocate(Math.max(needed, out.capacity() * 2));
            out.flip();
            bigger.put(out);
            out = bigger;
        }
        return out;
    }

    /** Sends what was written as a successful reply. */
    void ok() {
        finish(0);
    }

    /** Sends an error reply: the header alone, carrying {@code -errno}. */
    void error(int errno) {
        out.position(FuseProtocol.OUT_HEADER);
        finish(-errno);
    }

    private void finish(int error) {
        int len = out.position();
        out.putInt(0, len);
        out.putInt(4, error);
        out.putLong(8, unique);
        out.position(0); // native calls take the buffer from its position
        sink.send(out, len);
    }
}
