package dev.dyndbgd.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One request as read from {@code /dev/fuse}: the 40-byte {@code fuse_in_header} and the
 * operation's arguments after it. Every field is read with a bounds check against the length the
 * read returned, so a short or inconsistent request is refused ({@link Malformed}) rather than
 * read past its end; the kernel never sends one, but the decoder does not rely on that.
 */
final class FuseRequest {
    /** A request whose sizes do not add up; answered EINVAL (or EIO) and logged. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final ByteBuffer buf;
    private final int length;
    final int opcode;
    final long unique;
    final long nodeId;
    final int uid;
    final int gid;
    final int pid;

    private FuseRequest(ByteBuffer buf, int length) {
        this.buf = buf;
        this.length = length;
        this.opcode = buf.getInt(4);
        this.unique = buf.getLong(8);
        this.nodeId = buf.getLong(16);
        this.uid = buf.getInt(24);
        this.gid = buf.getInt(28);
        this.pid = buf.getInt(32);
    }

    /** Decodes the {@code read} bytes at the start of {@code buf} (little-endian, position ignored). */
    static FuseRequest decode(ByteBuffer buf, int read) throws Malformed {
        if (buf.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("requests are little-endian");
        }
        if (read < FuseProtocol.IN_HEADER || read > buf.capacity()) {
            throw new Malformed("request of " + read + " bytes, shorter than its header");
        }
        int declared = buf.getInt(0);
        if (declared != read) {
            throw new Malformed("request says " + declared + " bytes, the read returned " + read);
        }
        return new FuseRequest(buf, read);
    }

    /** Bytes of arguments after the header. */
    int bodyLength() {
        return length - FuseProtocol.IN_HEADER;
    }

    /** Fails unless the arguments hold at least {@code n} bytes (the operation's fixed part). */
    void requireBody(int n) throws Malformed {
        if (bodyLength() < n) {
            throw new Malformed("opcode " + opcode + " needs " + n + " bytes of arguments, has " + bodyLength());
        }
    }

    int u32(int bodyOffset) {
        return buf.getInt(FuseProtocol.IN_HEADER + bodyOffset);
    }

    long u64(int bodyOffset) {
        return buf.getLong(FuseProtocol.IN_HEADER + bodyOffset);
    }

    /** A NUL-terminated name starting at {@code bodyOffset}, which must end within the request. */
    String name(int bodyOffset) throws Malformed {
        int start = FuseProtocol.IN_HEADER + bodyOffset;
        for (int i = start; i < length; i++) {
            if (buf.get(i) == 0) {
                byte[] b = new byte[i - start];
                buf.get(start, b);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw new Malformed("name without its terminating NUL");
    }

    /** {@code n} bytes of data starting at {@code bodyOffset}, copied out; they must lie within the request. */
    byte[] bytes(int bodyOffset, int n) throws Malformed {
        int start = FuseProtocol.IN_HEADER + bodyOffset;
        if (n < 0 || start + (long) n > length) {
            throw new Malformed(n + " bytes of data at " + bodyOffset + " but the request ends at " + bodyLength());
        }
        byte[] b = new byte[n];
        buf.get(start, b);
        return b;
    }
}
