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

    /** Payloads up to this size are written into the worker's own buffer; larger ones borrow one. */
    static final int OWN_CAPACITY = 64 * 1024;

    private final Sink sink;
    private final LargeBuffers large;
    private final ByteBuffer own;
    private ByteBuffer out;
    private long unique;

    FuseReply(Sink sink, LargeBuffers large) {
        this.sink = sink;
        this.large = large;
        this.own = ByteBuffer.allocateDirect(OWN_CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
        this.out = own;
    }

    /** Starts the reply to request {@code id}: the payload is written after the header. */
    FuseReply start(long id) {
        unique = id;
        out.clear();
        out.position(FuseProtocol.OUT_HEADER);
        return this;
    }

    /** Room for {@code n} more payload bytes: in a borrowed buffer when the worker's own is too small. */
    ByteBuffer payload(int n) {
        if (out.remaining() < n) {
            ByteBuffer bigger = large.direct(out.position() + n);
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
        if (out != own) {
            large.giveBack(out);
            out = own;
        }
    }
}
