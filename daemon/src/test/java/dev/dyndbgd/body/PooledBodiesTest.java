package dev.dyndbgd.body;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.SiteBody;
import dev.dyndbgd.table.TableRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bodies stored compressed in the real zsmalloc pool come back exactly, and go away with their table. */
class PooledBodiesTest {
    static BodyCodec codec(String name) {
        return switch (name) {
            case "zstd" -> new ZstdDictCodec(19, null);
            case "lz4" -> new Lz4Codec(false);
            case "lz4hc" -> new Lz4Codec(true);
            case "lz4dict" -> new Lz4DictCodec(null);
            default -> new RawCodec();
        };
    }

    /** Sites with awkward content: repeats, empty strings, tabs and high bytes, a 3 KB format, big line jumps. */
    static List<SiteRecord> awkwardSites(int n, long seed) {
        Random rnd = new Random(seed);
        List<SiteRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String file = "drivers/x/" + (i / 7) + ".c";
            String fn = i % 5 == 0 ? "" : "fn_" + (i / 3);
            String fmt = switch (i % 6) {
                case 0 -> "";
                case 1 -> "tab\there \u00ff\u00e9 \"q\"\n";
                case 2 -> "x".repeat(3000 + rnd.nextInt(200));
                default -> "%s: value %d of " + rnd.nextInt(1000) + "\n";
            };
            int line = i % 4 == 0 ? SiteRecord.MAX_LINE - i : rnd.nextInt(5000);
            out.add(new SiteRecord(file, fn, fmt, line, SiteRecord.CLASS_DEFAULT, 0));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "lz4dict", "lz4", "lz4hc", "none"})
    void everyBodyComesBackExactly(String codecName) {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("test"), codec(codecName))) {
            List<SiteRecord> sites = awkwardSites(500, 1);
            var store = bodies.create("m", sites);
            for (int i = 0; i < sites.size(); i++) {
                SiteRecord r = sites.get(i);
                assertEquals(new SiteBody(r.file(), r.function(), r.format(), r.line()), store.body(i), "site " + i);
            }
            assertTrue(bodies.stats().blocks() > 500 / PooledBodies.DEFAULT_SITES_PER_BLOCK);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "lz4dict", "none"})
    void aFormatSearchSkipsBlocksButNeverASiteWhoseFormatHasTheText(String codecName) {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("test"), codec(codecName))) {
            List<SiteRecord> sites = new ArrayList<>(awkwardSites(300, 3));
            sites.set(137, new SiteRecord("drivers/x/rare.c", "fn", "only here: needle %d\n", 1, SiteRecord.CLASS_DEFAULT, 0));
            var store = bodies.create("m", sites);
            // A rare text, text that is only in file names, text every block has, text across fields, none.
            for (String text : List.of("needle", "rare.c", "value", "fn_1tab", "\n", "x".repeat(40), "")) {
                List<Integer> visited = new ArrayList<>();
                store.forEachContaining(0, sites.size(), text, NameFilter.ANY, (i, body) -> {
                    assertEquals(sites.get(i).format(), body.format(), "site " + i + " comes with its own body");
                    visited.add(i);
                });
                for (int i = 0; i < sites.size(); i++) {
                    if (sites.get(i).format().contains(text)) {
                        assertTrue(visited.contains(i), "site " + i + " has \"" + text + "\" but was skipped");
                    }
                }
                if (text.equals("needle")) {
                    assertTrue(visited.size() <= PooledBodies.DEFAULT_SITES_PER_BLOCK, "only the block with the needle: " + visited.size());
                }
                if (text.isEmpty()) {
                    assertEquals(sites.size(), visited.size(), "no text: every site");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "lz4dict", "none"})
    void workingMemoryDoesNotGrowWithEveryThreadThatEverRead(String codecName) throws Exception {
        // libfuse starts and ends threads as load changes; each must not leave buffers behind.
        try (PooledBodies bodies = new PooledBodies(new ZsPool("test"), codec(codecName))) {
            var store = bodies.create("m", awkwardSites(200, 5));
            store.body(150);
            long afterOne = bodies.stats().codecBytes();
            for (int t = 0; t < 200; t++) {
                Thread reader = new Thread(() -> store.body(150));
                reader.start();
                reader.join();
            }
            assertEquals(afterOne, bodies.stats().codecBytes(), "one reader at a time: the same buffers, lent again");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "lz4dict"})
    void trainedDictionaryRecompressesEverythingAndStillReadsBack(String codecName) {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("test"), codec(codecName))) {
            List<List<SiteRecord>> modules = new ArrayList<>();
            List<dev.dyndbgd.table.BodyStore> stores = new ArrayList<>();
            for (int m = 0; m < 40; m++) {
                List<SiteRecord> s = awkwardSites(60, m);
                modules.add(s);
                stores.add(bodies.create("m" + m, s));
            }
            long before = bodies.stats().storedBytes();
            assertTrue(bodies.trainDictionary(16 * 1024) > 0);
            long after = bodies.stats().storedBytes();
            assertTrue(after < before, "dictionary made it smaller: " + before + " -> " + after);
            long laidOut = 0;
            for (List<SiteRecord> s : modules) {
                laidOut += BlockLayout.encode(s.stream().map(r -> new SiteBody(r.file(), r.function(), r.format(), r.line())).toList()).length;
            }
            assertTrue(bodies.stats().rawBytes() >= laidOut * 3 / 4 && bodies.stats().rawBytes() <= laidOut * 3 / 2,
                    "the old blocks' sizes left the totals with them: " + bodies.stats().rawBytes() + " vs about " + laidOut);
            for (int m = 0; m < modules.size(); m++) {
                for (int i = 0; i < modules.get(m).size(); i++) {
                    assertEquals(modules.get(m).get(i).format(), stores.get(m).body(i).format());
                }
            }
        }
    }

    @Test
    void removingTablesFreesTheirObjectsAndCompactionGivesPagesBack() {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("test"), new Lz4Codec(false))) {
            DyndbgLog log = new DyndbgLog(0);
            TableRegistry registry = new TableRegistry(bodies, log);
            for (int m = 0; m < 200; m++) {
                registry.add(new ModuleImage("m" + m, awkwardSites(40, m), List.of()));
            }
            long pages = bodies.pool().totalPages();
            assertTrue(bodies.pool().objectsInUse() > 0);
            for (int m = 0; m < 200; m += 2) {
                registry.remove("m" + m);
            }
            long freed = bodies.compact();
            assertEquals(pages - freed, bodies.pool().totalPages());
            assertTrue(freed > 0, "compaction freed pages after half the modules left");
            // Survivors still read back after their blocks moved.
            for (int m = 1; m < 200; m += 2) {
                String name = "m" + m;
                ModuleTable t = registry.tables().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                List<SiteRecord> want = awkwardSites(40, m);
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.get(i).format(), t.body(i).format());
                }
            }
            for (int m = 1; m < 200; m += 2) {
                registry.remove("m" + m);
            }
            bodies.compact();
            assertEquals(0, bodies.pool().objectsInUse());
            assertEquals(0, bodies.pool().totalPages());
            assertEquals(0, bodies.stats().storedBytes());
            assertEquals(0, bodies.stats().rawBytes(), "every block's laid-out size taken back");
            // Adding again works.
            ModuleTable again = registry.add(new ModuleImage("m7", awkwardSites(40, 7), List.of())).orElseThrow();
            assertEquals(awkwardSites(40, 7).get(3).format(), again.body(3).format());
        }
    }

    @Test
    void enabledSitesStayMappedDisabledOnesDoNot() {
        try (PooledBodies bodies = new PooledBodies(new ZsPool("test"), new Lz4Codec(false))) {
            DyndbgLog log = new DyndbgLog(0);
            TableRegistry registry = new TableRegistry(bodies, log);
            List<SiteRecord> sites = new ArrayList<>(awkwardSites(64, 3));
            sites.set(5, new SiteRecord("a.c", "f", "built with DEBUG\n", 9, SiteRecord.CLASS_DEFAULT, 1));
            registry.add(new ModuleImage("m", sites, List.of()));
            assertEquals(1, bodies.stats().pinned(), "a site enabled from the start is mapped");
            QueryEngine engine = new QueryEngine(registry, log);
            engine.write("module m +p");
            long enabled = registry.tables().get(0).size();
            assertEquals(enabled, bodies.stats().pinned());
            long maps = bodies.stats().maps();
            for (int i = 0; i < 10; i++) {
                dev.dyndbgd.control.ControlStream.snapshot(registry);
            }
            assertEquals(maps, bodies.stats().maps(), "reading control maps no enabled site again");
            engine.write("module m -p");
            assertEquals(0, bodies.stats().pinned());
            assertEquals(0, bodies.stats().cacheBytes());
        }
    }
}
