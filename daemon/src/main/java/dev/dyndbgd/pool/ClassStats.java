package dev.dyndbgd.pool;

import java.util.Arrays;

/**
 * One row of the debugfs {@code classes} file, taken under the class lock so its numbers agree
 * with each other.
 *
 * @param index          representative class index (0..254)
 * @param size           object size in bytes, header included
 * @param pagesPerZspage pages chained into one zspage
 * @param objsPerZspage  objects one zspage holds
 * @param zspagesPerGroup zspage count per fullness group 0..11 (0 = empty, 1 = "10%" ... 10 =
 *                       "99%", 11 = "100%"); a copy, length 12
 * @param objAllocated   object slots in existing zspages
 * @param objUsed        live objects
 * @param pagesUsed      {@code objAllocated / objsPerZspage * pagesPerZspage}
 * @param freeable       pages compaction could give back (zs_can_compact)
 */
public record ClassStats(int index, int size, int pagesPerZspage, int objsPerZspage,
                         long[] zspagesPerGroup, long objAllocated, long objUsed, long pagesUsed,
                         long freeable) {
    public ClassStats {
        zspagesPerGroup = zspagesPerGroup.clone();
    }

    @Override
    public long[] zspagesPerGroup() {
        return zspagesPerGroup.clone();
    }

    /** Zspages in fullness group {@code group} (0..11). */
    public long zspagesInGroup(int group) {
        return zspagesPerGroup[group];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassStats s && index == s.index && size == s.size
                && pagesPerZspage == s.pagesPerZspage && objsPerZspage == s.objsPerZspage
                && Arrays.equals(zspagesPerGroup, s.zspagesPerGroup)
                && objAllocated == s.objAllocated && objUsed == s.objUsed
                && pagesUsed == s.pagesUsed && freeable == s.freeable;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(zspagesPerGroup)
                + Long.hashCode(index * 1_000_003L + objAllocated * 31 + objUsed);
    }

    @Override
    public String toString() {
        return "ClassStats[index=" + index + ", size=" + size + ", pagesPerZspage=" + pagesPerZspage
                + ", objsPerZspage=" + objsPerZspage + ", zspagesPerGroup="
                + Arrays.toString(zspagesPerGroup) + ", objAllocated=" + objAllocated
                + ", objUsed=" + objUsed + ", pagesUsed=" + pagesUsed + ", freeable=" + freeable + "]";
    }
}
