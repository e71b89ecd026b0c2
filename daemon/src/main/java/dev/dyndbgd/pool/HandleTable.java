package dev.dyndbgd.pool;

import java.util.Arrays;

/**
 * The handle slots of one size class: a growable {@code long[]} of obj words (the kernel's
 * slab-allocated handle cells) plus an int stack of free slot numbers, reused LIFO. There is no
 * Java object per stored object. Every method must be called with the owning class's lock held
 * (write lock for the mutators, read or write for {@link #lookup}), which is also what makes an
 * obj word consistent with compaction moving the object.
 */
final class HandleTable {
    private static final int INITIAL = 64;
    /** Tables start empty: most of a pool's 119 classes may never hold an object. */
    private static final long[] NO_WORDS = new long[0];
    private static final int[] NO_SLOTS = new int[0];

    private long[] words = NO_WORDS;
    /** Slots 0..highWater-1 have been handed out at least once. */
    private int highWater;
    private int[] freeSlots = NO_SLOTS;
    private int freeTop;
    private int live;

    /**
     * Takes a slot for a new object and returns its handle; the slot's obj is set by
     * {@link #record} once the object has a place (the header needs the handle first).
     */
    long issue(int classIndex) {
        int slot;
        int generation;
        if (freeTop > 0) {
            slot = freeSlots[--freeTop];
            generation = Handles.wordGeneration(words[slot]);
        } else {
            if (highWater == Integer.MAX_VALUE) {
                throw new IllegalStateException("handle table of class " + classIndex + " is full");
            }
            slot = highWater++;
            if (slot == words.length) {
                words = Arrays.copyOf(words, Math.max(INITIAL, grow(words.length)));
            }
            generation = 1;
        }
        words[slot] = Handles.word(generation, Handles.NO_OBJ);
        live++;
        return Handles.handle(generation, classIndex, slot);
    }

    /** Points a live handle at a (new) location; keeps its generation. */
    void record(long handle, long obj) {
        int slot = Handles.slot(handle);
        words[slot] = Handles.word(Handles.wordGeneration(words[slot]), obj);
    }

    /** The obj word of a live handle, or -1 if the handle is not live in this table. */
    long lookup(long handle) {
        int slot = Handles.slot(handle);
        if (slot < 0 || slot >= highWater) {
            return -1;
        }
        long word = words[slot];
        long obj = word & Handles.OBJ_MASK;
        if (obj == Handles.NO_OBJ || Handles.wordGeneration(word) != Handles.generation(handle)) {
            return -1;
        }
        return obj;
    }

    /** Retires a live handle: bumps the slot's generation so the old handle stops matching. */
    void release(long handle) {
        int slot = Handles.slot(handle);
        int next = Handles.nextGeneration(Handles.wordGeneration(words[slot]));
        words[slot] = Handles.word(next, Handles.NO_OBJ);
        if (freeTop == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, Math.max(16, grow(freeSlots.length)));
        }
        freeSlots[freeTop++] = slot;
        live--;
    }

    int live() {
        return live;
    }

    /** Heap bytes of the two arrays (16-byte array headers; the shared empty ones cost nothing). */
    long bytes() {
        return (words.length == 0 ? 0 : 16L + 8L * words.length) + (freeSlots.length == 0 ? 0 : 16L + 4L * freeSlots.length);
    }

    /** Drops everything (pool close). */
    void clear() {
        words = NO_WORDS;
        freeSlots = NO_SLOTS;
        highWater = 0;
        freeTop = 0;
        live = 0;
    }

    private static int grow(int length) {
        long next = (long) length + (length >> 1) + 16;
        return (int) Math.min(Integer.MAX_VALUE - 8, next);
    }
}
