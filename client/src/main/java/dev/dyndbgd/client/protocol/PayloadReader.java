package dev.dyndbgd.client.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one received frame body, checking every length against what is left, so a
 * lying length is an error ({@link Protocol#EINVAL}) and never a read past the frame.
 */
public final class PayloadReader {
    private final ByteBuffer in;

    /** {@code body} holds the payload after the type byte. */
    public PayloadReader(ByteBuffer body) {
        this.in = body.slice();
    }

    private void need(int n, String what) throws ProtocolException {
        if (in.remaining() < n) {
            throw new ProtocolException(Protocol.EINVAL, "frame ends inside " + what + " (needs " + n
                    + " bytes, " + in.remaining() + " left)");
        }
    }

    public int u8(String what) throws ProtocolException {
        need(1, what);
        return in.get() & 0xFF;
    }

    public int u16(String what) throws ProtocolException {
        need(2, what);
        return in.getShort() & 0xFFFF;
    }

    public long u32(String what) throws ProtocolException {
        need(4, what);
        return in.getInt() & 0xFFFFFFFFL;
    }

    /** A u16-length string of at most {@code max} bytes, as a wire string. */
    public String str(String what, int max) throws ProtocolException {
        int len = u16(what + " length");
        if (len > max) {
            throw new ProtocolException(Protocol.E2BIG, what + " of " + len + " bytes exceeds the limit of " + max);
        }
        return bytes(len, what);
    }

    /** A u32-length text. */
    public String text(String what) throws ProtocolException {
        long len = u32(what + " length");
        if (len > in.remaining()) {
            throw new ProtocolException(Protocol.EINVAL, what + " claims " + len + " bytes, " + in.remaining() + " left");
        }
        return bytes((int) len, what);
    }

    private String bytes(int len, String what) throws ProtocolException {
        need(len, what);
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Fails if bytes are left over: a frame must hold exactly its fields. */
    public void end(String message) throws ProtocolException {
        if (in.hasRemaining()) {
            throw new ProtocolException(Protocol.EINVAL, in.remaining() + " bytes after the end of " + message);
        }
    }
}
