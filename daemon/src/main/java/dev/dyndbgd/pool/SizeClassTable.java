package dev.dyndbgd.pool;

import static dev.dyndbgd.pool.ZsLayout.HANDLE_SIZE;
import static dev.dyndbgd.pool.ZsLayout.MAX_ALLOC_SIZE;
import static dev.dyndbgd.pool.ZsLayout.MIN_ALLOC_SIZE;
import static dev.dyndbgd.pool.ZsLayout.NOMINAL_CLASSES;
import static dev.dyndbgd.pool.ZsLayout.PAGE_SIZE;
import static dev.dyndbgd.pool.ZsLayout.SIZE_CLASS_DELTA;

import java.util.Arrays;

/**
 * The size classes of a pool for one chain size: which nominal class index maps to which
 * representative ("merged") class, and each representative's size, pages per zspage and objects
 * per zspage. Pure computation, no state beyond the table, so it can be tested on its own.
 *
 * <p>Rules (newest kernel): nominal class {@code i} holds {@code min(4096, 32 + 16 i)} bytes; its
 * chain length is 1 for a power-of-two size, else the page count 1..chain with the strictly
 * smallest tail waste (first wins ties); walking from 254 down, a class whose (pages, objects)
 * equal those of the last class actually created becomes an alias of it.
 */
final class SizeClassTable {
    private final int chainSize;
    /** nominal index -> representative index (the largest index of its merged run). */
    private final int[] representativeOf = new int[NOMINAL_CLASSES];
    private final int[] sizeOf = new int[NOMINAL_CLASSES];
    private final int[] pagesOf = new int[NOMINAL_CLASSES];
    private final int[] objsOf = new int[NOMINAL_CLASSES];
    /** representative indexes in ascending order. */
    private final int[] representatives;
    private final int hugeClassSize;

    SizeClassTable(int chainSize) {
        if (chainSize < ZsLayout.MIN_CHAIN_SIZE || chainSize > ZsLayout.MAX_CHAIN_SIZE) {
            throw new IllegalArgumentException("pages per zspage must be "
                    + ZsLayout.MIN_CHAIN_SIZE + ".." + ZsLayout.MAX_CHAIN_SIZE + ", got " + chainSize);
        }
        this.chainSize = chainSize;
        int created = 0;
        int[] reps = new int[NOMINAL_CLASSES];
        int prev = -1;
        int huge = 0;
        for (int i = NOMINAL_CLASSES - 1; i >= 0; i--) {
            int size = nominalSize(i);
            int pages = chainLengthFor(size, chainSize);
            int objs = pages * PAGE_SIZE / size;
            // The first class (from the top) that is not one object on one page marks the end of
            // the huge range; sizes above it minus the 7 bytes a header can round away are huge.
            if (huge == 0 && pages != 1 && objs != 1) {
                huge = size - (HANDLE_SIZE - 1);
            }
            if (prev >= 0 && pagesOf[prev] == pages && objsOf[prev] == objs) {
                representativeOf[i] = prev;
                continue;
            }
            representativeOf[i] = i;
            sizeOf[i] = size;
            pagesOf[i] = pages;
            objsOf[i] = objs;
            reps[created++] = i;
            prev = i;
        }
        int[] ascending = Arrays.copyOf(reps, created);
        Arrays.sort(ascending);
        this.representatives = ascending;
        this.hugeClassSize = huge;
    }

    /** Size of nominal class {@code i}: 32 + 16 i, capped at a page. */
    static int nominalSize(int i) {
        return Math.min(MAX_ALLOC_SIZE, MIN_ALLOC_SIZE + i * SIZE_CLASS_DELTA);
    }

    /**
     * Pages per zspage for a class size: 1 for powers of two (they tile a page exactly), else
     * the chain length in 1..maxPages with the least tail waste, the shortest one on ties.
     */
    static int chainLengthFor(int classSize, int maxPages) {
        if (Integer.bitCount(classSize) == 1) {
            return 1;
        }
        int best = 1;
        int bestWaste = Integer.MAX_VALUE;
        for (int pages = 1; pages <= maxPages; pages++) {
            int waste = (pages * PAGE_SIZE) % classSize;
            if (waste < bestWaste) {
                bestWaste = waste;
                best = pages;
            }
        }
        return best;
    }

    /** Nominal index for a size that already includes the 8-byte header (get_size_class_index). */
    static int nominalIndexFor(int sizeWithHeader) {
        int idx = 0;
        if (sizeWithHeader > MIN_ALLOC_SIZE) {
            idx = (sizeWithHeader - MIN_ALLOC_SIZE + SIZE_CLASS_DELTA - 1) / SIZE_CLASS_DELTA;
        }
        return Math.min(NOMINAL_CLASSES - 1, idx);
    }

    /** Representative class index that a {@code malloc(payload)} lands in. */
    int classIndexForPayload(int payload) {
        return representativeOf[nominalIndexFor(payload + HANDLE_SIZE)];
    }

    /** Representative class index for a raw size (zs_lookup_class_index: no header added). */
    int lookupClassIndex(int rawSize) {
        return representativeOf[nominalIndexFor(rawSize)];
    }

    int representativeOf(int nominalIndex) {
        return representativeOf[nominalIndex];
    }

    boolean isRepresentative(int index) {
        return index >= 0 && index < NOMINAL_CLASSES && representativeOf[index] == index;
    }

    int size(int repIndex) {
        return sizeOf[repIndex];
    }

    int pagesPerZspage(int repIndex) {
        return pagesOf[repIndex];
    }

    int objsPerZspage(int repIndex) {
        return objsOf[repIndex];
    }

    /** A one-object, one-page class keeps its handle out of band (no in-object header). */
    boolean isHuge(int repIndex) {
        return pagesOf[repIndex] == 1 && objsOf[repIndex] == 1;
    }

    int[] representatives() {
        return representatives.clone();
    }

    int distinctClasses() {
        return representatives.length;
    }

    int hugeClassSize() {
        return hugeClassSize;
    }

    int chainSize() {
        return chainSize;
    }
}
