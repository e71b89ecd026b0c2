package dev.dyndbgd.body;

import dev.dyndbgd.pool.ZsPool;

import java.util.Arrays;

/**
 * Packs compressed blocks back to back into page-sized pool objects ("segments"); a block that does
 * not fit in what is left of the segment being filled continues in the next one.
 *
 * <p>Why not one pool object per block: blocks come in every size, so nearly every size class ends
 * up with one partly filled zspage of up to eight pages; with a few thousand blocks that slack was
 * more than half of the pool (measured on the real module set: 572 KB of blocks in 1.27 MB of
 * pages). Segments are pool objects of exactly one page (zsmalloc's huge class), so the only slack is
 * the unfilled end of the segment being written and the dead bytes of removed modules.
 *
 * <p>A location is {@code segment << 32 | offset << 20 | length}; {@code next[s]} is the segment a
 * block continues into after {@code s} (slots are re-used, so this is not always {@code s + 1}).
 * Freeing a block takes its bytes out of its segments' live counts; a segment with nothing live goes
 * back to the pool at once; {@link #sparse} tells which blocks sit in segments worth rewriting.
 * Mutators are synchronized; readers hold the owner's read lock, and the owner takes its write lock
 * around anything that frees or rewrites segments, so a reader never sees a segment vanish.
 */
final class SegmentLog {
    static final int SEGMENT = ZsPool.MAX_OBJECT_SIZE;
    private static final int OFFSET_SHIFT = 20;
    private static final long LENGTH_MASK = (1L << OFFSET_SHIFT) - 1;

    private final ZsPool pool;
    private long[] handles = new long[16];
    private int[] live = new int[16];
    private int[] next = new int[16];
    private int slots;
    private int open = -1;
    private int fill = SEGMENT;

    SegmentLog(ZsPool pool) {
        this.pool = pool;
    }

    static int length(long location) {
        return (int) (location & LENGTH_MASK);
    }

    private static int segmentOf(long location) {
        return (int) (location >>> 32);
    }

    private static int offsetOf(long location) {
        return (int) ((location >>> OFFSET_SHIFT) & (SEGMENT - 1));
    }

    /** Appends {@code data[0, len)} and returns its location. */
    synchronized long append(byte[] data, int len) {
        if (len <= 0 || len > LENGTH_MASK) {
            throw new IllegalArgumentException("block of " + len + " bytes");
        }
        if (fill == SEGMENT) {
            openSegment();
        }
        long location = ((long) open << 32) | ((long) fill << OFFSET_SHIFT) | len;
        int done = 0;
        while (done < len) {
            if (fill == SEGMENT) {
                openSegment();
            }
            int n = Math.min(len - done, SEGMENT - fill);
            pool.write(handles[open], fill, data, done, n);
            live[open] += n;
            fill += n;
            done += n;
        }
        return location;
    }

    private void openSegment() {
        int slot = -1;
        for (int i = 0; i < slots; i++) { // re-use a slot given back earlier, keeping the arrays short
            if (handles[i] == 0 && i != open) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {
            if (slots == handles.length) {
                handles = Arrays.copyOf(handles, slots * 2);
                live = Arrays.copyOf(live, slots * 2);
                next = Arrays.copyOf(next, slots * 2);
            }
            slot = slots++;
        }
        handles[slot] = pool.malloc(SEGMENT);
        live[slot] = 0;
        next[slot] = -1;
        if (open >= 0) {
            next[open] = slot;
        }
        open = slot;
        fill = 0;
    }

    /** One stretch of a block inside one segment. */
    @FunctionalInterface
    private interface PieceVisitor {
        void piece(int segment, int offset, int done, int length);
    }

    /** Walks the pieces of a block, segment by segment along the chain. */
    private void forEachPiece(long location, PieceVisitor visitor) {
        int seg = segmentOf(location);
        int off = offsetOf(location);
        int len = length(location);
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, SEGMENT - off);
            int following = next[seg]; // read first: the visitor may give the segment back
            visitor.piece(seg, off, done, n);
            done += n;
            seg = following;
            off = 0;
        }
    }

    /** Copies a block's bytes into {@code dst}. The caller holds the owner's read lock. */
    synchronized void read(long location, byte[] dst) {
        forEachPiece(location, (seg, off, done, n) -> pool.read(handles[seg], off, dst, done, n));
    }

    /** Takes a block out; a segment left with nothing live goes back to the pool. */
    synchronized void free(long location) {
        forEachPiece(location, (seg, off, done, n) -> {
            live[seg] -= n;
            if (live[seg] == 0) {
                pool.free(handles[seg]);
                handles[seg] = 0;
                if (seg == open) { // nothing live left in the segment being filled: start afresh
                    open = -1;
                    fill = SEGMENT;
                }
            }
        });
    }

    /** Whether a block starts in a segment less than half live (worth rewriting); never the open one. */
    synchronized boolean sparse(long location) {
        int seg = segmentOf(location);
        return seg != open && live[seg] < SEGMENT / 2;
    }


    /** Bytes of the segment arrays. */
    synchronized long indexBytes() {
        return 3 * 16L + 8L * handles.length + 4L * live.length + 4L * next.length;
    }
}
