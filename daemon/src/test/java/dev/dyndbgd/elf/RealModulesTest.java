package dev.dyndbgd.elf;

import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads a real Debian kernel's modules, when they are unpacked on this machine (skipped otherwise).
 * The expected numbers were counted independently of this reader for Debian's 6.1.0-50-amd64.
 */
class RealModulesTest {
    /** Set by bin/test (-Ddyndbgd.realModules) to the tree scripts/fetch-real-modules unpacked. */
    static final String DIR = System.getProperty("dyndbgd.realModules", "");
    static final Path ROOT = Path.of(DIR.isEmpty() ? "/nonexistent" : DIR);
    static final List<String> DRM_CLASSES = List.of("DRM_UT_CORE", "DRM_UT_DRIVER", "DRM_UT_KMS", "DRM_UT_PRIME",
            "DRM_UT_ATOMIC", "DRM_UT_VBL", "DRM_UT_STATE", "DRM_UT_LEASE", "DRM_UT_DP", "DRM_UT_DRMRES");

    static List<Path> files;

    @BeforeAll
    static void find() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(ROOT), ROOT + " is not here");
        files = ModuleFileFinder.find(ROOT);
    }

    @Test
    void readsAllModules() throws Exception {
        assertEquals(4022, files.size());
        int withSites = 0;
        int sites = 0;
        List<ClassMap> maps = new ArrayList<>();
        for (Path f : files) {
            ModuleImage m = KernelModuleReader.read(f);
            withSites += m.sites().isEmpty() ? 0 : 1;
            sites += m.sites().size();
            maps.addAll(m.classMaps());
        }
        assertEquals(1406, withSites);
        assertEquals(29633, sites);
        // Debian 6.1: five DRM modules declare the same 10-class map in the 56-byte layout (three of
        // them, i915 among them, have a map but no __dyndbg section at all).
        assertEquals(List.of("amdgpu", "drm_display_helper", "drm_kms_helper", "i915", "nouveau"),
                maps.stream().map(ClassMap::moduleName).toList());
        for (ClassMap map : maps) {
            assertEquals(new ClassMap(map.moduleName(), DRM_CLASSES, 0, ClassMap.Type.DISJOINT_BITS), map);
        }
    }

    @Test
    void usbcoreAgreesWithReadelf() throws Exception {
        Tools.assume("readelf");
        Path usbcore = ROOT.resolve("kernel/drivers/usb/core/usbcore.ko");
        ModuleImage image = KernelModuleReader.read(usbcore);
        assertEquals("usbcore", image.name());
        assertEquals(162, image.sites().size());
        List<ReadelfTruth.Site> truth = new ReadelfTruth(usbcore).sites();
        assertEquals(162, truth.size());
        for (int i = 0; i < truth.size(); i++) {
            SiteRecord s = image.sites().get(i);
            assertEquals(truth.get(i), new ReadelfTruth.Site(s.file(), s.function(), s.format(), s.line(), s.classId(),
                    s.flags()), "site " + i);
        }
        // Spot checks read off `readelf -r` / `readelf -x` by hand. The compiler emits a file's
        // descriptors last-first, so hub.c's highest lines come first.
        assertEquals(new SiteRecord("drivers/usb/core/hub.c", "usb_reset_device",
                "device reset not allowed in state %d\n", 6301, SiteRecord.CLASS_DEFAULT, 0), image.sites().get(3));
        assertEquals(6480, image.sites().get(0).line());
    }

    /** Not an assertion: prints how long a full scan takes, cold-ish and warmed up, 1 and 2 threads. */
    @Test
    void timing() throws Exception {
        for (int round = 1; round <= 5; round++) {
            long t0 = System.nanoTime();
            int single = 0;
            for (Path f : ModuleFileFinder.find(ROOT)) {
                single += KernelModuleReader.read(f).sites().size();
            }
            long t1 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            int pooled = 0;
            try {
                List<Future<ModuleImage>> futures = new ArrayList<>();
                for (Path f : ModuleFileFinder.find(ROOT)) {
                    futures.add(pool.submit(() -> KernelModuleReader.read(f)));
                }
                for (Future<ModuleImage> fut : futures) {
                    pooled += fut.get().sites().size();
                }
            } finally {
                pool.shutdown();
            }
            long t2 = System.nanoTime();
            System.out.printf("[timing] round %d: find+read %d modules: 1 thread %.0f ms, 2 threads %.0f ms (%d/%d sites)%n",
                    round, files.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, single, pooled);
        }
    }
}
