package dev.dyndbgd.body;

import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.site.SiteRecord;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's own account of its memory agrees with the JVM's independent count of direct memory. */
class IndependentCountTest {
    private static long directBytes() throws InterruptedException {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        // Let buffers of pools closed by earlier tests be collected first, so only ours changes the count.
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return direct.getMemoryUsed();
    }

    @Test
    void poolBytesMatchDirectMemory() throws Exception {
        long before = directBytes();
        try (PooledBodies bodies = new PooledBodies(new ZsPool("count"), new Lz4Codec(false))) {
            for (int m = 0; m < 300; m++) {
                bodies.create("m" + m, PooledBodiesTest.awkwardSites(50, m));
            }
            long after = directBytes();
            long held = bodies.pool().chunksHeld() * 16L * 4096;
            assertEquals(held, after - before, "direct memory the JVM counts = chunks the pool holds");
            BodyStats s = bodies.stats();
            assertTrue(s.poolPageBytes() >= held && s.poolPageBytes() < held + 256 * 1024,
                    "stats report the held pages plus a little metadata: " + s.poolPageBytes() + " vs " + held);
            assertTrue(bodies.pool().totalPages() * 4096 <= held, "pages in use fit in the pages held");
            List<String> lines = PoolReports.mmStat(bodies, 0).strip().lines().toList();
            assertEquals(1, lines.size());
            String[] cols = lines.get(0).trim().split(" +");
            assertEquals(9, cols.length);
            assertEquals(String.valueOf(s.rawBytes()), cols[0]);
            assertEquals(String.valueOf(s.storedBytes()), cols[1]);
            assertEquals(String.valueOf(bodies.pool().totalPages() * 4096), cols[2]);
        }
    }

    @Test
    void rawSiteRecordsAreAccountedAsLaidOut() {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("raw"), new RawCodec())) {
            List<SiteRecord> sites = PooledBodiesTest.awkwardSites(64, 9);
            bodies.create("m", sites);
            BodyStats s = bodies.stats();
            assertTrue(s.storedBytes() > s.rawBytes(), "no compression: stored = laid out + a length per block");
            assertTrue(s.storedBytes() - s.rawBytes() <= 3L * s.blocks());
        }
    }
}
