package dev.dyndbgd.reclaim;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The diet's sixth step, each trigger for real: on demand, a configured budget, and the JVM's
 * low-memory signal (in a child JVM with a small heap). Each drops the cached control text and
 * compacts the pool, and says what it freed.
 */
class ReclaimerTest {
    @Test
    void onDemandItDropsTheControlCacheAndGivesBackTheRemovedModulesPages() {
        try (ReclaimSetup s = new ReclaimSetup(0)) {
            for (int m = 0; m < 120; m++) {
                s.registry.add(ReclaimSetup.module("mod" + m, 40));
            }
            for (int m = 0; m < 120; m += 2) {
                s.registry.remove("mod" + m);
            }
            s.readControl();
            long cached = s.snapshots.cachedBytes();
            long pages = s.bodies.pool().totalPages();
            assertTrue(cached > 0, "reading control cached its text");

            Reclaimer.Result r = s.reclaimer.reclaim("asked");
            assertEquals(cached, r.cachedBytesDropped());
            assertEquals(0, s.snapshots.cachedBytes());
            assertTrue(r.pagesFreed() > 0, "half the modules left: their pages come back");
            assertEquals(pages - r.pagesFreed(), s.bodies.pool().totalPages());
            assertTrue(s.lines.stream().anyMatch(l -> l.contains("reclaim: compacted " + r.pagesFreed() + " pages")
                    && l.contains("dropped " + cached + " bytes of cached control text") && l.endsWith("(asked)")), s.lines.toString());
        }
    }

    @Test
    void aBudgetReclaimsWhenThePoolOutgrowsItButNotAfterEveryTable() {
        try (ReclaimSetup s = new ReclaimSetup(8 * 4096)) {
            int adds = 0;
            for (int m = 0; m < 400; m++, adds++) {
                s.registry.add(ReclaimSetup.module("mod" + m, 40));
            }
            long pages = s.bodies.pool().totalPages();
            assertTrue(pages > 8, "what is live does not fit the budget: " + pages + " pages");
            long reclaims = s.reclaims();
            assertTrue(reclaims >= 2, "the pool kept outgrowing the budget, so reclaims kept coming: " + reclaims);
            assertTrue(reclaims < adds / 5, "but not one a table: " + reclaims + " for " + adds + " tables");
            assertTrue(s.lines.stream().anyMatch(l -> l.endsWith("(pool above its budget of 32768 bytes)")), s.lines.toString());

            long before = s.reclaims();
            for (int m = 0; m < 400; m += 2) {
                s.registry.remove("mod" + m);
            }
            s.registry.add(ReclaimSetup.module("late", 30)); // the pool did not grow: no reclaim
            assertEquals(before, s.reclaims());
        }
        try (ReclaimSetup roomy = new ReclaimSetup(64L << 20)) {
            for (int m = 0; m < 50; m++) {
                roomy.registry.add(ReclaimSetup.module("mod" + m, 30));
            }
            assertEquals(0, roomy.reclaims(), "under budget: nothing to do");
        }
    }

    @Test
    void theJvmsLowMemorySignalReclaims() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:+UseG1GC",
                "-cp", System.getProperty("java.class.path"), LowMemoryProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "probe finished\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("reclaim: compacted") && out.contains("(JVM heap nearly full)"), out);
        assertTrue(out.contains("cached control text after: 0"), out);
    }
}
