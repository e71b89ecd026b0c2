package dev.dyndbgd.client.scan;

/**
 * Decodes the "modified UTF-8" of {@code CONSTANT_Utf8} entries (JVMS 4.4.7).
 *
 * <p>It differs from standard UTF-8 in two ways that matter for format strings: the NUL character is
 * written as the two bytes {@code C0 80}, and a character outside the Basic Multilingual Plane is
 * written as its two UTF-16 surrogates, three bytes each, never as one four-byte sequence. Decoding
 * each one-, two- or three-byte group into one {@code char} therefore rebuilds both exactly, which
 * {@link java.nio.charset.StandardCharsets#UTF_8} would not (it rejects encoded surrogates and
 * {@code C0 80}). The accepted forms are exactly those of {@link java.io.DataInputStream#readUTF()},
 * the JDK's own reader of this encoding; anything else is an {@link IllegalArgumentException}.
 */
final class ModifiedUtf8 {
    private ModifiedUtf8() {
    }

    /**
     * Decodes {@code length} bytes at {@code offset}; the caller has checked that the range lies in
     * {@code bytes}. {@code where} names the constant in an error message.
     */
    static String decode(byte[] bytes, int offset, int length, String where) {
        int end = offset + length;
        int i = offset;
        // Fast path: most names and many formats are ASCII, one byte per char.
        while (i < end && bytes[i] > 0) {
            i++;
        }
        if (i == end) {
            return new String(bytes, offset, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        char[] out = new char[length];
        int n = 0;
        for (int k = offset; k < i; k++) {
            out[n++] = (char) bytes[k];
        }
        while (i < end) {
            int c = bytes[i] & 0xff;
            switch (c >> 4) {
                case 0, 1, 2, 3, 4, 5, 6, 7 -> {
                    out[n++] = (char) c;
                    i++;
                }
                case 12, 13 -> {
                    if (end - i < 2) {
                        throw bad(where, i - offset, "two-byte character cut off by the end of the string");
                    }
                    int c2 = continuation(bytes[i + 1], where, i + 1 - offset);
                    out[n++] = (char) (((c & 0x1f) << 6) | c2);
                    i += 2;
                }
                case 14 -> {
                    if (end - i < 3) {
                        throw bad(where, i - offset, "three-byte character cut off by the end of the string");
                    }
                    int c2 = continuation(bytes[i + 1], where, i + 1 - offset);
                    int c3 = continuation(bytes[i + 2], where, i + 2 - offset);
                    out[n++] = (char) (((c & 0x0f) << 12) | (c2 << 6) | c3);
                    i += 3;
                }
                default -> throw bad(where, i - offset, String.format("byte 0x%02x cannot start a character", c));
            }
        }
        return new String(out, 0, n);
    }

    private static int continuation(byte b, String where, int index) {
        if ((b & 0xc0) != 0x80) {
            throw bad(where, index, String.format("byte 0x%02x is not a continuation byte", b & 0xff));
        }
        return b & 0x3f;
    }

    private static IllegalArgumentException bad(String where, int index, String reason) {
        return new IllegalArgumentException("malformed class file: " + where + " is not modified UTF-8 at byte "
                + index + ": " + reason);
    }
}
