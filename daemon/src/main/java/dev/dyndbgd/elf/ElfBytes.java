package dev.dyndbgd.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian reads over the whole image of one ELF file.
 *
 * <p>Every structure in the file is found through offsets that the file itself supplies, so every
 * read goes through {@link #require} first: a damaged offset then becomes a
 * {@link MalformedModuleException} naming the file instead of an {@link IndexOutOfBoundsException}
 * from deep inside the parser. Offsets are carried as {@code long} until checked, because ELF64
 * fields are unsigned 64-bit and a huge value must not wrap into a plausible {@code int}.
 */
final class ElfBytes {
    private final ByteBuffer buf;
    private final byte[] array;   // the backing array when there is one, for copy-free string decoding
    private final int arrayOffset;
    private final int size;
    private final String source;

    ElfBytes(ByteBuffer contents, String source) {
        // A private little-endian view: the caller's buffer position, limit and order stay untouched,
        // and absolute reads below never depend on shared mutable state.
        this.buf = contents.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.size = buf.remaining();
        this.source = source;
        if (buf.hasArray()) {
            this.array = buf.array();
            this.arrayOffset = buf.arrayOffset();
        } else {
            this.array = null;
            this.arrayOffset = 0;
        }
    }

    int size() {
        return size;
    }

    String source() {
        return source;
    }

    /** An exception for this file; callers {@code throw bytes.fail(...)} so control flow stays visible. */
    MalformedModuleException fail(String reason) {
        return new MalformedModuleException(source, reason);
    }

    /** Checks that {@code [offset, offset + length)} lies inside the file; {@code what} names it in the error. */
    void require(long offset, long length, String what) throws MalformedModuleException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw fail(what + " at offset 0x" + Long.toHexString(offset) + " with size " + Long.toUnsignedString(length)
                    + " lies outside the file (" + size + " bytes)");
        }
    }

    int u8(int offset) {
        return buf.get(offset) & 0xff;
    }

    int u16(int offset) {
        return buf.getShort(offset) & 0xffff;
    }

    /** Unsigned 32-bit value, widened so that values above 2^31 stay positive. */
    long u32(int offset) {
        return buf.getInt(offset) & 0xffffffffL;
    }

    int s32(int offset) {
        return buf.getInt(offset);
    }

    /** Raw 64-bit value; callers that use it as an offset or size must treat negative as "too large". */
    long u64(int offset) {
        return buf.getLong(offset);
    }

    /**
     * Index of the first NUL byte in {@code [from, end)}, or -1. Callers pass the end of the section
     * the string belongs to, so a string never runs on into the next section.
     */
    int indexOfNul(int from, int end) {
        if (array != null) {
            byte[] a = array;
            for (int i = from + arrayOffset, e = end + arrayOffset; i < e; i++) {
                if (a[i] == 0) {
                    return i - arrayOffset;
                }
            }
            return -1;
        }
        for (int i = from; i < end; i++) {
            if (buf.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Decodes {@code [from, to)} as UTF-8. Kernel strings are ASCII in practice; for anything else
     * UTF-8 is what the kernel prints to a UTF-8 terminal, and a malformed sequence becomes U+FFFD
     * rather than an error, because one odd byte in a format string is no reason to lose a module.
     */
    String utf8(int from, int to) {
        int length = to - from;
        if (array != null) {
            return new String(array, arrayOffset + from, length, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[length];
        buf.get(from, copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    /** True if the bytes at {@code offset} equal {@code prefix} (the caller has bounds-checked the range). */
    boolean startsWith(int offset, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (buf.get(offset + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
