package dev.dyndbgd.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigFileTest {
    private static DaemonConfig parse(String... lines) throws ConfigException {
        return ConfigFile.parse("t.conf", List.of(lines), DaemonConfig.defaults());
    }

    @Test
    void everyKey() throws ConfigException {
        DaemonConfig c = parse("# comment", "", "mount = /run/dd   # trailing comment", "load = /a", "load = \"/b c\"",
                "allow_other = no", "default_permissions = yes", "verbose = 3", "state_file = /s", "socket = /run/x/d.sock",
                "dyndbg = \"module usbcore +p; func x -p\"", "usbcore.dyndbg = \"file hub.c +f\"", "snd-hda.dyndbg",
                "quoted.dyndbg = \"format \\\"a#b\\\" +p\"");
        assertEquals(Path.of("/run/dd"), c.mountPoint());
        assertEquals(List.of(Path.of("/a"), Path.of("/b c")), c.loadPaths());
        assertFalse(c.allowOther());
        assertEquals(3, c.verbose());
        assertEquals(Path.of("/s"), c.stateFile());
        assertEquals(Path.of("/run/x/d.sock"), c.socket());
        assertEquals(Path.of("/run/dyndbgd/dyndbgd.sock"), DaemonConfig.defaults().socket());
        assertEquals(List.of("module usbcore +p; func x -p"), c.bootQueries());
        assertEquals(Map.of("usbcore", List.of("file hub.c +f"), "snd_hda", List.of("+p"), "quoted", List.of("format \"a#b\" +p")),
                c.moduleQueries());
    }

    @Test
    void poolKeys() throws ConfigException {
        DaemonConfig c = parse("codec = lz4", "dictionary_size = 0", "memory_budget = 1048576", "block_sites = 12");
        assertEquals(12, c.blockSites());
        assertEquals(32, parse().blockSites(), "32 sites a block by default");
        assertEquals("lz4", c.codec());
        assertEquals(0, c.dictionarySize());
        assertEquals(1048576, c.memoryBudget());
        assertEquals("zstd", parse().codec(), "zstd by default");
        assertEquals("t.conf:1: codec must be one of zstd, lz4dict, lz4, lz4hc, none, got \"gzip\"",
                assertThrows(ConfigException.class, () -> parse("codec = gzip")).getMessage());
        assertEquals("t.conf:1: expected a number 0..1048576, got \"-1\"",
                assertThrows(ConfigException.class, () -> parse("dictionary_size = -1")).getMessage());
    }

    @Test
    void barDyndbgMeansPlusP() throws ConfigException {
        assertEquals(List.of("+p"), parse("dyndbg").bootQueries());
    }

    @Test
    void errorsNameTheLine() {
        assertEquals("t.conf:2: unknown key \"mnt\"", assertThrows(ConfigException.class, () -> parse("", "mnt = /x")).getMessage());
        assertEquals("t.conf:1: verbose must be 0..4, got \"5\"", assertThrows(ConfigException.class, () -> parse("verbose = 5")).getMessage());
        assertEquals("t.conf:1: expected yes or no, got \"maybe\"", assertThrows(ConfigException.class, () -> parse("allow_other = maybe")).getMessage());
        assertEquals("t.conf:1: unclosed double quote", assertThrows(ConfigException.class, () -> parse("dyndbg = \"+p")).getMessage());
        assertEquals("t.conf:1: expected key = value, got \"mount\"", assertThrows(ConfigException.class, () -> parse("mount")).getMessage());
        assertEquals("t.conf:1: bad module name \"a/b\" in a/b.dyndbg", assertThrows(ConfigException.class, () -> parse("a/b.dyndbg = +p")).getMessage());
    }
}
