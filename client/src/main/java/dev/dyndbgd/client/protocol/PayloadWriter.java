package dev.dyndbgd.client.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds one frame: the 4-byte big-endian length, the type byte, then fields. Strings are written as
 * a big-endian u16 length and their bytes; a wire string is a Java string with one char per byte
 * (ISO-8859-1), see {@link Wire}.
 */
public final class PayloadWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    public PayloadWriter(int type) {
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(type);
    }

    public PayloadWriter u8(int v) {
        out.write(v);
        return this;
    }

    public PayloadWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public PayloadWriter u32(long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
        return this;
    }

    /** A short string (u16 length); {@code s} must be a wire string of at most 65535 chars. */
    public PayloadWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string of " + b.length + " bytes does not fit a u16 length");
        }
        u16(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** A long text (u32 length), for replies such as a module listing. */
    public PayloadWriter text(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        u32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** The finished frame, ready to write; fails if its body exceeds {@link Protocol#MAX_FRAME}. */
    public ByteBuffer frame() {
        byte[] b = out.toByteArray();
        int body = b.length - 4;
        if (body > Protocol.MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + body + " bytes exceeds the protocol's " + Protocol.MAX_FRAME);
        }
        ByteBuffer f = ByteBuffer.wrap(b);
        f.putInt(0, body);
        return f;
    }
}
