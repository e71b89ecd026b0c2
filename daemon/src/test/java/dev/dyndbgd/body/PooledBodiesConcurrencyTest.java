package dev.dyndbgd.body;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers map bodies while modules come and go and the pool is compacted under them. */
@Timeout(60)
class PooledBodiesConcurrencyTest {
    @Test
    void readersAlwaysSeeTheirBodiesWhileModulesChurnAndThePoolCompacts() throws Exception {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("churn"), new ZstdDictCodec(3, null))) {
            TableRegistry registry = new TableRegistry(bodies, new DyndbgLog(0));
            for (int m = 0; m < 60; m++) {
                registry.add(new ModuleImage("stable" + m, PooledBodiesTest.awkwardSites(30, m), List.of()));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(5);
            Future<?> churn = pool.submit(() -> {
                int round = 0;
                while (System.nanoTime() < until) {
                    registry.add(new ModuleImage("churn" + round, PooledBodiesTest.awkwardSites(40, 1000 + round), List.of()));
                    if (round >= 3) {
                        registry.remove("churn" + (round - 3));
                    }
                    if (round % 5 == 0) {
                        bodies.compact();
                    }
                    round++;
                }
                return round;
            });
            for (int r = 0; r < 4; r++) {
                int seed = r;
                pool.submit(() -> {
                    Random rnd = new Random(seed);
                    while (System.nanoTime() < until) {
                        int m = rnd.nextInt(60);
                        List<SiteRecord> want = PooledBodiesTest.awkwardSites(30, m);
                        ModuleTable t = registry.tables().get(m);
                        if (rnd.nextBoolean()) {
                            int i = rnd.nextInt(want.size());
                            if (!t.body(i).format().equals(want.get(i).format())) {
                                problems.add("stable" + m + " site " + i);
                            }
                        } else {
                            t.forEachBody(0, t.size(), (i, b) -> {
                                if (!b.format().equals(want.get(i).format())) {
                                    problems.add("scan stable" + m + " site " + i);
                                }
                            });
                        }
                    }
                    return null;
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            assertTrue((Integer) churn.get() > 10, "modules came and went");
            assertTrue(problems.isEmpty(), () -> problems.size() + " wrong bodies, first " + problems.peek());
            for (int m = 0; m < 60; m++) {
                assertEquals("stable" + m, registry.tables().get(m).name());
            }
        }
    }
}
