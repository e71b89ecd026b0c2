package dev.dyndbgd.reclaim;

import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.control.ControlSnapshots;
import dev.dyndbgd.log.DyndbgLog;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import javax.management.NotificationEmitter;

/**
 * The diet's sixth step: give memory back. Drops decoded copies that nothing needs (the cached
 * control rendering; disabled sites are never kept decoded) and compacts the pool, freeing emptied
 * zspages. Runs on demand (a write to {@code zsmalloc/compact}), when the pool outgrows a configured
 * budget, and when the JVM signals that its heap is nearly full.
 */
public final class Reclaimer {
    /** The fraction of a heap pool still in use after a collection that counts as low memory. */
    static final double LOW_MEMORY_FRACTION = 0.9;

    private final PooledBodies bodies;
    private final ControlSnapshots snapshots;
    private final DyndbgLog log;
    private final long budgetBytes;
    /** Pool pages a reclaim left behind, or -1 before the first: the budget check's floor. */
    private long pagesAfterLastReclaim = -1;

    /** What one reclaim gave back. */
    public record Result(long pagesFreed, long cachedBytesDropped) {
        public String describe() {
            return "reclaim: compacted " + pagesFreed + " pages (" + pagesFreed * 4 + " KiB), dropped " + cachedBytesDropped
                    + " bytes of cached control text";
        }
    }

    /** @param budgetBytes pool size above which a reclaim runs after growth; 0 for none */
    public Reclaimer(PooledBodies bodies, ControlSnapshots snapshots, DyndbgLog log, long budgetBytes) {
        this.bodies = bodies;
        this.snapshots = snapshots;
        this.log = log;
        this.budgetBytes = budgetBytes;
    }

    public synchronized Result reclaim(String why) {
        long dropped = snapshots == null ? 0 : snapshots.drop();
        long pages = bodies.compact();
        pagesAfterLastReclaim = bodies.pool().totalPages();
        Result r = new Result(pages, dropped);
        log.info(r.describe() + " (" + why + ")");
        return r;
    }

    /**
     * Reclaims if the pool holds more than the budget and has grown since the last reclaim. When
     * what is live does not fit the budget, compacting again after every table added would free
     * nothing and cost a pass over the pool each time; so after a reclaim the next one waits until
     * the pool has grown by an eighth (at least 16 pages) past what that reclaim left.
     */
    public synchronized void checkBudget() {
        long pages = bodies.pool().totalPages();
        if (budgetBytes <= 0 || pages * 4096L <= budgetBytes) {
            return;
        }
        if (pagesAfterLastReclaim >= 0 && pages < pagesAfterLastReclaim + Math.max(16, pagesAfterLastReclaim / 8)) {
            return;
        }
        reclaim("pool above its budget of " + budgetBytes + " bytes");
    }

    /** Asks the JVM to tell us when a heap pool crosses 90% after a collection; reclaims then. */
    public void watchLowMemory() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported() && p.getUsage().getMax() > 0) {
                p.setCollectionUsageThreshold((long) (p.getUsage().getMax() * LOW_MEMORY_FRACTION));
            }
        }
        NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
        emitter.addNotificationListener((n, handback) -> {
            if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(n.getType())) {
                reclaim("JVM heap nearly full");
            }
        }, null, null);
    }
}
