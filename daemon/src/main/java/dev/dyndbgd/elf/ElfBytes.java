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
 *
 * <p>String scans and relocation tables draw on a work budget of twice the file size. Structures
 * may legitimately share bytes (the linker merges ".text" into the tail of ".rela.text"), so the
 * work is not bounded by the file by itself: a crafted file whose thousands of pointers all aim into
 * one long run of non-NUL bytes, or whose many relocation sections all cover the same bytes, would
 * otherwise cost time and memory quadratic in its size. A real module reads each part it needs
 * about once and stays well inside the budget.
 */
final class ElfBytes {
    private final ByteBuffer buf;
    private final byte[] array;   // the backing array when there is one, for copy-free string decoding
    private final int arrayOffset;
    private final int size;
    private final String source;
    /** Bytes that string scans and relocation tables may still examine; see the class comment. */
    private long workBudget;

    ElfBytes(ByteBuffer contents, String source) {
        // A private little-endian view: the caller's buffer position, limit and order stay untouched,
        // and absolute reads below never depend on shared mutable state.
        this.buf = contents.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.size = buf.remaining();
        this.source = source;
        this.workBudget = 2L * size + 65536;
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
     * the string belongs to, so a string never runs on into the next section. The bytes examined are
     * charged to the scan budget.
     */
    int indexOfNul(int from, int end) throws MalformedModuleException {
        int nul = scan(from, end);
        charge((nul < 0 ? end : nul + 1) - (long) from, "strings referenced by the file");
        return nul;
    }

    /**
     * Takes {@code amount} bytes of work from the budget; call before doing (or allocating for) it.
     * {@code what} names the kind of work in the error.
     */
    void charge(long amount, String what) throws MalformedModuleException {
        workBudget -= amount;
        if (workBudget < 0) {
            throw fail(what + " add up to more than twice the file's size; "
                    + "its structures overlap in a way no compiler or linker produces");
        }
    }

    private int scan(int from, int end) {
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
     * Decodes {@code [from, to)} one char per byte (ISO-8859-1). Kernel strings are bytes, and the
     * whole daemon handles text this way, so a format with UTF-8 or invalid bytes is matched and
     * printed back byte for byte, as the kernel does, instead of being altered or rejected.
     */
    String text(int from, int to) {
        int length = to - from;
        if (array != null) {
            return new String(array, arrayOffset + from, length, StandardCharsets.ISO_8859_1);
        }
        byte[] copy = new byte[length];
        buf.get(from, copy);
        return new String(copy, StandardCharsets.ISO_8859_1);
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
