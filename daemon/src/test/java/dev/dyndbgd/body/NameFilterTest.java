package dev.dyndbgd.body;

import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.site.SiteRecord;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocks skipped by their name filters never hold a site with the names asked for (no match is
 * ever lost), and most blocks are skipped for an exact function or file: the point of the filter.
 */
class NameFilterTest {
    @Test
    void exactNamesVisitEveryMatchAndDecompressFewBlocks() {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("filters"), new ZstdDictCodec(3, null))) {
            List<SiteRecord> sites = PooledBodiesTest.awkwardSites(3000, 7);
            var store = bodies.create("m", sites);
            long blocks = bodies.stats().blocks();
            assertTrue(blocks > 50, "enough blocks to skip: " + blocks);
            Set<String> functions = new TreeSet<>();
            Set<String> files = new TreeSet<>();
            for (SiteRecord r : sites) {
                functions.add(r.function());
                files.add(r.file());
            }
            long decompressed = 0;
            int queries = 0;
            for (String fn : functions) {
                decompressed += visitAndCheck(bodies, store, sites, new long[]{NameFilter.hash(fn)}, r -> r.function().equals(fn));
                queries++;
            }
            for (String file : files) {
                // The filter holds basenames: a query by full path must still find the site.
                decompressed += visitAndCheck(bodies, store, sites, new long[]{NameFilter.hash(dev.dyndbgd.table.SiteBody.basename(file))},
                        r -> r.file().equals(file));
                queries++;
            }
            double perQuery = (double) decompressed / queries;
            System.out.printf("name filter: %d blocks, %.2f decompressed per exact-name query%n", blocks, perQuery);
            assertTrue(perQuery < blocks / 10.0, "an exact name decompresses few blocks: " + perQuery + " of " + blocks);
        }
    }

    @Test
    void aOneBlockTableKeepsItsFilterInFieldsAndLosesNoMatch() {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("filters"), new ZstdDictCodec(3, null))) {
            List<SiteRecord> sites = PooledBodiesTest.awkwardSites(20, 11).stream()
                    .filter(r -> r.format().length() < 100).toList();
            var store = bodies.create("small", sites);
            assertEquals(1, bodies.stats().blocks(), "one block");
            for (SiteRecord r : sites) {
                visitAndCheck(bodies, store, sites, new long[]{NameFilter.hash(r.function())}, x -> x.function().equals(r.function()));
                visitAndCheck(bodies, store, sites, new long[]{NameFilter.hash(r.function()), NameFilter.hash(dev.dyndbgd.table.SiteBody.basename(r.file()))},
                        x -> x == r);
            }
            assertEquals(0, visitAndCheck(bodies, store, sites, new long[]{NameFilter.hash("no_such_function_anywhere")}, x -> false),
                    "a name no site has: the block is not decompressed");
        }
    }

    /** Visits with the filter; asserts every site the predicate wants was visited; returns blocks decompressed. */
    private static long visitAndCheck(PooledBodies bodies, dev.dyndbgd.table.BodyStore store, List<SiteRecord> sites,
                                      long[] names, java.util.function.Predicate<SiteRecord> wanted) {
        long before = bodies.stats().maps();
        Set<Integer> visited = new HashSet<>();
        store.forEachContaining(0, sites.size(), "", names, (i, body) -> visited.add(i));
        for (int i = 0; i < sites.size(); i++) {
            if (wanted.test(sites.get(i))) {
                assertTrue(visited.contains(i), "site " + i + " skipped although it has the names");
            }
        }
        return bodies.stats().maps() - before;
    }

    @Test
    void noConstraintVisitsEverything() {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("filters"), new ZstdDictCodec(3, null))) {
            List<SiteRecord> sites = PooledBodiesTest.awkwardSites(500, 3);
            var store = bodies.create("m", sites);
            int[] n = new int[1];
            store.forEachContaining(0, sites.size(), "", NameFilter.ANY, (i, body) -> n[0]++);
            assertEquals(sites.size(), n[0]);
            long[] words = new long[2];
            NameFilter.fill(List.of(new dev.dyndbgd.table.SiteBody("drivers/usb/core/hub.c", "hub_event", "", 1)), words, 0, 2);
            int bits = Long.bitCount(words[0]) + Long.bitCount(words[1]);
            assertTrue(bits >= 2 && bits <= 4, "two bits a name, two names: " + bits);
            assertTrue(NameFilter.mayHold(words, 0, 2, new long[]{NameFilter.hash("hub_event"), NameFilter.hash("hub.c")}));
        }
    }
}
