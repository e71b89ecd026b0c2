package dev.dyndbgd.elf;

import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelModuleReaderTest {
    @TempDir
    Path dir;

    /** 1-based line of the first source line containing {@code marker}, i.e. what __LINE__ says there. */
    static int lineOf(String source, String marker) {
        List<String> lines = source.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i + 1;
            }
        }
        throw new AssertionError("marker not in source: " + marker);
    }

    @Test
    void decodesSitesInDescriptorOrder() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.SITES_C, "fixture.ko");
        ModuleImage image = KernelModuleReader.read(ko);

        assertEquals("fixture_mod", image.name(), ".modinfo name= wins over the file name");
        assertEquals(List.of(), image.classMaps());
        String file = "drivers/fixture/fixture.c";
        SiteRecord alpha = new SiteRecord(file, "alpha", "alpha %s caf\u00c3\u00a9\n", lineOf(Fixtures.SITES_C, "void alpha("),
                63, Flags.PRINT);
        // Strings are kept byte for byte (one char per byte): UTF-8 "é" is two chars, \xff is one.
        SiteRecord beta = new SiteRecord(file, "beta", "beta bad utf8 \u00ff!\n", lineOf(Fixtures.SITES_C, "void beta("),
                62, Flags.INCL_FUNCNAME | Flags.INCL_SOURCENAME);
        // The array's order is fixed by C; where the compiler put the two function statics relative to
        // it is its choice, so read that back from the symbol table.
        ReadelfTruth truth = new ReadelfTruth(ko);
        long alphaAt = truth.symbolsStartingWith("d_alpha").get(0).value();
        long betaAt = truth.symbolsStartingWith("d_beta").get(0).value();
        long tableAt = truth.symbolsStartingWith("table").get(0).value();
        record Placed(long at, List<SiteRecord> sites) {
        }
        List<Placed> placed = new java.util.ArrayList<>(List.of(
                new Placed(tableAt, List.of(
                        new SiteRecord("drivers/fixture/a.c", "table_fn_a", "first %d\n", 11, 63, 0),
                        // flags byte 0xff: only the six known bits survive; line 2^18-1 is the largest.
                        new SiteRecord("drivers/fixture/b.c", "table_fn_b", "max line, every flag bit\n",
                                SiteRecord.MAX_LINE, 5, Flags.ALL),
                        new SiteRecord("drivers/fixture/c.c", "table_fn_c", "global format %s\n", 0, 0, Flags.PRINT))),
                new Placed(alphaAt, List.of(alpha)),
                new Placed(betaAt, List.of(beta))));
        placed.sort(Comparator.comparingLong(Placed::at));
        List<SiteRecord> expected = placed.stream().flatMap(p -> p.sites().stream()).toList();
        assertEquals(expected, image.sites());
    }

    @Test
    void agreesWithReadelf() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.SITES_C, "fixture.ko");
        List<ReadelfTruth.Site> truth = new ReadelfTruth(ko).sites();
        List<SiteRecord> sites = KernelModuleReader.read(ko).sites();
        assertEquals(truth.size(), sites.size());
        for (int i = 0; i < sites.size(); i++) {
            SiteRecord s = sites.get(i);
            assertEquals(truth.get(i), new ReadelfTruth.Site(s.file(), s.function(), s.format(), s.line(), s.classId(),
                    s.flags()), "site " + i);
        }
    }

    @Test
    void followsRelocationsAgainstNamedSymbolsWithNonZeroValue() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.SITES_C, "fixture.ko");
        // Guard the fixture itself: the point is a symbol whose st_value is not 0.
        assertNotEquals(0L, new ReadelfTruth(ko).symbolsStartingWith("global_format").get(0).value());
        assertTrue(KernelModuleReader.read(ko).sites().stream().anyMatch(s -> s.format().equals("global format %s\n")));
    }

    @Test
    void fallsBackToFileNameWithDashesAsUnderscores() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.NAMELESS_C, "snd-hda-fixture.ko");
        ModuleImage image = KernelModuleReader.read(ko);
        assertEquals("snd_hda_fixture", image.name());
        assertEquals(1, image.sites().size());
        assertEquals("gamma_fn", image.sites().get(0).function());
    }

    @Test
    void moduleNamesFromFileNames() {
        assertEquals("snd_hda_intel", ModuleCompression.moduleNameOf("snd-hda-intel.ko"));
        assertEquals("snd_hda_intel", ModuleCompression.moduleNameOf("snd-hda-intel.ko.xz"));
        assertEquals("usb_storage", ModuleCompression.moduleNameOf("usb-storage.ko.zst"));
        assertEquals("e1000e", ModuleCompression.moduleNameOf("e1000e.ko.gz"));
        assertEquals(ModuleCompression.XZ, ModuleCompression.ofFileName("a.ko.xz"));
        assertEquals(null, ModuleCompression.ofFileName("a.ko.bz2"));
        assertEquals(null, ModuleCompression.ofFileName(".ko"));
    }

    @Test
    void moduleWithoutDynamicDebugHasNoSites() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.PLAIN_C, "plain.ko");
        assertEquals(new ModuleImage("plain", List.of(), List.of()), KernelModuleReader.read(ko));
    }

    @Test
    void decodesLinux61ClassMapLayout() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.CLASS_MAP_56_C, "classy56.ko");
        assertEquals(56, new ReadelfTruth(ko).section("__dyndbg_classes").size(), "fixture has one 56-byte record");
        ModuleImage image = KernelModuleReader.read(ko);
        assertEquals(List.of(new ClassMap("classy56", List.of("DRM_UT_CORE", "DRM_UT_DRIVER", "DRM_UT_KMS"), 0,
                ClassMap.Type.DISJOINT_BITS)), image.classMaps());
        assertEquals(2, image.sites().get(0).classId());
    }

    @Test
    void decodesNewerClassMapLayout() throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.CLASS_MAP_40_C, "classy40.ko");
        assertEquals(80, new ReadelfTruth(ko).section("__dyndbg_classes").size(), "fixture has two 40-byte records");
        ModuleImage image = KernelModuleReader.read(ko);
        assertEquals(List.of(
                new ClassMap("classy40", List.of("ONE", "TWO"), 0, ClassMap.Type.DISJOINT_BITS),
                new ClassMap("classy40", List.of("L0", "L1", "L2", "L3"), 10, ClassMap.Type.LEVEL_NAMES)),
                image.classMaps());
        assertEquals(11, image.sites().get(0).classId());
    }

    @Test
    void parsesFromBufferPositionToLimitWithoutDisturbingIt() throws Exception {
        byte[] elf = Files.readAllBytes(Fixtures.module(dir, Fixtures.SITES_C, "fixture.ko"));
        byte[] padded = new byte[elf.length + 20];
        System.arraycopy(elf, 0, padded, 7, elf.length);
        ByteBuffer buf = ByteBuffer.wrap(padded, 7, elf.length);
        ModuleImage image = KernelModuleReader.parse(buf, "mem", "x");
        assertEquals(5, image.sites().size());
        assertEquals(7, buf.position());
        assertEquals(7 + elf.length, buf.limit());
    }
}
