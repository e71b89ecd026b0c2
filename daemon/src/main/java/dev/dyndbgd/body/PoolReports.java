package dev.dyndbgd.body;

import dev.dyndbgd.memory.HeapSizes;
import dev.dyndbgd.memory.ProcessMemory;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** The texts of {@code zsmalloc/mm_stat} (zram's columns) and the human-readable {@code stats}. */
public final class PoolReports {
    private PoolReports() {
    }

    /**
     * zram's mm_stat line: orig_data_size compr_data_size mem_used_total mem_limit mem_used_max
     * same_pages pages_compacted huge_pages huge_pages_since. Columns without meaning here are 0.
     */
    public static String mmStat(PooledBodies bodies, long budgetBytes) {
        BodyStats s = bodies.stats();
        return String.format("%8d %8d %8d %8d %8d %8d %8d %8d %8d%n", s.rawBytes(), s.storedBytes(), bodies.pool().totalPages() * 4096,
                budgetBytes, bodies.maxPoolBytes(), 0, bodies.pool().pagesCompacted(), 0, 0);
    }

    /** Heap the tables keep apart from their bodies: heads, table objects, names and origins. */
    public static long headBytes(List<ModuleTable> tables) {
        long n = 0;
        Set<String> origins = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ModuleTable t : tables) {
            n += t.heapBytes();
            if (origins.add(t.origin())) { // shared by the tables of one tree: counted once
                n += HeapSizes.string(t.origin());
            }
        }
        return n;
    }

    public static String stats(TableRegistry registry, PooledBodies bodies, long cachedControlBytes) {
        List<ModuleTable> tables = registry.tables();
        long sites = 0;
        long enabled = 0;
        for (ModuleTable t : tables) {
            sites += t.size();
            for (int i = 0; i < t.size(); i++) {
                if ((t.flags(i) & Flags.PRINT) != 0) {
                    enabled++;
                }
            }
        }
        BodyStats s = bodies.stats();
        long heads = headBytes(tables);
        long total = heads + s.residentBytes() + cachedControlBytes;
        StringBuilder out = new StringBuilder();
        line(out, "modules", tables.size());
        line(out, "call sites", sites);
        line(out, "enabled", enabled);
        line(out, "mapped (enabled, kept decoded)", s.pinned());
        line(out, "codec", s.codec());
        line(out, "blocks", s.blocks());
        line(out, "bytes in heads", heads);
        line(out, "bytes in pool (pages held, meta)", s.poolPageBytes());
        line(out, "bytes in block indexes", s.indexBytes());
        line(out, "bytes in dictionaries, work", s.codecBytes());
        line(out, "bytes in mapped bodies", s.cacheBytes());
        line(out, "bytes in cached control text", cachedControlBytes);
        line(out, "total resident bytes", total);
        out.append(String.format("%-32s %.2f%n", "total resident bytes per site", sites == 0 ? 0.0 : (double) total / sites));
        // The control text is cached only while someone reads control (dropped after 30 s idle),
        // so the figure without it is what the daemon keeps at rest.
        out.append(String.format("%-32s %.2f%n", "  at rest (no control cache)", sites == 0 ? 0.0 : (double) (total - cachedControlBytes) / sites));
        out.append(String.format("%-32s %.2f%n", "compression ratio", s.storedBytes() == 0 ? 0.0 : (double) s.rawBytes() / s.storedBytes()));
        line(out, "blocks decompressed", s.maps());
        // What top shows: the whole process (JVM, code, heaps, libraries), next to the data's own bytes above.
        ProcessMemory process = ProcessMemory.self();
        line(out, "process resident (VmRSS)", process.rssBytes());
        line(out, "process peak (VmHWM)", process.peakBytes());
        line(out, "  of which own (RssAnon)", process.anonBytes());
        line(out, "  of which files (RssFile)", process.fileBytes());
        return out.toString();
    }

    private static void line(StringBuilder out, String name, Object value) {
        out.append(String.format("%-32s %s%n", name, value));
    }
}
