package dev.dyndbgd.memory;

import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.selfdebug.SelfModule;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the process as lean as its data: after a burst of work it gives back what the burst left
 * behind. A burst (loading thousands of modules, a crowd of readers and writers on control) grows
 * the Java heap and the C heap; neither shrinks by itself while the daemon then sits idle, so
 * {@code top} would show the burst's peak for ever.
 *
 * <p>Settling is a full collection, which the launcher's collector (Serial, heap free ratios
 * 10-30%, shrinking in one step) follows by giving the unused heap back, and then a trim of the C
 * heap ({@link NativeHeap}). It runs once when loading is done, and after activity once things
 * have been quiet for a whole check period: a full collection of a few megabytes of live heap
 * costs some milliseconds, so it is kept to moments when nobody is waiting.
 */
public final class Footprint implements AutoCloseable {
    private static final DebugSite SETTLED = SelfModule.DEBUG.site("settled memory (%s): resident %s -> %s, peak %s\n");
    /** How often activity is checked; a settle follows the first check that saw none since the previous one. */
    static final long CHECK_SECONDS = 10;

    private final LongSupplier activity;
    private final Runnable release;
    private ScheduledExecutorService checker;
    private long seenAtLastCheck;
    private long seenAtLastSettle;

    /** @param activity any number that changes whenever the daemon does work (flag changes, opens, cache drops) */
    public Footprint(LongSupplier activity) {
        this(activity, () -> {
        });
    }

    /** @param release drops what the burst's work kept for re-use (the mount's large read buffers), before collecting */
    public Footprint(LongSupplier activity, Runnable release) {
        this.activity = activity;
        this.release = release;
        this.seenAtLastCheck = activity.getAsLong();
        this.seenAtLastSettle = seenAtLastCheck;
    }

    /** Collects and trims now; returns the resident set before and after. */
    public static ProcessMemory[] settle(String why) {
        ProcessMemory before = ProcessMemory.self();
        System.gc();
        NativeHeap.trim();
        ProcessMemory after = ProcessMemory.self();
        SETTLED.printf(why, ProcessMemory.mb(before.rssBytes()), ProcessMemory.mb(after.rssBytes()),
                ProcessMemory.mb(after.peakBytes()));
        return new ProcessMemory[]{before, after};
    }

    /** Starts the periodic check on a thread of its own (a daemon thread: it never holds up exit). */
    public synchronized Footprint watchIdle() {
        if (checker == null) {
            checker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "footprint");
                t.setDaemon(true);
                return t;
            });
            checker.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
        }
        return this;
    }

    /** One check: settles if there was activity since the last settle and none since the last check. */
    synchronized boolean check() {
        long now = activity.getAsLong();
        boolean quiet = now == seenAtLastCheck;
        seenAtLastCheck = now;
        if (quiet && now != seenAtLastSettle) {
            seenAtLastSettle = now;
            release.run();
            settle("idle after activity");
            return true;
        }
        return false;
    }

    @Override
    public synchronized void close() {
        if (checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }
}
