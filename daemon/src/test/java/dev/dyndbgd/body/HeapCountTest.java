package dev.dyndbgd.body;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.TableRegistry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heap side of the {@code stats} file against an independent count: the JVM's own heap usage,
 * measured after full collections before and after loading many tables. (Direct memory, where the
 * pool keeps its pages, is checked the same way in {@link IndependentCountTest}.)
 */
class HeapCountTest {
    /** Enough tables that the heap they take (about 14 MB) dwarfs what collections leave behind. */
    private static final int MODULES = 30_000;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** Heap in use once collections stop changing it (three equal readings in a row). */
    private static long settledHeap() throws InterruptedException {
        long last = -1;
        int same = 0;
        for (int i = 0; i < 40 && same < 2; i++) {
            System.gc();
            Thread.sleep(30);
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            same = used == last ? same + 1 : 0;
            last = used;
        }
        return last;
    }

    /** Modules the way a kernel tree has them: most small, a few big. */
    private static List<ModuleImage> modules(int count) {
        Random rnd = new Random(7);
        List<ModuleImage> out = new ArrayList<>(count);
        for (int m = 0; m < count; m++) {
            int sites = 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(120) : rnd.nextInt(12));
            List<SiteRecord> list = new ArrayList<>(sites);
            for (int i = 0; i < sites; i++) {
                list.add(new SiteRecord("drivers/net/m" + m + "/core" + (i / 9) + ".c", "m" + m + "_fn" + (i / 3),
                        "m" + m + ": state %d of " + rnd.nextInt(100000) + " (%s)\n", 10 + 7 * i, SiteRecord.CLASS_DEFAULT,
                        i % 50 == 0 ? 1 : 0)); // a few enabled, so the mapped-body cache is in the count too
            }
            // One origin per tree loaded (shared by its modules), some modules from files named alone.
            String origin = m % 7 == 0 ? "/tmp/extra/mod_" + m + ".ko" : "module files under /lib/modules/tree" + (m / 1000);
            out.add(new ModuleImage("mod_" + m, list, List.of(), origin));
        }
        return out;
    }

    /** A string with its own text array ({@code new String(String)} would share the original's). */
    private static String copy(String s) {
        return new String(s.toCharArray());
    }

    @Test
    void heapPartsOfTheStatsMatchTheMeasuredHeap() throws Exception {
        List<ModuleImage> images = modules(MODULES);
        long before = settledHeap();
        PooledBodies bodies = new PooledBodies(new ZsPool("heap"), new Lz4DictCodec(null));
        TableRegistry registry = new TableRegistry(bodies, new DyndbgLog(0));
        Map<String, String> origins = new HashMap<>();
        for (ModuleImage m : images) {
            // Names and origins a loader hands over end up owned by the tables: copies, so the images do not
            // share them; one copy of each origin, as the loader shares one string for a tree.
            registry.add(new ModuleImage(copy(m.name()), m.sites(), m.classMaps(), origins.computeIfAbsent(m.origin(), HeapCountTest::copy)));
        }
        origins = null;
        bodies.trainDictionary(16 * 1024);
        bodies.releaseWorkingMemory();
        long after = settledHeap();
        long measured = after - before;
        BodyStats s = bodies.stats();
        long accounted = PoolReports.headBytes(registry.tables()) + s.indexBytes() + s.codecBytes() + s.cacheBytes();
        double ratio = (double) accounted / measured;
        System.out.printf("heap: measured %d, stats %d (%.3f)%n", measured, accounted, ratio);
        assertTrue(ratio > 0.92 && ratio < 1.08, "stats count " + accounted + " heap bytes, the JVM measured " + measured);
        assertTrue(registry.tables().size() == MODULES);
        bodies.close();
    }
}
