package dev.dyndbgd.pool;

/**
 * The newest kernel's 12 fullness groups: 0 = empty, 11 = full, and in between 10% steps of
 * {@code 100 * inuse / objs} (integer), shifted by one so that a zspage with a single object out
 * of 128 (ratio 0) is still "in use" (group 1) and not mistaken for empty.
 */
final class FullnessGroup {
    static final int EMPTY = 0;
    /** Group 1: ratio 0..9%, the debugfs "10%" column. */
    static final int RATIO_10 = 1;
    /** Group 10: ratio 90..99%, the debugfs "99%" column. */
    static final int RATIO_99 = 10;
    static final int FULL = 11;
    static final int COUNT = 12;

    private FullnessGroup() {
    }

    static int of(int inuse, int objsPerZspage) {
        if (inuse == 0) {
            return EMPTY;
        }
        if (inuse == objsPerZspage) {
            return FULL;
        }
        int ratio = 100 * inuse / objsPerZspage;
        return ratio / 10 + 1;
    }
}
