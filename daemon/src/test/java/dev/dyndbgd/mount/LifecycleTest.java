package dev.dyndbgd.mount;

import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.fuse.MountPointState;
import dev.dyndbgd.fuse.MountTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.dyndbgd.mount.DaemonProcess.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start, stop, crash and restart of the real daemon process. */
@Timeout(180)
class LifecycleTest {
    @TempDir
    Path work;
    private Path modules;

    @BeforeEach
    void fixtures() throws Exception {
        FuseRequirements.check();
        modules = Files.createDirectories(work.resolve("modules"));
        Fixtures.generatedModule(modules, "beta", 12);
    }

    @Test
    void sigtermUnmountsAndExitsZero() throws Exception {
        DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString());
        assertTrue(MountTable.at(d.mount).isPresent());
        assertEquals(0, d.terminate());
        assertTrue(MountTable.at(d.mount).isEmpty(), "still mounted after SIGTERM");
        assertTrue(d.logText().contains("caught SIGTERM"), d.logText());
    }

    @Test
    void killMinusNineThenRestartRecoversTheMountAndTheFlags() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString())) {
            killAndRestart(d);
        }
    }

    private void killAndRestart(DaemonProcess d) throws Exception {
        assertEquals(0, sh("echo 'module beta func fn_3 +pmf' > " + d.control()).exit());
        assertEquals(0, sh("echo 'module beta func fn_[5] +t; module beta func fn_5 +l' > " + d.control()).exit());
        d.kill9();
        assertEquals(MountPointState.STALE, MountPointState.of(d.mount));
        assertFalse(sh("cat " + d.control()).exit() == 0, "a dead mount does not answer");

        try (DaemonProcess again = DaemonProcess.start(work, "--load", modules.toString())) {
            assertTrue(again.logText().contains("stale mount"), again.logText());
            String control = sh("cat " + again.control()).out();
            assertTrue(control.contains("[beta]fn_3 =pmf \"beta site 3\\n\""), control);
            assertTrue(control.contains("[beta]fn_5 =l \"beta site 5\\n\""), control);
            assertEquals(2, control.lines().filter(l -> l.contains("[beta]") && !l.contains(" =_ ")).count());
            assertEquals(0, again.terminate());
        }
    }

    @Test
    void corruptStateIsSetAsideNotFatal() throws Exception {
        Files.writeString(work.resolve("state"), "# dyndbgd state v1: crc32c flags module line file function format\ngarbage\nmore\n");
        DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString());
        try {
            assertTrue(d.logText().contains("is corrupt"), d.logText());
            try (var files = Files.list(work)) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("state.corrupt-")));
            }
            assertEquals(0, sh("echo 'module beta +p' > " + d.control()).exit());
        } finally {
            assertEquals(0, d.terminate());
        }
    }

    @Test
    void configFileQueriesApplyAtStartAndOnModuleAdd() throws Exception {
        Path conf = work.resolve("dyndbgd.conf");
        Files.writeString(conf, """
                # test config
                verbose = 1
                load = %s
                dyndbg = "module beta func fn_1 +p"
                beta.dyndbg = "func fn_2 +f"   # the module's own queries
                dyndbgd.dyndbg
                """.formatted(modules));
        DaemonProcess d = DaemonProcess.start(work, "--config", conf.toString());
        try {
            String control = sh("cat " + d.control()).out();
            assertTrue(control.contains("[beta]fn_1 =p "), control);
            assertTrue(control.contains("[beta]fn_2 =f "), control);
            assertTrue(control.lines().filter(l -> l.contains("[dyndbgd]")).allMatch(l -> l.contains(" =p ")), control);
            assertTrue(d.logText().contains("debug prints in module beta"), "verbose 1 logs module adds");
        } finally {
            d.terminate();
        }
    }

    @Test
    void badConfigLineStopsTheStartNamingFileAndLine() throws Exception {
        Path conf = work.resolve("bad.conf");
        Files.writeString(conf, "mount = /tmp/x\nverbose = 9\n");
        var r = DaemonProcess.run(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.dyndbgd.daemon.Main", "--config", conf.toString()));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains(conf + ":2: verbose must be 0..4"), r.err());
    }
}
