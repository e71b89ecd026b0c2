package dev.dyndbgd.pool;

import static dev.dyndbgd.pool.ZsLayout.PAGE_SHIFT;
import static dev.dyndbgd.pool.ZsLayout.PAGE_SIZE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The pool's page allocator: 4 KiB pages carved out of large direct (off-heap) buffers called
 * chunks, recycled through per-chunk free stacks. A page id is {@code chunkSlot * PAGES_PER_CHUNK + n}.
 *
 * <p>Pages are handed out from the lowest-numbered chunk that has a free page, so live data
 * drifts towards low chunks and high ones can empty out; a chunk whose pages are all free is
 * given back (its buffer dropped for the GC to reclaim) as soon as another completely free chunk
 * is already held, so at most SPARE_CHUNKS idle chunks are kept to absorb alloc/free churn.
 *
 * <p>Bookkeeping is guarded by a private lock that is always taken last (class lock first).
 * Page contents are read and written without this lock: a page belongs to one zspage, and its
 * class's lock (or a pin) orders those accesses. {@link #memory} reads a volatile array
 * reference, so it is safe to call from any thread for a page the caller legitimately owns.
 */
final class PageStore {
    // 16 pages (64 KiB) per chunk: small enough that a small pool holds little slack, large enough that
    // one direct buffer serves many pages.
    static final int CHUNK_SHIFT = 4;
    /**
     * Idle chunks kept to absorb alloc/free churn. None: a chunk is only 64 KiB, allocating one is
     * cheap, and for a pool of a few hundred pages an idle spare would be a tenth of its memory.
     */
    static final int SPARE_CHUNKS = 0;
    static final int PAGES_PER_CHUNK = 1 << CHUNK_SHIFT;
    private static final int CHUNK_BYTES = PAGES_PER_CHUNK * PAGE_SIZE;

    /** One direct buffer of PAGES_PER_CHUNK pages and the owner of each page. */
    static final class Chunk {
        final ByteBuffer memory;
        final ZsPage[] owners = new ZsPage[PAGES_PER_CHUNK];
        final short[] freeStack = new short[PAGES_PER_CHUNK];
        int freeCount;

        Chunk() {
            memory = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            // Pop order 0,1,2,... so a fresh chunk fills from its start.
            for (int i = 0; i < PAGES_PER_CHUNK; i++) {
                freeStack[i] = (short) (PAGES_PER_CHUNK - 1 - i);
            }
            freeCount = PAGES_PER_CHUNK;
        }
    }

    private final Object lock = new Object();
    private volatile Chunk[] chunks = new Chunk[4];
    /** Slots whose chunk has at least one free page. */
    private final BitSet withFreePages = new BitSet();
    /** Slots that currently hold no chunk (released), reused lowest first. */
    private final BitSet vacant = new BitSet();
    private int slotsUsed;
    private int chunksHeld;
    private int idleChunks;
    private volatile long pagesInUse;

    /** Fills {@code out} with fresh page ids and records {@code owner} for each. */
    void allocate(int[] out, ZsPage owner) {
        synchronized (lock) {
            int taken = 0;
            try {
                for (; taken < out.length; taken++) {
                    int slot = withFreePages.nextSetBit(0);
                    if (slot < 0) {
                        slot = addChunk(); // may throw OutOfMemoryError (direct memory)
                    }
                    out[taken] = takeFrom(slot, owner);
                }
            } catch (RuntimeException | Error e) {
                for (int i = 0; i < taken; i++) {
                    giveBack(out[i]);
                }
                throw e;
            }
            pagesInUse += out.length;
        }
    }

    private int takeFrom(int slot, ZsPage owner) {
        Chunk c = chunks[slot];
        if (c.freeCount == PAGES_PER_CHUNK) {
            idleChunks--;
        }
        int n = c.freeStack[--c.freeCount];
        if (c.freeCount == 0) {
            withFreePages.clear(slot);
        }
        c.owners[n] = owner;
        return (slot << CHUNK_SHIFT) | n;
    }

    private void giveBack(int id) {
        int slot = id >>> CHUNK_SHIFT;
        int n = id & (PAGES_PER_CHUNK - 1);
        Chunk c = chunks[slot];
        c.owners[n] = null;
        c.freeStack[c.freeCount++] = (short) n;
        withFreePages.set(slot);
        if (c.freeCount == PAGES_PER_CHUNK) {
            if (idleChunks >= SPARE_CHUNKS) {
                dropChunk(slot);
            } else {
                idleChunks++;
            }
        }
    }

    /** Returns pages to their chunks, dropping chunks that have become idle beyond the spares. */
    void release(int[] pageIds) {
        synchronized (lock) {
            for (int id : pageIds) {
                giveBack(id);
            }
            pagesInUse -= pageIds.length;
        }
    }

    /**
     * One page in a chunk below {@code limitSlot} for {@code owner}, or -1 if those are full.
     * Used to move live pages out of a high chunk so that chunk can be given back.
     */
    int allocateBelow(int limitSlot, ZsPage owner) {
        synchronized (lock) {
            int slot = withFreePages.nextSetBit(0);
            if (slot < 0 || slot >= limitSlot) {
                return -1;
            }
            pagesInUse++;
            return takeFrom(slot, owner);
        }
    }

    /**
     * The chunk worth emptying, or -1: the highest chunk that has live pages, provided more
     * chunks hold live pages than the live page count needs and the chunks below it have room
     * for all of its live pages.
     */
    int evacuationCandidate() {
        synchronized (lock) {
            Chunk[] cs = chunks;
            int nonEmpty = 0;
            int highest = -1;
            for (int slot = 0; slot < cs.length; slot++) {
                Chunk c = cs[slot];
                if (c != null && c.freeCount < PAGES_PER_CHUNK) {
                    nonEmpty++;
                    highest = slot;
                }
            }
            long needed = (pagesInUse + PAGES_PER_CHUNK - 1) / PAGES_PER_CHUNK;
            if (highest < 0 || nonEmpty <= needed) {
                return -1;
            }
            long roomBelow = 0;
            for (int slot = 0; slot < highest; slot++) {
                if (cs[slot] != null) {
                    roomBelow += cs[slot].freeCount;
                }
            }
            return roomBelow >= PAGES_PER_CHUNK - cs[highest].freeCount ? highest : -1;
        }
    }

    /**
     * Live page ids of a chunk with their owners, as of now ({@code owners} is filled in); none if
     * the chunk was given back since it was chosen (its last pages freed by another thread between
     * {@link #evacuationCandidate} and this call).
     */
    int[] livePages(int slot, List<ZsPage> owners) {
        synchronized (lock) {
            Chunk c = slot < chunks.length ? chunks[slot] : null;
            if (c == null) {
                return new int[0];
            }
            int[] ids = new int[PAGES_PER_CHUNK - c.freeCount];
            int k = 0;
            for (int n = 0; n < PAGES_PER_CHUNK; n++) {
                if (c.owners[n] != null) {
                    ids[k++] = (slot << CHUNK_SHIFT) | n;
                    owners.add(c.owners[n]);
                }
            }
            return ids;
        }
    }

    private int addChunk() {
        int slot = vacant.nextSetBit(0);
        if (slot >= 0) {
            vacant.clear(slot);
        } else {
            slot = slotsUsed++;
            if ((long) slotsUsed << CHUNK_SHIFT > Handles.MAX_PAGE_ID) {
                slotsUsed--;
                throw new OutOfMemoryError("page id space exhausted");
            }
        }
        Chunk[] cs = chunks;
        if (slot >= cs.length) {
            cs = Arrays.copyOf(cs, Math.max(slot + 1, cs.length * 2));
        }
        cs[slot] = new Chunk();
        chunks = cs; // publish (also when the array did not grow)
        withFreePages.set(slot);
        chunksHeld++;
        idleChunks++;
        return slot;
    }

    private void dropChunk(int slot) {
        Chunk[] cs = chunks;
        cs[slot] = null;
        chunks = cs;
        withFreePages.clear(slot);
        vacant.set(slot);
        chunksHeld--;
    }

    /** Chunk buffer holding a page; the page starts at {@link #base}. */
    ByteBuffer memory(int pageId) {
        return chunks[pageId >>> CHUNK_SHIFT].memory;
    }

    static int base(int pageId) {
        return (pageId & (PAGES_PER_CHUNK - 1)) << PAGE_SHIFT;
    }

    /** The zspage a page belongs to; null if the page is free or its chunk was given back. */
    ZsPage owner(int pageId) {
        Chunk[] cs = chunks;
        int slot = pageId >>> CHUNK_SHIFT;
        Chunk c = slot < cs.length ? cs[slot] : null;
        return c == null ? null : c.owners[pageId & (PAGES_PER_CHUNK - 1)];
    }

    /** Pages currently in zspages (zs_get_total_pages). */
    long pagesInUse() {
        return pagesInUse;
    }

    /** Page memory actually held, free pages in held chunks included. */
    long heldBytes() {
        synchronized (lock) {
            return (long) chunksHeld * CHUNK_BYTES;
        }
    }

    int chunksHeld() {
        synchronized (lock) {
            return chunksHeld;
        }
    }

    /**
     * Heap bytes of the bookkeeping: the chunk array, and per chunk its object, owner array
     * (4-byte compressed references) and free stack, plus the buffer object itself (~64 bytes).
     */
    long metadataBytes() {
        synchronized (lock) {
            long perChunk = 32 + (16 + 4L * PAGES_PER_CHUNK) + (16 + 2L * PAGES_PER_CHUNK) + 64;
            return 16 + 4L * chunks.length + chunksHeld * perChunk + 64;
        }
    }

    /** Drops every chunk (pool close). Buffers still referenced by open mappings stay valid. */
    void releaseAll() {
        synchronized (lock) {
            chunks = new Chunk[4];
            withFreePages.clear();
            vacant.clear();
            slotsUsed = 0;
            chunksHeld = 0;
            idleChunks = 0;
            pagesInUse = 0;
        }
    }
}
