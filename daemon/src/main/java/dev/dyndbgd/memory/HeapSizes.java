package dev.dyndbgd.memory;

/**
 * Sizes of Java objects on the heap, for the {@code stats} file's account of what the daemon keeps.
 *
 * <p>HotSpot's 64-bit layout with compressed references, which is what the JVM uses below 32 GiB of
 * heap: 12-byte object headers, 16-byte array headers, 4-byte references, everything rounded up to 8
 * bytes. Strings are Latin-1 (compact) here since call-site text is bytes. {@code HeapCountTest}
 * checks the totals built from these against the heap the JVM measures.
 */
public final class HeapSizes {
    public static final int REFERENCE = 4;
    private static final int OBJECT_HEADER = 12;
    private static final int ARRAY_HEADER = 16;

    private HeapSizes() {
    }

    /** An object with {@code fieldBytes} of fields (references counted as {@link #REFERENCE} each). */
    public static long object(int fieldBytes) {
        return align(OBJECT_HEADER + fieldBytes);
    }

    public static long bytes(int length) {
        return align(ARRAY_HEADER + (long) length);
    }

    public static long ints(int length) {
        return align(ARRAY_HEADER + 4L * length);
    }

    public static long longs(int length) {
        return align(ARRAY_HEADER + 8L * length);
    }

    public static long references(int length) {
        return align(ARRAY_HEADER + (long) REFERENCE * length);
    }

    /** A String and its (Latin-1) value array; 0 for null. */
    public static long string(String s) {
        return s == null ? 0 : object(REFERENCE + 4 + 1 + 1) + bytes(s.length()); // value, hash, coder, hashIsZero
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
