package dev.dyndbgd.bench;

import dev.dyndbgd.body.PoolReports;
import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.memory.HeapSizes;
import dev.dyndbgd.pool.ZsPool;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.TableRegistry;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Bytes per call site for the real module set and for ten renamed copies of it, side by side:
 * plain Java objects with String fields, the kernel's layout, the 2020 seed's uncompressed zspool
 * copy, and this daemon's pooled store with each codec. Run: {@code bin/bench memory}.
 *
 * <p>Java object sizes use HotSpot's 64-bit layout with compressed oops ({@link HeapSizes}), which is
 * what this JVM uses below 32 GiB of heap. Pool pages are
 * measured (pages the pool holds; the JVM's own count of direct memory is printed beside them).
 */
public final class MemoryReport {
    private MemoryReport() {
    }

    public static void main(String[] args) throws Exception {
        List<ModuleImage> images = LoadedSets.images(RealModules.directory(args.length > 0 ? args[0] : null));
        System.out.println("| layout | bytes/site (1x: " + sites(images) + " sites) | bytes/site (10x: " + 10 * sites(images) + " sites) |");
        System.out.println("|---|---|---|");
        List<ModuleImage> ten = LoadedSets.multiplied(images, 10);
        row("plain Java objects, String fields (a record per site, strings not shared)", plainObjects(images), plainObjects(ten), images, ten);
        row("kernel layout: 56-byte struct _ddebug + strings de-duplicated per module", kernel(images), kernel(ten), images, ten);
        row("2020 seed: 40-byte callsite records in a zsmalloc pool + 16-byte heads + kernel strings", seed(images), seed(ten), images, ten);
        row("per-record LZ4: each body compressed alone, one zsmalloc object per site + 8-byte handle + 2-byte head",
                perRecordLz4(images), perRecordLz4(ten), images, ten);
        for (String codec : List.of("none", "lz4", "lz4dict", "zstd")) {
            row("dyndbgd pooled bodies, codec " + codec + (codec.equals("zstd") ? " (default, 16 KiB trained dictionary)"
                            : codec.equals("lz4dict") ? " (same dictionary, LZ4 blocks)" : ""),
                    ours(images, codec), ours(ten, codec), images, ten);
        }
        row("dyndbgd pooled bodies, latency profile: codec lz4dict, " + BodyBenchmark.LATENCY_BLOCK_SITES + "-site blocks",
                oursWith(images, "lz4dict", BodyBenchmark.LATENCY_BLOCK_SITES),
                oursWith(ten, "lz4dict", BodyBenchmark.LATENCY_BLOCK_SITES), images, ten);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        System.out.println();
        System.out.println("JVM direct memory now in use: " + direct.getMemoryUsed() + " bytes (pools of the runs above not yet collected)");
    }

    private static long sites(List<ModuleImage> images) {
        long n = 0;
        for (ModuleImage m : images) {
            n += m.sites().size();
        }
        return n;
    }

    private static void row(String name, long one, long tenfold, List<ModuleImage> images, List<ModuleImage> ten) {
        System.out.printf("| %s | %.1f | %.1f |%n", name, (double) one / sites(images), (double) tenfold / sites(ten));
    }

    /** A record (module, file, function, format refs, int line, two bytes) and four fresh Strings per site. */
    static long plainObjects(List<ModuleImage> images) {
        long n = 0;
        for (ModuleImage m : images) {
            for (SiteRecord r : m.sites()) {
                n += HeapSizes.object(4 * HeapSizes.REFERENCE + 4 + 2) + HeapSizes.string(m.name()) + HeapSizes.string(r.file())
                        + HeapSizes.string(r.function()) + HeapSizes.string(r.format());
            }
            n += HeapSizes.references(m.sites().size()); // the list holding them
        }
        return n;
    }

    /** 56 bytes per descriptor, each distinct string once per module (+NUL), 64-byte ddebug_table per module. */
    static long kernel(List<ModuleImage> images) {
        long n = 0;
        for (ModuleImage m : images) {
            Set<String> strings = new HashSet<>();
            strings.add(m.name());
            for (SiteRecord r : m.sites()) {
                strings.add(r.file());
                strings.add(r.function());
                strings.add(r.format());
            }
            for (String s : strings) {
                n += s.length() + 1;
            }
            n += 56L * m.sites().size() + 64;
        }
        return n;
    }

    /**
     * The seed patch: each site's 40-byte callsite record (four pointers and the line/flags word)
     * copied into a zsmalloc pool (class 48 with its handle), a 16-byte head (static key, flags,
     * handle) left in the section, strings still in the module as in the kernel. Pool pages are
     * measured by allocating the records in this project's zsmalloc.
     */
    static long seed(List<ModuleImage> images) {
        try (ZsPool pool = new ZsPool("seed")) {
            long strings = 0;
            long sites = 0;
            for (ModuleImage m : images) {
                Set<String> distinct = new HashSet<>();
                distinct.add(m.name());
                for (SiteRecord r : m.sites()) {
                    distinct.add(r.file());
                    distinct.add(r.function());
                    distinct.add(r.format());
                    pool.malloc(40);
                    sites++;
                }
                for (String s : distinct) {
                    strings += s.length() + 1;
                }
                strings += 64; // ddebug_table
            }
            return pool.totalPages() * 4096 + 16 * sites + strings + 8 * sites; // + the pool's handle slots
        }
    }

    /** The obvious way to use the pool: every body its own LZ4-compressed object, as zram stores pages. */
    static long perRecordLz4(List<ModuleImage> images) {
        net.jpountz.lz4.LZ4Compressor lz4 = net.jpountz.lz4.LZ4Factory.fastestInstance().fastCompressor();
        try (ZsPool pool = new ZsPool("per-record")) {
            long sites = 0;
            for (ModuleImage m : images) {
                for (SiteRecord r : m.sites()) {
                    byte[] raw = (r.file() + "\0" + r.function() + "\0" + r.line() + "\0" + r.format())
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    byte[] comp = lz4.compress(raw);
                    pool.malloc(Math.min(comp.length, raw.length) + 2); // + stored length, kept raw when LZ4 loses
                    sites++;
                }
            }
            return pool.totalPages() * 4096 + sites * (8 + 2);
        }
    }

    /** What the daemon keeps: heads, pool pages, block and segment indexes, dictionary, mapped bodies. */
    static long ours(List<ModuleImage> images, String codec) {
        return oursWith(images, codec, PooledBodies.DEFAULT_SITES_PER_BLOCK);
    }

    static long oursWith(List<ModuleImage> images, String codec, int sitesPerBlock) {
        PooledBodies[] bodies = new PooledBodies[1];
        TableRegistry registry = LoadedSets.pooled(images, codec, sitesPerBlock, bodies);
        try {
            return PoolReports.headBytes(registry.tables()) + bodies[0].stats().residentBytes();
        } finally {
            bodies[0].close();
        }
    }
}
