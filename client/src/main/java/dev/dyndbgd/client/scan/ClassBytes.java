package dev.dyndbgd.client.scan;

/**
 * Bounds-checked big-endian reads over the bytes of one class file.
 *
 * <p>Every count, length and index in a class file is supplied by the file itself, so a damaged or
 * hostile file can point anywhere. Each read here checks its range first and turns a bad one into an
 * {@link IllegalArgumentException} that says what was being read and where, instead of an
 * {@link ArrayIndexOutOfBoundsException} from deep inside the parser, or an allocation sized by a
 * corrupted count. Lengths are taken as {@code long} so that an unsigned 32-bit length cannot wrap
 * into a plausible {@code int}.
 */
final class ClassBytes {
    private final byte[] data;

    ClassBytes(byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException("malformed class file: no bytes (null)");
        }
        this.data = data;
    }

    int length() {
        return data.length;
    }

    /** The backing array, for decoders that have already checked their range with {@link #require}. */
    byte[] array() {
        return data;
    }

    /** An exception for this file; callers write {@code throw bytes.fail(...)} so control flow stays visible. */
    IllegalArgumentException fail(String reason) {
        return new IllegalArgumentException("malformed class file (" + data.length + " bytes): " + reason);
    }

    /** Checks that {@code [offset, offset + length)} lies inside the file; {@code what} names the structure. */
    void require(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > data.length || length > data.length - offset) {
            throw fail(what + " at offset " + offset + " with length " + length + " runs past the end of the file");
        }
    }

    int u1(int offset) {
        require(offset, 1, "byte");
        return data[offset] & 0xff;
    }

    int u2(int offset) {
        require(offset, 2, "u2");
        return ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    }

    int s4(int offset) {
        require(offset, 4, "u4");
        return ((data[offset] & 0xff) << 24) | ((data[offset + 1] & 0xff) << 16)
                | ((data[offset + 2] & 0xff) << 8) | (data[offset + 3] & 0xff);
    }

    /** An unsigned 32-bit value, widened so that values of 2^31 and above stay positive. */
    long u4(int offset) {
        return s4(offset) & 0xffffffffL;
    }
}
