package dev.dyndbgd.load;

import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.TableRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real Debian module set (scripts/fetch-real-modules; .ci/run passes it as
 * -Ddyndbgd.realModules). Counts are those of linux-image-6.1.0-50-amd64-unsigned; the spot checks
 * compare our control lines with an independent reading by binutils.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealModuleSetTest {
    private Path tree;
    private TableRegistry registry;
    private ModuleLoader.Summary summary;
    private String control;

    @BeforeAll
    void load() throws IOException {
        String dir = System.getProperty("dyndbgd.realModules", "");
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(!dir.isEmpty() && Files.isDirectory(Path.of(dir)), "CI must run with the real module set");
        }
        assumeTrue(!dir.isEmpty() && Files.isDirectory(Path.of(dir)), "real module set not fetched (scripts/fetch-real-modules)");
        tree = Path.of(dir);
        DyndbgLog log = new DyndbgLog(0);
        registry = new TableRegistry(HeapBodyStore.factory(), log);
        summary = new ModuleLoader(registry, log).load(List.of(tree));
        try (ControlStream in = new ControlStream(registry)) {
            control = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void countsOfTheDebianPackage() {
        assumeTrue(tree.toString().contains("6.1.0-50-amd64"), "fallback package: counts differ");
        assertEquals(4022, summary.files());
        assertEquals(0, summary.rejected());
        assertEquals(1406, summary.modules());
        assertEquals(29633, summary.sites());
        assertEquals(29633 + 1, control.lines().count());
    }

    @ParameterizedTest
    @CsvSource({"kernel/drivers/usb/core/usbcore.ko,usbcore", "kernel/drivers/net/ethernet/intel/ice/ice.ko,ice",
            "kernel/fs/btrfs/btrfs.ko,btrfs", "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko,e1000e",
            "kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko,amdgpu", "kernel/fs/smb/client/cifs.ko,cifs", "kernel/net/bluetooth/bluetooth.ko,bluetooth"})
    void controlLinesMatchAnIndependentReading(String file, String module) throws Exception {
        Path ko = tree.resolve(file);
        assumeTrue(Files.exists(ko) || !tree.toString().contains("6.1.0-50-amd64"), ko + " not in this package");
        List<String> expected = BinutilsOracle.controlLines(ko, module);
        assertTrue(expected.size() > 100, "a module with many call sites: " + expected.size());
        List<String> ours = control.lines().filter(l -> l.contains(" [" + module + "]")).toList();
        assertEquals(expected, ours);
    }

    @Test
    void queriesOverTheWholeSet() throws IOException {
        var engine = new dev.dyndbgd.query.QueryEngine(registry, new DyndbgLog(0));
        assertEquals(162, engine.write("module usbcore +p").matches());
        int cleared = engine.write("=_").matches();
        String after;
        try (ControlStream in = new ControlStream(registry)) {
            after = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertEquals(cleared, after.lines().filter(l -> l.contains(" =_ \"")).count());
        assertEquals(0, after.lines().filter(l -> l.contains(" =p \"") && !l.contains(" class")).count());
    }
}
