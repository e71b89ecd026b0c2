package dev.dyndbgd.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Metadata of one zspage: the page ids of its chain, the head of its free-object list, how many
 * objects are in use, and its place on its class's fullness list (intrusive, so listing costs no
 * extra objects). One of these exists per zspage, never per object.
 *
 * <p>All fields except {@code pins} are guarded by the owning class's write lock (read lock for
 * readers). {@code pins} counts open {@link Mapping}s: it is raised under the class lock and
 * lowered without it, so compaction (which holds the write lock) seeing 0 means no mapping can
 * appear until it lets go.
 */
final class ZsPage {
    static final int NOT_LISTED = -1;

    private static final VarHandle PINS;

    static {
        try {
            PINS = MethodHandles.lookup().findVarHandle(ZsPage.class, "pins", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SizeClass sizeClass;
    final int[] pageIds;
    final boolean huge;
    int inuse;
    /** Index of the first free object, -1 when the zspage is full. */
    int freeObj;
    /** Fullness group whose list holds this zspage, or NOT_LISTED while isolated/freed. */
    int group = NOT_LISTED;
    ZsPage prev;
    ZsPage next;
    /** Huge zspages keep the tagged handle here instead of in the object (0 = free). */
    long hugeHeader;
    @SuppressWarnings("unused") // accessed through PINS
    private volatile int pins;

    ZsPage(SizeClass sizeClass, int[] pageIds) {
        this.sizeClass = sizeClass;
        this.pageIds = pageIds;
        this.huge = sizeClass.huge;
    }

    void pin() {
        PINS.getAndAdd(this, 1);
    }

    void unpin() {
        PINS.getAndAdd(this, -1);
    }

    boolean pinned() {
        return (int) PINS.getVolatile(this) != 0;
    }

    /**
     * Rough heap footprint: object header and fields (~64 bytes with compressed oops) plus the
     * page-id array (16-byte header + 4 bytes per page, 8-byte aligned).
     */
    static long estimatedBytes(int pagesPerZspage) {
        long ids = 16L + 4L * pagesPerZspage;
        return 64L + ((ids + 7) & ~7L);
    }
}
