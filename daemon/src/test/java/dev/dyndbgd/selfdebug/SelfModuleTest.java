package dev.dyndbgd.selfdebug;

import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.table.HeapBodyStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon's own debug statements: listed with their true location, silent until enabled. */
class SelfModuleTest {
    /** The line of the first use of a statement constant in a main source file, read from the source text. */
    private static int sourceLine(String relative, String statement) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/main/java", relative));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(statement + ".printf(")) {
                return i + 1;
            }
        }
        throw new AssertionError("no " + statement + ".printf( in " + relative);
    }

    @Test
    void sitesCarryRealFileFunctionAndLine() throws IOException {
        Daemon daemon = new Daemon(new DyndbgLog(0), HeapBodyStore.factory());
        daemon.registerSelf();
        String control = ControlStream.snapshot(daemon.registry());
        int line = sourceLine("dev/dyndbgd/load/ModuleLoader.java", "LOADED");
        assertTrue(control.contains("dev/dyndbgd/load/ModuleLoader.java:" + line + " [dyndbgd]load =_ \"loaded %s as %s: %d sites\\n\"\n"),
                control);
        assertTrue(control.startsWith("# filename:lineno [module]function flags format\n"));
    }

    @Test
    void enablingTheModulePrintsDecoratedLines(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Daemon daemon = new Daemon(new DyndbgLog(0), HeapBodyStore.factory());
        daemon.registerSelf();
        List<String> printed = new ArrayList<>();
        Runnable remove = dev.dyndbgd.client.DebugOutput.addListener(printed::add);
        try {
            daemon.load(List.of(dir)); // nothing to load: no "loaded" line yet
            assertEquals(List.of(), printed);
            assertTrue(daemon.engine().write("module dyndbgd +pmfl").ok());
            Path ko = dev.dyndbgd.elf.Fixtures.sitesModule(dir);
            daemon.load(List.of(ko));
            int line = sourceLine("dev/dyndbgd/load/ModuleLoader.java", "LOADED");
            assertEquals(List.of("dyndbgd:load:" + line + ": loaded " + ko + " as fixture_mod: 5 sites"), printed);
            daemon.engine().write("module dyndbgd -p");
            daemon.registry().remove("fixture_mod");
            daemon.load(List.of(ko));
            assertEquals(1, printed.size());
        } finally {
            remove.run();
        }
    }
}
