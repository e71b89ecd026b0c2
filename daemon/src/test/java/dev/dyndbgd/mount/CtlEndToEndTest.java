package dev.dyndbgd.mount;

import dev.dyndbgd.elf.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dyndbgctl as a real process against a real mounted daemon: insmod, lsmod, rmmod, and who may. */
class CtlEndToEndTest {
    @TempDir
    Path work;

    @BeforeAll
    static void requirements() {
        FuseRequirements.check();
    }

    private static List<String> ctl(Path socket, String classPath, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "dev.dyndbgd.ctl.Ctl", "--socket", socket.toString()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /**
     * What dyndbgctl needs, copied where user nobody can read it (the build's own class path is
     * typically under root's home): the client and daemon classes and picocli.
     */
    private Path readableClassPath() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "dyndbgctl-cp");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!(e.contains("picocli") || e.contains("client") || e.endsWith("daemon/target/classes"))) {
                continue;
            }
            Path src = Path.of(e);
            Path dst = dir.resolve("e" + n++ + (Files.isDirectory(src) ? "" : ".jar"));
            if (Files.isDirectory(src)) {
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.toList()) {
                        Path t = dst.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                            Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                            Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                        }
                    }
                }
            } else {
                Files.copy(src, dst);
                Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
            }
            entries.add(dst.toString());
        }
        return Path.of(String.join(File.pathSeparator, entries));
    }

    @Test
    void loadListUnloadAsRootAndOnlyListAsNobody() throws Exception {
        // nobody must be able to reach the socket inside the test's directory
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path empty = Files.createDirectories(work.resolve("empty"));
        Path ko = Fixtures.sitesModule(work);
        try (DaemonProcess d = DaemonProcess.start(work, "--load", empty.toString())) {
            Path socket = DaemonProcess.socketOf(work);
            String cp = System.getProperty("java.class.path");

            DaemonProcess.Shell load = DaemonProcess.run(ctl(socket, cp, "load", ko.toString()));
            assertEquals(0, load.exit(), load.err());
            assertTrue(load.out().contains("5 prdebugs in 1 modules"), load.out());
            assertTrue(DaemonProcess.sh("cat " + d.control()).out().contains("[fixture_mod]"));

            DaemonProcess.Shell again = DaemonProcess.run(ctl(socket, cp, "load", ko.toString()));
            assertEquals(1, again.exit());
            assertTrue(d.logText().contains("module fixture_mod is already loaded"), d.logText());

            DaemonProcess.Shell list = DaemonProcess.run(ctl(socket, cp, "modules"));
            assertEquals(0, list.exit(), list.err());
            assertTrue(list.out().startsWith("Module "), list.out());
            assertTrue(list.out().contains("dyndbgd ") && list.out().contains("the daemon itself"), list.out());
            assertTrue(list.out().contains("fixture_mod       5  " + ko), list.out());

            // user nobody: may list, may not load or unload (EPERM), and the daemon says why in its log
            Path readable = readableClassPath();
            List<String> asNobody = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");
            List<String> nobodyUnload = new ArrayList<>(asNobody);
            nobodyUnload.addAll(ctl(socket, readable.toString(), "unload", "fixture_mod"));
            DaemonProcess.Shell denied = DaemonProcess.run(nobodyUnload);
            assertEquals(1, denied.exit(), denied.out() + denied.err());
            assertTrue(denied.err().contains("unload fixture_mod: EPERM"), denied.err());
            assertTrue(d.logText().contains("refused unload of fixture_mod from pid"), d.logText());
            List<String> nobodyList = new ArrayList<>(asNobody);
            nobodyList.addAll(ctl(socket, readable.toString(), "modules"));
            DaemonProcess.Shell listed = DaemonProcess.run(nobodyList);
            assertEquals(0, listed.exit(), listed.err());
            assertTrue(listed.out().contains("fixture_mod"));

            DaemonProcess.Shell unload = DaemonProcess.run(ctl(socket, cp, "unload", "fixture_mod"));
            assertEquals(0, unload.exit(), unload.err());
            assertFalse(DaemonProcess.sh("cat " + d.control()).out().contains("[fixture_mod]"));
            DaemonProcess.Shell gone = DaemonProcess.run(ctl(socket, cp, "unload", "fixture_mod"));
            assertEquals(1, gone.exit());
            assertTrue(gone.err().contains("ENOENT"), gone.err());
            DaemonProcess.Shell self = DaemonProcess.run(ctl(socket, cp, "unload", "dyndbgd"));
            assertTrue(self.err().contains("EBUSY"), self.err());
        }
        DaemonProcess.Shell noDaemon = DaemonProcess.run(ctl(DaemonProcess.socketOf(work), System.getProperty("java.class.path"), "modules"));
        assertEquals(1, noDaemon.exit());
        assertTrue(noDaemon.err().contains("is it running?"), noDaemon.err());
    }
}
