package dev.dyndbgd.body;

import dev.dyndbgd.memory.HeapSizes;
import dev.dyndbgd.table.SiteBody;

import java.util.Arrays;
import java.util.List;

/**
 * The bodies of a table's enabled sites, kept out of the compressed blocks so printing and control
 * reads do not decompress them again and again. Each is kept as its one-record encoding (a few dozen
 * bytes) rather than as objects and strings, and decoded when read, which costs far less than a
 * block decompression. Copy-on-write sorted arrays: readers never lock, changes (a site enabled or
 * disabled) are rare.
 */
final class PinnedBodies {
    private static final int[] NO_INDEXES = new int[0];
    private static final byte[][] NO_RECORDS = new byte[0][];

    private volatile Snapshot snapshot = new Snapshot(NO_INDEXES, NO_RECORDS);

    private record Snapshot(int[] indexes, byte[][] records) {
    }

    SiteBody get(int index) {
        Snapshot s = snapshot;
        int at = Arrays.binarySearch(s.indexes(), index);
        if (at < 0) {
            return null;
        }
        byte[] r = s.records()[at];
        return BlockLayout.decode(r, r.length, 0);
    }

    boolean contains(int index) {
        return Arrays.binarySearch(snapshot.indexes(), index) >= 0;
    }

    synchronized void put(int index, SiteBody body) {
        Snapshot s = snapshot;
        int at = Arrays.binarySearch(s.indexes(), index);
        if (at >= 0) {
            return;
        }
        int pos = -at - 1;
        int n = s.indexes().length;
        int[] idx = new int[n + 1];
        byte[][] rec = new byte[n + 1][];
        System.arraycopy(s.indexes(), 0, idx, 0, pos);
        System.arraycopy(s.records(), 0, rec, 0, pos);
        idx[pos] = index;
        rec[pos] = BlockLayout.encode(List.of(body));
        System.arraycopy(s.indexes(), pos, idx, pos + 1, n - pos);
        System.arraycopy(s.records(), pos, rec, pos + 1, n - pos);
        snapshot = new Snapshot(idx, rec);
    }

    synchronized void remove(int index) {
        Snapshot s = snapshot;
        int at = Arrays.binarySearch(s.indexes(), index);
        if (at < 0) {
            return;
        }
        int n = s.indexes().length;
        if (n == 1) {
            snapshot = new Snapshot(NO_INDEXES, NO_RECORDS);
            return;
        }
        int[] idx = new int[n - 1];
        byte[][] rec = new byte[n - 1][];
        System.arraycopy(s.indexes(), 0, idx, 0, at);
        System.arraycopy(s.records(), 0, rec, 0, at);
        System.arraycopy(s.indexes(), at + 1, idx, at, n - at - 1);
        System.arraycopy(s.records(), at + 1, rec, at, n - at - 1);
        snapshot = new Snapshot(idx, rec);
    }

    int size() {
        return snapshot.indexes().length;
    }

    /** Whether every site in {@code [lo, hi)} is here. */
    boolean containsAll(int lo, int hi) {
        Snapshot s = snapshot;
        int from = Arrays.binarySearch(s.indexes(), lo);
        // Indexes are distinct and sorted, so lo..hi-1 are all here iff lo is and hi-1 sits hi-lo-1 later.
        return from >= 0 && from + (hi - lo - 1) < s.indexes().length && s.indexes()[from + (hi - lo - 1)] == hi - 1;
    }

    /** Heap held: this object, its snapshot, the two arrays and each record. */
    long bytes() {
        Snapshot s = snapshot;
        long n = HeapSizes.object(HeapSizes.REFERENCE) + HeapSizes.object(2 * HeapSizes.REFERENCE);
        if (s.indexes().length == 0) {
            return n; // the empty arrays are shared constants
        }
        n += HeapSizes.ints(s.indexes().length) + HeapSizes.references(s.records().length);
        for (byte[] r : s.records()) {
            n += HeapSizes.bytes(r.length);
        }
        return n;
    }
}
