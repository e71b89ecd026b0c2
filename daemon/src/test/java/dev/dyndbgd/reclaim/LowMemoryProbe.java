package dev.dyndbgd.reclaim;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in its own small-heap JVM by {@link ReclaimerTest}: caches the control text, asks the JVM to
 * signal low memory as the daemon does, then fills the heap until a collection leaves it over the
 * threshold, and reports whether the reclaimer ran (exit 0) or not (exit 1).
 */
public final class LowMemoryProbe {
    private static final int CHUNK = 64 * 1024 - 64;
    private LowMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (ReclaimSetup s = new ReclaimSetup(0)) {
            for (int m = 0; m < 100; m++) {
                s.registry.add(ReclaimSetup.module("mod" + m, 30));
            }
            s.readControl();
            System.out.println("cached control text before: " + s.snapshots.cachedBytes());
            s.reclaimer.watchLowMemory();
            s.log.addLineListener(System.out::println);
            List<byte[]> ballast = new ArrayList<>();
            long max = Runtime.getRuntime().maxMemory();
            for (int round = 0; round < 200 && s.reclaims() == 0; round++) {
                System.gc(); // each full collection that leaves the heap over the threshold makes the JVM signal
                Thread.sleep(20);
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                // Fill half the way past the threshold each round, in chunks the collector cannot free,
                // small enough to pack G1's regions (256 KiB ones leave a quarter of each region empty,
                // and the heap runs out at 75% before any signal).
                for (long more = (long) (max * (Reclaimer.LOW_MEMORY_FRACTION + 0.05) - used) / 2; more > 0; more -= CHUNK) {
                    ballast.add(new byte[CHUNK]);
                }
            }
            for (int i = 0; i < 100 && s.reclaims() == 0; i++) {
                Thread.sleep(20); // the notification arrives on another thread
            }
            System.out.println("ballast: " + ballast.size() * (long) CHUNK + " bytes; cached control text after: " + s.snapshots.cachedBytes());
            System.exit(s.reclaims() > 0 ? 0 : 1);
        }
    }
}
