package dev.dyndbgd.mount;

import dev.dyndbgd.elf.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The saved state's disk fills up under a real daemon: the write that cannot be saved is answered
 * "No space left on device" and changes nothing, the daemon says why and keeps serving, the file
 * stays valid, and after a restart exactly the acknowledged changes come back.
 */
@Timeout(180)
class FullDiskTest {
    @TempDir
    Path work;
    private Path small;

    @AfterEach
    void unmountSmallDisk() throws Exception {
        if (small != null) {
            DaemonProcess.sh("umount -l " + small);
        }
    }

    /** A 32 KiB tmpfs: a disk that fills after a few pages. */
    private Path smallDisk() throws Exception {
        Path dir = Files.createDirectories(work.resolve("small"));
        DaemonProcess.Shell m = DaemonProcess.sh("mount -t tmpfs -o size=32k,mode=0755 dyndbgd-test " + dir);
        if ("true".equals(System.getenv("CI"))) {
            assertEquals(0, m.exit(), "CI runs as root and must be able to mount a tmpfs: " + m.err());
        }
        Assumptions.assumeTrue(m.exit() == 0, "cannot mount a tmpfs here: " + m.err());
        small = dir;
        return dir;
    }

    /** Fills the disk with one file until the file system refuses more. */
    private static Path fill(Path disk) throws IOException {
        Path filler = disk.resolve("filler");
        byte[] block = new byte[512];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
        }
        return filler;
    }

    private static String lineFlags(String control, int line) {
        for (String l : control.lines().toList()) {
            if (l.contains(":" + line + " [beta]")) {
                return l.substring(l.indexOf(" =") + 2, l.indexOf(' ', l.indexOf(" =") + 2));
            }
        }
        throw new AssertionError("no line " + line + " in\n" + control);
    }

    @Test
    void aWriteThatCannotBeSavedIsRefusedAndUndoneAndTheFileStaysValid() throws Exception {
        FuseRequirements.check();
        Path disk = smallDisk();
        Path modules = Files.createDirectories(work.resolve("modules"));
        Fixtures.generatedModule(modules, "beta", 12);
        Path state = disk.resolve("state");
        TreeMap<Integer, String> expected = new TreeMap<>();
        int refusedLine;
        try (DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString(), "--state-file", state.toString())) {
            String control = DaemonProcess.sh("cat " + d.control()).out();
            int first = control.lines().filter(l -> l.contains("[beta]")).mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1, l.indexOf(' ')))).min().orElseThrow();
            fill(disk);
            // Appends go into the state file's last page until it is full, then one is refused.
            refusedLine = -1;
            for (int i = 0; i < 400 && refusedLine < 0; i++) {
                int line = first + (i % 12);
                String flags = (i / 12) % 2 == 0 ? "pmf" : "_";
                DaemonProcess.Shell w = DaemonProcess.sh("echo 'module beta line " + line + " =" + flags + "' > " + d.control());
                if (w.exit() == 0) {
                    expected.put(line, flags);
                } else {
                    assertTrue(w.err().contains("No space left on device"), w.err());
                    refusedLine = line;
                }
            }
            assertTrue(refusedLine >= 0, "the disk never filled up");
            String after = DaemonProcess.sh("cat " + d.control()).out();
            assertEquals(expected.getOrDefault(refusedLine, "_"), lineFlags(after, refusedLine), "the refused write changed nothing");
            assertTrue(d.logText().contains("cannot save state to " + state) && d.logText().contains("undone"), d.logText());
            // Space again: writes are accepted and saved.
            Files.delete(disk.resolve("filler"));
            assertEquals(0, DaemonProcess.sh("echo 'module beta line " + refusedLine + " =pl' > " + d.control()).exit());
            expected.put(refusedLine, "pl");
            d.kill9();
        }
        try (DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString(), "--state-file", state.toString())) {
            String control = DaemonProcess.sh("cat " + d.control()).out();
            for (var e : expected.entrySet()) {
                assertEquals(e.getValue(), lineFlags(control, e.getKey()), "line " + e.getKey() + " after restart");
            }
            assertTrue(!d.logText().contains("corrupt"), "the state file stayed valid: " + d.logText());
        }
    }
}
