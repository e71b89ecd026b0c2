package dev.dyndbgd.robust;

import com.github.luben.zstd.ZstdOutputStream;
import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.elf.KernelModuleReader;
import dev.dyndbgd.elf.MalformedModuleException;
import dev.dyndbgd.elf.ModuleFileFinder;
import dev.dyndbgd.elf.ModuleFileLoader;
import dev.dyndbgd.load.ModuleLoader;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.robust.ModuleFileFuzzMutations.Mutation;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.TableRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hardening, item 2: kernel-module files, fuzzed. Real modules from Debian's set (the biggest,
 * class-mapped ones, ones without call sites, the smallest), compiled fixtures, and compressed
 * modules are damaged in every way the issue lists: bit flips, overwritten ranges, truncation, huge
 * sizes and counts, offsets and indexes that loop back or point past the end, relocations outside
 * {@code __dyndbg}, symbols out of range, strings past their table or without a NUL, corrupt
 * compressed payloads and decompression bombs.
 *
 * <p>Every damaged file goes through {@link KernelModuleReader#read(Path)}: it must return an image or
 * throw {@link MalformedModuleException} naming the file and the reason; never another exception,
 * never for a second or more, never allocating more than a bound proportional to the file's size.
 * Damage to bytes the reader never follows must not change the image at all. Then a directory of
 * good and damaged files mixed is loaded through {@link ModuleLoader}: the good ones load exactly as
 * they do alone, each damaged one is counted and logged with its path and reason, and the load goes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModuleFileFuzzTest {
    /** Varied real modules: the largest, class maps with and without sites, none, a dash in the name, the smallest. */
    static final List<String> REAL = List.of("amdgpu.ko", "btrfs.ko", "i915.ko", "nouveau.ko", "usbcore.ko", "ice.ko",
            "e1000e.ko", "cifs.ko", "bluetooth.ko", "drm_kms_helper.ko", "drm_display_helper.ko", "xfs.ko",
            "mlx5_core.ko", "test_bpf.ko", "snd-hda-intel.ko", "ext4.ko", "ni_routing.ko", "aesni-intel.ko",
            "crc-itu-t.ko", "sunrpc.ko");
    /** Real modules also fuzzed compressed (kept small: a compressed file is rewritten for every mutation). */
    static final List<String> REAL_COMPRESSED = List.of("snd-hda-intel.ko", "drm_display_helper.ko");
    /** Time spent damaging one real module, spread over its aimed damage first, then random damage. */
    static final long REAL_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(900);
    static final long FIXTURE_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(700);
    static final long COMPRESSED_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long MIB = 1 << 20;

    @TempDir
    static Path dir;
    private Path realRoot;
    private final Map<String, Path> real = new LinkedHashMap<>();
    private final Map<String, Path> fixtures = new LinkedHashMap<>();
    private long started;

    @BeforeAll
    void setUp() throws Exception {
        started = System.nanoTime();
        String prop = System.getProperty("dyndbgd.realModules", "");
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(!prop.isEmpty() && Files.isDirectory(Path.of(prop)), "CI must run with the real module set");
        }
        if (!prop.isEmpty() && Files.isDirectory(Path.of(prop))) {
            realRoot = Path.of(prop);
            Map<String, Path> byName = new LinkedHashMap<>();
            for (Path p : ModuleFileFinder.find(realRoot)) {
                byName.putIfAbsent(String.valueOf(p.getFileName()), p);
            }
            for (String name : REAL) {
                Path p = byName.get(name);
                if (realRoot.toString().contains("6.1.0-50-amd64")) {
                    assertNotNull(p, name + " is in Debian's 6.1.0-50-amd64 set");
                }
                if (p != null) {
                    real.put(name, p);
                }
            }
        }
        Path src = Files.createDirectories(dir.resolve("fixtures"));
        fixtures.put("fixture.ko", Fixtures.sitesModule(src));
        fixtures.put("classy56.ko", Fixtures.module(src, Fixtures.CLASS_MAP_56_C, "classy56.ko"));
        fixtures.put("classy40.ko", Fixtures.module(src, Fixtures.CLASS_MAP_40_C, "classy40.ko"));
        fixtures.put("gen_fuzz.ko", Fixtures.generatedModule(src, "gen_fuzz", 300));
    }

    @AfterAll
    void wholeTestIsBounded() {
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("[module-fuzz] whole test: %d ms%n", ms);
        assertTrue(ms < 60_000, "the whole module fuzz took " + ms + " ms");
    }

    /** Most a plain file's read may allocate: the parse is bounded by the file's size (mapped, not copied). */
    static long plainCap(long size) {
        return 4 * MIB + 8 * size;
    }

    /**
     * Most a compressed file's read may allocate: its decompressed image, which a bomb may drive up to
     * ~2000 times the compressed size, and for xz the dictionary its header declares (xz -9 declares
     * 64 MiB whatever the module's size; the decoder refuses more than 256 MiB).
     */
    static long compressedCap(Path file, long size) {
        long cap = 64 * MIB + 2048 * size;
        return file.toString().endsWith(".xz") ? cap + 256 * MIB : cap;
    }

    // ----------------------------------------------------------------------------------------------
    // Real modules and fixtures, damaged in place

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void realModulesDamagedEveryWay() throws Exception {
        assumeTrue(realRoot != null, "real module set not fetched (scripts/fetch-real-modules); -Ddyndbgd.realModules");
        ModuleFileFuzzProbe probe = new ModuleFileFuzzProbe();
        List<String> perModule = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            long seed = 1;
            for (Map.Entry<String, Path> e : real.entrySet()) {
                long s = seed++;
                jobs.add(pool.submit(() -> {
                    perModule.add(fuzzInPlace(e.getValue(), probe, REAL_BUDGET_NANOS, s));
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        perModule.stream().sorted().forEach(System.out::println);
        System.out.print(probe.summary("real modules"));
        assertEquals(List.of(), probe.failures());
        assertEquals(real.size(), perModule.size());
        assertTrue(probe.tried() >= 1000L * real.size(), "each module gets a thousand damaged variants or more: " + probe.tried());
        // In proportion, not absolute counts: the variants tried depend on the machine's speed within
        // the time budget (9,686 rejections of 31,210 on a busy 2-core run failed a 10,000 floor).
        assertTrue(probe.rejected() >= probe.tried() / 10 && probe.accepted() >= probe.tried() / 10,
                "both outcomes are exercised: " + probe.rejected() + " rejected, " + probe.accepted() + " accepted");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void fixturesDamagedEveryWay() throws Exception {
        ModuleFileFuzzProbe probe = new ModuleFileFuzzProbe();
        long seed = 100;
        for (Path f : fixtures.values()) {
            System.out.println(fuzzInPlace(f, probe, FIXTURE_BUDGET_NANOS, seed++));
        }
        System.out.print(probe.summary("fixtures"));
        assertEquals(List.of(), probe.failures());
        assertTrue(probe.tried() > 2000, "thousands of damaged fixtures: " + probe.tried());
    }

    /**
     * Damages a copy of {@code source} in place, reading it after every mutation: all aimed damage
     * (shuffled, so a short budget still samples every kind), then random damage until the budget is
     * spent (at least 800 aimed and 200 random variants whatever the budget).
     */
    private String fuzzInPlace(Path source, ModuleFileFuzzProbe probe, long budgetNanos, long seed) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        ModuleFileFuzzLayout layout = new ModuleFileFuzzLayout(bytes);
        Path copy = Files.createDirectories(dir.resolve("inplace-" + seed)).resolve(source.getFileName());
        Files.write(copy, bytes);
        ModuleImage original = KernelModuleReader.read(copy);
        assertEquals(KernelModuleReader.read(source), original, "a copy reads like its original");
        Random random = new Random(seed);
        List<Mutation> aimed = new ArrayList<>();
        aimed.addAll(ModuleFileFuzzMutations.headers(layout, random));
        aimed.addAll(ModuleFileFuzzMutations.overlaps(layout));
        aimed.addAll(ModuleFileFuzzMutations.relocations(layout, random, 6));
        aimed.addAll(ModuleFileFuzzMutations.symbols(layout, random, 8));
        aimed.addAll(ModuleFileFuzzMutations.strings(layout));
        aimed.addAll(ModuleFileFuzzMutations.truncations(layout, random, 8));
        Collections.shuffle(aimed, random);
        List<long[]> followed = ModuleFileFuzzMutations.followed(layout);
        long cap = plainCap(bytes.length);
        long deadline = System.nanoTime() + budgetNanos;
        int aimedDone = 0;
        int randomDone = 0;
        int harmless = 0;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            for (Mutation m : aimed) {
                if (System.nanoTime() > deadline && aimedDone >= 800) {
                    break;
                }
                run(m, ch, copy, bytes, original, probe, cap);
                aimedDone++;
            }
            while (System.nanoTime() < deadline || randomDone < 200) {
                int kind = random.nextInt(9);
                Mutation m = kind < 5 ? ModuleFileFuzzMutations.flips(layout, followed, random)
                        : kind < 7 ? ModuleFileFuzzMutations.overwrite(layout, followed, random)
                        : ModuleFileFuzzMutations.harmlessFlips(layout, followed, random);
                if (m == null) {
                    continue;
                }
                harmless += m.harmless() ? 1 : 0;
                run(m, ch, copy, bytes, original, probe, cap);
                randomDone++;
            }
        }
        // The copy is back to the original byte for byte: every mutation was undone.
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(copy)), "mutations undone");
        return String.format("[module-fuzz] %-24s %9d bytes, %4d sites: %4d of %4d aimed mutations, %5d random (%d harmless)",
                source.getFileName(), bytes.length, original.sites().size(), aimedDone, aimed.size(), randomDone, harmless);
    }

    private static void run(Mutation m, FileChannel ch, Path copy, byte[] original, ModuleImage image,
                            ModuleFileFuzzProbe probe, long cap) throws IOException {
        m.apply(ch, original);
        try {
            probe.read(copy, null, m.what(), Files.size(copy), cap, m.harmless() ? image : null);
        } finally {
            m.undo(ch, original);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Compressed modules: damaged payloads, damaged headers, bombs

    static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new XZOutputStream(out, new LZMA2Options(6), XZ.CHECK_CRC32)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out, 3)) {
            z.setChecksum(true);
            z.write(data);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static byte[] compress(String suffix, byte[] data) throws IOException {
        return switch (suffix) {
            case ".ko.xz" -> xz(data);
            case ".ko.zst" -> zstd(data);
            default -> gzip(data);
        };
    }

    static byte[] repeat(byte[] chunk, int times) {
        byte[] out = new byte[chunk.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(chunk, 0, out, i * chunk.length, chunk.length);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Damage aimed at each format's header: dictionary size, flags, window size, extra fields. */
    static List<Mutation> headerDamage(String suffix, byte[] c) {
        List<Mutation> out = new ArrayList<>();
        if (suffix.equals(".ko.xz")) {
            // Stream flags (check type) and the block header's LZMA2 dictionary byte, with and
            // without a recomputed header CRC.
            out.add(Mutation.edit("xz check type 0x0f", 7, new byte[]{0x0f}));
            int headerSize = ((c[12] & 0xff) + 1) * 4;
            for (int prop : new int[]{40, 39, 38, 36, 30, 0}) {
                byte[] header = java.util.Arrays.copyOfRange(c, 12, 12 + headerSize);
                header[4] = (byte) prop;
                out.add(Mutation.edit("xz dictionary byte " + prop + " (bad header CRC)", 12, header.clone()));
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(header, 0, headerSize - 4);
                ByteBuffer.wrap(header, headerSize - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
                out.add(Mutation.edit("xz dictionary byte " + prop + " (header CRC fixed)", 12, header));
            }
        } else if (suffix.equals(".ko.zst")) {
            out.add(Mutation.edit("zstd window descriptor 0xff", 5, new byte[]{(byte) 0xff}));
            out.add(Mutation.edit("zstd frame header descriptor 0xff", 4, new byte[]{(byte) 0xff}));
            out.add(Mutation.edit("zstd frame header descriptor 0x00", 4, new byte[]{0}));
            out.add(Mutation.edit("zstd magic", 0, new byte[]{0x29, (byte) 0xb5, 0x2f, (byte) 0xfe}));
        } else {
            out.add(Mutation.edit("gzip FEXTRA with XLEN 65535", 3, new byte[]{0x04, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff}));
            out.add(Mutation.edit("gzip FNAME never terminated", 3, new byte[]{0x08}));
            out.add(Mutation.edit("gzip FHCRC wrong", 3, new byte[]{0x02}));
            out.add(Mutation.edit("gzip method 7", 2, new byte[]{0x07}));
            out.add(Mutation.edit("gzip reserved flags", 3, new byte[]{(byte) 0xe0}));
        }
        return out;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void compressedModulesDamagedAndBombs() throws Exception {
        ModuleFileFuzzProbe probe = new ModuleFileFuzzProbe();
        Path work = Files.createDirectories(dir.resolve("compressed"));
        List<Path> sources = new ArrayList<>(List.of(fixtures.get("fixture.ko"), fixtures.get("classy56.ko")));
        for (String name : REAL_COMPRESSED) {
            if (real.containsKey(name)) {
                sources.add(real.get(name));
            }
        }
        Random random = new Random(7);
        int variants = 0;
        for (Path source : sources) {
            byte[] plain = Files.readAllBytes(source);
            ModuleImage expected = KernelModuleReader.read(source);
            String stem = source.getFileName().toString().replace(".ko", "");
            for (String suffix : List.of(".ko.xz", ".ko.zst", ".ko.gz")) {
                byte[] c = compress(suffix, plain);
                Path file = work.resolve(stem + suffix);
                Files.write(file, c);
                assertEquals(expected, KernelModuleReader.read(file), "undamaged " + file.getFileName());
                List<Mutation> aimed = new ArrayList<>(headerDamage(suffix, c));
                for (int cut : new int[]{1, 4, 6, 10, 12, 13, 18, 24, c.length / 2, c.length - 12, c.length - 8, c.length - 4,
                        c.length - 1}) {
                    if (cut > 0 && cut < c.length) {
                        aimed.add(Mutation.truncate("truncated to " + cut, cut));
                    }
                }
                aimed.add(new Mutation("garbage appended", List.of(), -1, "trailing garbage".getBytes(), false));
                aimed.add(new Mutation("a second stream appended", List.of(), -1, c, false));
                aimed.add(new Mutation("1 KiB of zeros appended", List.of(), -1, new byte[1024], false));
                // The module damaged first, then compressed: the ELF damage must still be reported.
                ModuleFileFuzzLayout layout = new ModuleFileFuzzLayout(plain);
                List<long[]> followed = ModuleFileFuzzMutations.followed(layout);
                List<byte[]> damagedElves = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    damagedElves.add(ModuleFileFuzzMutations.overwrite(layout, followed, random).applyTo(plain));
                }
                damagedElves.add(java.util.Arrays.copyOf(plain, (int) layout.shoff + 10));
                long deadline = System.nanoTime() + COMPRESSED_BUDGET_NANOS;
                int done = 0;
                for (Mutation m : aimed) {
                    variants++;
                    done++;
                    readDamaged(probe, file, m.applyTo(c), m.what());
                }
                for (int i = 0; i < damagedElves.size(); i++) {
                    variants++;
                    readDamaged(probe, file, compress(suffix, damagedElves.get(i)), "damaged ELF " + i + ", compressed");
                }
                while (System.nanoTime() < deadline || done < 60) {
                    // Flips and overwrites anywhere, the first 64 bytes (headers) a third of the time.
                    byte[] bad = c.clone();
                    boolean head = random.nextInt(3) == 0;
                    int n = 1 + random.nextInt(4);
                    String what;
                    if (random.nextBoolean()) {
                        for (int i = 0; i < n; i++) {
                            int at = head ? random.nextInt(Math.min(64, bad.length)) : random.nextInt(bad.length);
                            bad[at] ^= (byte) (1 << random.nextInt(8));
                        }
                        what = n + " bit flips" + (head ? " in the header" : "");
                    } else {
                        int at = head ? random.nextInt(Math.min(64, bad.length)) : random.nextInt(bad.length);
                        int len = Math.min(1 + random.nextInt(32), bad.length - at);
                        for (int i = 0; i < len; i++) {
                            bad[at + i] = (byte) random.nextInt(256);
                        }
                        what = len + " bytes overwritten at " + at;
                    }
                    readDamaged(probe, file, bad, what);
                    variants++;
                    done++;
                }
            }
        }

        // Decompression bombs, read with the default loader as the daemon reads them.
        Map<String, byte[]> bombs = new LinkedHashMap<>();
        byte[] zeros = new byte[8 << 20];
        bombs.put("zeros.ko.xz", repeat(xz(zeros), 70));                       // ~95 KB claiming 560 MiB
        bombs.put("zeros.ko.zst", repeat(zstd(zeros), 70));                    // ~19 KB claiming 560 MiB
        bombs.put("zeros.ko.gz", repeat(gzip(zeros), 10));                     // ~80 KB claiming 80 MiB (gzip tops out near 1030:1)
        // 100 one-byte xz streams, each declaring a 192 MiB dictionary: memory, not output.
        ByteArrayOutputStream dict = new ByteArrayOutputStream();
        LZMA2Options big = new LZMA2Options(0);
        big.setDictSize(192 << 20);
        try (XZOutputStream z = new XZOutputStream(dict, big, XZ.CHECK_NONE)) {
            z.write('x');
        }
        bombs.put("dictionary.ko.xz", repeat(dict.toByteArray(), 100));
        // A valid module followed by 64 MiB of zeros in the same stream.
        bombs.put("tail.ko.zst", zstd(concat(Files.readAllBytes(fixtures.get("fixture.ko")), new byte[64 << 20])));
        int bombsRejected = 0;
        for (Map.Entry<String, byte[]> b : bombs.entrySet()) {
            Path file = Files.write(work.resolve(b.getKey()), b.getValue());
            long before = probe.rejected();
            probe.read(file, null, "bomb", b.getValue().length, compressedCap(file, b.getValue().length), null);
            bombsRejected += (int) (probe.rejected() - before);
        }
        // Big enough that 1024:1 is allowed, so the loader's cap itself must stop it (a 64 MiB cap
        // here; the default 512 MiB one works alike, only slower): ten frames of zeros and a
        // 100 KiB skippable frame.
        byte[] skippable = new byte[8 + 100 * 1024];
        ByteBuffer.wrap(skippable).order(ByteOrder.LITTLE_ENDIAN).putInt(0x184D2A50).putInt(100 * 1024);
        Path capped = Files.write(work.resolve("capped.ko.zst"), concat(repeat(zstd(zeros), 10), skippable));
        ModuleFileLoader small = new ModuleFileLoader(64 * MIB);
        long before = probe.rejected();
        probe.read(capped, small, "bomb over the cap", Files.size(capped), compressedCap(capped, Files.size(capped)), null);
        assertEquals(before + 1, probe.rejected(), "the cap stops what the ratio allows");
        int bombCount = bombs.size() + 1;
        bombsRejected++;
        // The reasons say which limit stopped them.
        MalformedModuleException overCap = org.junit.jupiter.api.Assertions.assertThrows(MalformedModuleException.class,
                () -> KernelModuleReader.read(capped, small));
        assertEquals(capped + ": zstd data decompresses to more than the limit of " + 64 * MIB + " bytes", overCap.getMessage());
        Path zstdBomb = work.resolve("zeros.ko.zst");
        MalformedModuleException bomb = org.junit.jupiter.api.Assertions.assertThrows(MalformedModuleException.class,
                () -> KernelModuleReader.read(zstdBomb));
        assertTrue(bomb.reason().startsWith("zstd data decompresses to more than ") && bomb.reason().endsWith(
                "a decompression bomb, not a module"), bomb.getMessage());
        System.out.printf("[module-fuzz] compressed: %d damaged variants of %d modules in 3 formats, %d bombs%n",
                variants, sources.size(), bombCount);
        System.out.print(probe.summary("compressed"));
        assertEquals(List.of(), probe.failures());
        assertEquals(bombCount, bombsRejected, "every bomb is rejected");
    }

    private static void readDamaged(ModuleFileFuzzProbe probe, Path file, byte[] bytes, String what) throws IOException {
        Files.write(file, bytes);
        probe.read(file, null, what, bytes.length, compressedCap(file, bytes.length), null);
    }

    // ----------------------------------------------------------------------------------------------
    // A load of good and damaged files mixed

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void aMixedDirectoryLoadsTheGoodAndRejectsEachDamagedFile() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("load"));
        Path good = Files.createDirectories(tree.resolve("a-good"));
        Path bad = Files.createDirectories(tree.resolve("z-damaged"));
        List<Path> sources = new ArrayList<>(fixtures.values());
        sources.addAll(real.values());
        Random random = new Random(99);
        List<Path> goodFiles = new ArrayList<>();
        for (Path s : sources) {
            goodFiles.add(Files.copy(s, good.resolve(s.getFileName())));
        }
        for (Path s : sources) {
            byte[] b = Files.readAllBytes(s);
            ModuleFileFuzzLayout l = new ModuleFileFuzzLayout(b);
            String stem = s.getFileName().toString().replace(".ko", "");
            Files.write(bad.resolve(stem + "-cut.ko"), java.util.Arrays.copyOf(b, (int) l.shoff + 1));
            Files.write(bad.resolve(stem + "-shoff.ko"), Mutation.edit("", 40, ModuleFileFuzzLayout.le64(-1)).applyTo(b));
            List<long[]> followed = ModuleFileFuzzMutations.followed(l);
            for (int i = 0; i < 3; i++) {
                Files.write(bad.resolve(stem + "-random" + i + ".ko"),
                        ModuleFileFuzzMutations.flips(l, followed, random).applyTo(b));
            }
            if (b.length < 1_000_000) {
                byte[] xz = xz(b);
                xz[xz.length / 2] ^= 0x10;
                Files.write(bad.resolve(stem + "-flipped.ko.xz"), xz);
                byte[] zst = zstd(b);
                Files.write(bad.resolve(stem + "-cut.ko.zst"), java.util.Arrays.copyOf(zst, zst.length - 5));
            }
        }
        Files.write(bad.resolve("empty.ko"), new byte[0]);
        Files.writeString(bad.resolve("text.ko.gz"), "not gzip at all");
        Files.write(bad.resolve("bomb.ko.zst"), repeat(zstd(new byte[8 << 20]), 70));
        try (RandomAccessFile sparse = new RandomAccessFile(bad.resolve("sparse-600M.ko").toFile(), "rw")) {
            sparse.setLength(600L << 20);   // over the 512 MiB cap, without using the disk
        }
        Files.writeString(bad.resolve("README.txt"), "not a module file name: never read");

        // Expected: each file read alone, then the loader's rules (path order; one module per name).
        List<Path> files = ModuleFileFinder.find(tree);
        List<String> expectedRejections = new ArrayList<>();
        Map<String, Path> names = new LinkedHashMap<>();
        int expectedModules = 0;
        int expectedWithout = 0;
        int expectedSites = 0;
        int damagedAcceptedAsValid = 0;
        for (Path f : files) {
            ModuleImage image;
            try {
                image = KernelModuleReader.read(f);
            } catch (MalformedModuleException e) {
                expectedRejections.add("rejected " + f + ": " + e.reason());
                continue;
            }
            damagedAcceptedAsValid += f.startsWith(bad) ? 1 : 0;
            if (image.sites().isEmpty()) {
                expectedWithout++;
            } else if (names.containsKey(image.name())) {
                expectedRejections.add("rejected " + f + ": module " + image.name() + " is already loaded");
            } else {
                names.put(image.name(), f);
                expectedModules++;
                expectedSites += image.sites().size();
            }
        }

        DyndbgLog log = new DyndbgLog(0);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        log.addLineListener(lines::add);
        TableRegistry registry = new TableRegistry(HeapBodyStore.factory(), log);
        ModuleLoader.Summary summary = new ModuleLoader(registry, log, 2).load(List.of(tree));
        System.out.printf("[module-fuzz] mixed load: %d files (%d good, %d damaged), %d modules added, %d rejected,"
                        + " %d without call sites, %d damaged files still valid, %d ms: %s%n", summary.files(), goodFiles.size(),
                summary.files() - goodFiles.size(), summary.modules(), summary.rejected(), summary.withoutSites(),
                damagedAcceptedAsValid, summary.nanos() / 1_000_000, summary.describe());

        assertEquals(files.size(), summary.files());
        assertEquals(expectedModules, summary.modules());
        assertEquals(expectedSites, summary.sites());
        assertEquals(expectedWithout, summary.withoutSites());
        assertEquals(expectedRejections.size(), summary.rejected());
        assertTrue(summary.rejected() >= 5L * sources.size(), "most damaged files are rejected: " + summary.rejected());
        List<String> logged = lines.stream().filter(l -> l.startsWith(DyndbgLog.PREFIX + "rejected "))
                .map(l -> l.substring(DyndbgLog.PREFIX.length())).toList();
        assertEquals(expectedRejections, logged, "one line per rejected file, naming it and the reason, in load order");
        for (String line : logged) {
            assertFalse(line.matches(".*: *$"), "a reason is given: " + line);
        }

        // Every good module loaded from its good copy, with the very lines it has when loaded alone.
        String control = ControlStream.snapshot(registry);
        for (Path f : goodFiles) {
            ModuleImage image = KernelModuleReader.read(f);
            if (image.sites().isEmpty()) {
                continue;
            }
            assertEquals("module files under " + tree, registry.find(image.name()).orElseThrow().origin(), image.name() + " says the tree it came from");
            TableRegistry alone = new TableRegistry(HeapBodyStore.factory(), new DyndbgLog(0));
            assertEquals(1, new ModuleLoader(alone, new DyndbgLog(0), 1).load(List.of(f)).modules());
            String tag = " [" + image.name() + "]";
            List<String> expected = ControlStream.snapshot(alone).lines().filter(l -> l.contains(tag)).toList();
            assertEquals(image.sites().size(), expected.size());
            assertEquals(expected, control.lines().filter(l -> l.contains(tag)).toList(), image.name());
        }
    }
}
