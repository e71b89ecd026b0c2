package dev.dyndbgd.robust;

import dev.dyndbgd.body.BodyStores;
import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A million small control batches through the engine, the saved state and the compressed pool: the
 * heap after a full collection is the same after the millionth as after the hundred-thousandth
 * (nothing accumulates per batch: no history, no leaked listener, no growing cache).
 */
@Timeout(300)
class HeapFlatTest {
    private static final int BATCHES = 1_000_000;

    @TempDir
    Path dir;

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    @Test
    void aMillionSmallBatchesLeaveTheHeapFlat() throws Exception {
        Path modules = dir.resolve("modules");
        java.nio.file.Files.createDirectories(modules);
        Fixtures.generatedModule(modules, "beta", 64);
        Fixtures.sitesModule(modules);
        PooledBodies bodies = BodyStores.pooled("zstd", 32);
        Daemon daemon = new Daemon(new DyndbgLog(0), bodies);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (StateStore state = StateStore.open(dir.resolve("state"), new DyndbgLog(0))) {
            daemon.useState(state);
            daemon.load(List.of(modules));
            daemon.registerSelf();
            String[] flags = {"p", "pmf", "_", "t", "pl"};
            long baseline = 0;
            long poolBaseline = 0;
            long t0 = System.nanoTime();
            for (int i = 1; i <= BATCHES; i++) {
                String batch = "module beta line " + (1 + i % 70) + " =" + flags[i % flags.length] + "; func nosuch -p";
                daemon.engine().write(batch);
                if (i == BATCHES / 10) {
                    baseline = usedAfterGc(memory);
                    poolBaseline = bodies.pool().totalPages();
                }
            }
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            long end = usedAfterGc(memory);
            long poolEnd = bodies.pool().totalPages();
            System.out.printf("heap after %,d batches: %,d bytes; after %,d: %,d bytes (%+,d); pool pages %d -> %d; %d s%n",
                    BATCHES / 10, baseline, BATCHES, end, end - baseline, poolBaseline, poolEnd, seconds);
            assertTrue(end - baseline < 4L << 20, "heap grew by " + (end - baseline) + " bytes over 900,000 batches");
            assertTrue(poolEnd <= poolBaseline, "pool grew from " + poolBaseline + " to " + poolEnd + " pages");
        }
    }
}
