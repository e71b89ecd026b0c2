package dev.dyndbgd.client.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * Framing: every message is a 4-byte big-endian length {@code n} (1..{@link Protocol#MAX_FRAME})
 * followed by {@code n} bytes, the first of which is the message type.
 */
public final class Frames {
    private Frames() {
    }

    /** Writes a whole frame on a blocking channel. */
    public static void write(WritableByteChannel ch, ByteBuffer frame) throws IOException {
        ByteBuffer f = frame.duplicate();
        while (f.hasRemaining()) {
            ch.write(f);
        }
    }

    /** Reads one frame body from a blocking channel; null at a clean end of stream before a frame. */
    public static ByteBuffer read(ReadableByteChannel ch) throws IOException, ProtocolException {
        ByteBuffer head = ByteBuffer.allocate(4);
        if (!fill(ch, head) && head.position() == 0) {
            return null;
        }
        if (head.hasRemaining()) {
            throw new EOFException("connection closed inside a frame header");
        }
        int n = checkLength(head.getInt(0));
        ByteBuffer body = ByteBuffer.allocate(n);
        if (!fill(ch, body) || body.hasRemaining()) {
            throw new EOFException("connection closed inside a frame of " + n + " bytes");
        }
        return body.flip();
    }

    private static boolean fill(ReadableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    static int checkLength(int n) throws ProtocolException {
        if (n <= 0) {
            throw new ProtocolException(Protocol.EINVAL, "frame length " + Integer.toUnsignedString(n) + " (must be 1.." + Protocol.MAX_FRAME + ")");
        }
        if (n > Protocol.MAX_FRAME) {
            throw new ProtocolException(Protocol.E2BIG, "frame of " + n + " bytes exceeds the limit of " + Protocol.MAX_FRAME);
        }
        return n;
    }

    /**
     * Collects frames from a non-blocking channel, however the bytes arrive. Memory grows with the
     * bytes actually received, not with the length a peer claims, so a client that announces a
     * megabyte and sends nothing costs nothing.
     */
    public static final class Assembler {
        private final ByteBuffer head = ByteBuffer.allocate(4);
        private byte[] body;
        private int length = -1;
        private int filled;

        /**
         * Reads what is available and returns a complete frame body, or null if none is complete yet.
         * Throws {@link EOFException} when the peer closed (mid-frame or not).
         */
        public ByteBuffer readFrom(ReadableByteChannel ch, ByteBuffer scratch) throws IOException, ProtocolException {
            while (true) {
                if (length < 0) {
                    int r = ch.read(head);
                    if (r < 0) {
                        throw new EOFException(head.position() == 0 ? "closed" : "closed inside a frame header");
                    }
                    if (head.hasRemaining()) {
                        return null;
                    }
                    length = checkLength(head.getInt(0));
                    body = new byte[Math.min(length, 4096)];
                    filled = 0;
                }
                scratch.clear().limit(Math.min(scratch.capacity(), length - filled));
                int r = scratch.limit() == 0 ? 0 : ch.read(scratch);
                if (r < 0) {
                    throw new EOFException("closed inside a frame of " + length + " bytes");
                }
                if (r > 0) {
                    if (filled + r > body.length) {
                        body = Arrays.copyOf(body, Math.min(length, Math.max(body.length * 2, filled + r)));
                    }
                    scratch.flip().get(body, filled, r);
                    filled += r;
                }
                if (filled == length) {
                    ByteBuffer done = ByteBuffer.wrap(body, 0, length);
                    head.clear();
                    length = -1;
                    body = null;
                    return done;
                }
                if (r == 0) {
                    return null;
                }
            }
        }
    }
}
