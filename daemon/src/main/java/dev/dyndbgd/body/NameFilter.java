package dev.dyndbgd.body;

import dev.dyndbgd.table.SiteBody;

import java.util.List;

/**
 * Small Bloom filters of the names in a block: each site's function and its file's basename set
 * two bits. A query naming an exact function or file needs a block whose filter has all of that
 * name's bits; any other block holds no match and is never decompressed.
 *
 * <p>A block of a table of several blocks has {@link #WIDE} 64-bit words: a full block names a
 * dozen or more functions, and one word would be mostly ones. A table of one block (most modules:
 * a handful of sites and names) keeps one word, in a field. Together well under a byte a site.
 *
 * <p>Files go in by basename only. A file query matches a site's full path, its basename or its
 * path with the source root trimmed; each of those ends in the site's basename, so the basename
 * of the query's name is what a matching site's block must hold, whatever the source root.
 */
public final class NameFilter {
    /** No constraint: every block may match. */
    public static final long[] ANY = new long[0];
    /** Words a block in tables of several blocks. */
    static final int WIDE = 2;

    private NameFilter() {
    }

    /** The 64-bit hash a name's bits are taken from (FNV-1a, then mixed so every bit varies). */
    public static long hash(String name) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 29;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 32;
        return h;
    }

    private static int first(long hash, int bits) {
        return (int) Long.remainderUnsigned(hash, bits);
    }

    private static int second(long hash, int bits) {
        return (int) Long.remainderUnsigned(hash >>> 32, bits);
    }

    private static void set(long[] words, int offset, int bit) {
        words[offset + (bit >>> 6)] |= 1L << bit;
    }

    private static boolean isSet(long[] words, int offset, int bit) {
        return (words[offset + (bit >>> 6)] & (1L << bit)) != 0;
    }

    private static void add(long[] words, int offset, int bits, long hash) {
        set(words, offset, first(hash, bits));
        set(words, offset, second(hash, bits));
    }

    /** Sets the bits of a block's names (function, file basename) in {@code words[offset .. offset+width-1]}. */
    static void fill(List<SiteBody> block, long[] words, int offset, int width) {
        int bits = width * 64;
        for (SiteBody b : block) {
            add(words, offset, bits, hash(b.function()));
            add(words, offset, bits, hash(SiteBody.basename(b.file())));
        }
    }

    /** Whether the filter at {@code words[offset..]} of {@code width} words may hold every name hashed in {@code hashes}. */
    static boolean mayHold(long[] words, int offset, int width, long[] hashes) {
        int bits = width * 64;
        for (long h : hashes) {
            if (!isSet(words, offset, first(h, bits)) || !isSet(words, offset, second(h, bits))) {
                return false;
            }
        }
        return true;
    }

    /** {@link #mayHold(long[], int, int, long[])} for a one-word filter kept in a field. */
    static boolean mayHold(long word, long[] hashes) {
        for (long h : hashes) {
            long bits = (1L << first(h, 64)) | (1L << second(h, 64));
            if ((word & bits) != bits) {
                return false;
            }
        }
        return true;
    }
}
