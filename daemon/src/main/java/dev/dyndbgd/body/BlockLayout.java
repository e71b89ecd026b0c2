package dev.dyndbgd.body;

import dev.dyndbgd.table.SiteBody;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How the bodies of a run of consecutive sites are laid out before compression: in columns (all
 * files, then all functions, then all lines, then all formats), so the compressor sees like next to
 * like. A file or function equal to the previous record's is written as a single 0 byte (the 84% and
 * 45% repeats the diet patch measured cost one byte each); lines are zig-zag deltas; every string is
 * length-prefixed.
 *
 * <pre>
 * block   := count:varint  files[count]  functions[count]  lines[count]  formats[count]
 * file    := 0 (same as the previous record) | (len+1):varint bytes[len]
 * function:= same encoding as file
 * line    := zigzag(line - previous line):varint      (previous starts at 0)
 * format  := len:varint bytes[len]
 * </pre>
 */
final class BlockLayout {
    private BlockLayout() {
    }

    static byte[] encode(List<SiteBody> bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bodies.size() * 64);
        writeVarint(out, bodies.size());
        String prev = null;
        for (SiteBody b : bodies) {
            prev = writeRepeatable(out, b.file(), prev);
        }
        prev = null;
        for (SiteBody b : bodies) {
            prev = writeRepeatable(out, b.function(), prev);
        }
        int prevLine = 0;
        for (SiteBody b : bodies) {
            int delta = b.line() - prevLine;
            writeVarint(out, (delta << 1) ^ (delta >> 31));
            prevLine = b.line();
        }
        for (SiteBody b : bodies) {
            byte[] f = b.format().getBytes(StandardCharsets.ISO_8859_1);
            writeVarint(out, f.length);
            out.write(f, 0, f.length);
        }
        return out.toByteArray();
    }

    /** Decodes record {@code index} of a block. */
    static SiteBody decode(byte[] block, int length, int index) {
        Reader r = new Reader(block, length);
        int count = r.varint();
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("record " + index + " of a block of " + count);
        }
        String file = r.repeatable(count, index);
        String function = r.repeatable(count, index);
        int line = 0;
        for (int i = 0; i < count; i++) {
            int z = r.varint();
            int delta = (z >>> 1) ^ -(z & 1);
            if (i <= index) {
                line += delta;
            }
        }
        for (int i = 0; i < index; i++) {
            r.skip(r.varint());
        }
        int len = r.varint();
        return new SiteBody(file, function, r.string(len), line);
    }

    /** Decodes every record of a block, in order. */
    static SiteBody[] decodeAll(byte[] block, int length) {
        Reader r = new Reader(block, length);
        int count = r.varint();
        String[] files = new String[count];
        String[] functions = new String[count];
        String prev = null;
        for (int i = 0; i < count; i++) {
            prev = files[i] = r.nextRepeatable(prev);
        }
        prev = null;
        for (int i = 0; i < count; i++) {
            prev = functions[i] = r.nextRepeatable(prev);
        }
        int[] lines = new int[count];
        int line = 0;
        for (int i = 0; i < count; i++) {
            int z = r.varint();
            line += (z >>> 1) ^ -(z & 1);
            lines[i] = line;
        }
        SiteBody[] out = new SiteBody[count];
        for (int i = 0; i < count; i++) {
            out[i] = new SiteBody(files[i], functions[i], r.string(r.varint()), lines[i]);
        }
        return out;
    }

    private static String writeRepeatable(ByteArrayOutputStream out, String value, String prev) {
        if (value.equals(prev)) {
            out.write(0);
        } else {
            byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
            writeVarint(out, b.length + 1);
            out.write(b, 0, b.length);
        }
        return value;
    }

    static void writeVarint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    /** A bounds-checked cursor over a decompressed block. */
    private static final class Reader {
        private final byte[] b;
        private final int end;
        private int pos;

        Reader(byte[] b, int end) {
            this.b = b;
            this.end = end;
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (pos >= end) {
                    throw new IllegalStateException("block ends inside a number");
                }
                int x = b[pos++];
                v |= (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalStateException("number too long in block");
        }

        void skip(int n) {
            if (n < 0 || pos + n > end) {
                throw new IllegalStateException("block ends inside a string");
            }
            pos += n;
        }

        String string(int n) {
            skip(n);
            return new String(b, pos - n, n, StandardCharsets.ISO_8859_1);
        }

        /** The value a repeatable column holds for record {@code index}; consumes the whole column. */
        String repeatable(int count, int index) {
            int lastStart = -1;
            int lastLen = 0;
            for (int i = 0; i < count; i++) {
                int tag = varint();
                if (tag != 0) {
                    if (i <= index) {
                        lastStart = pos;
                        lastLen = tag - 1;
                    }
                    skip(tag - 1);
                }
            }
            if (lastStart < 0) {
                throw new IllegalStateException("first record of a block repeats nothing");
            }
            return new String(b, lastStart, lastLen, StandardCharsets.ISO_8859_1);
        }

        String nextRepeatable(String prev) {
            int tag = varint();
            if (tag == 0) {
                if (prev == null) {
                    throw new IllegalStateException("first record of a block repeats nothing");
                }
                return prev;
            }
            return string(tag - 1);
        }
    }
}
