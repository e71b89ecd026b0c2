package dev.dyndbgd.mount;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user who is not root may do, with real processes under setpriv: read control but not write
 * it, register a module of its own, but not take a name a program of root holds, and not write to
 * anybody's shared flags (its own included: only the daemon writes them).
 */
class PermissionsEndToEndTest {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");

    @TempDir
    Path work;

    private static List<String> asNobody(String... cmd) {
        List<String> c = new ArrayList<>(NOBODY);
        c.addAll(List.of(cmd));
        return c;
    }

    @Test
    void nobodyReadsRegistersItsOwnButTouchesNothingElse() throws Exception {
        FuseRequirements.check();
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path client = CProgramsEndToEndTest.compileClient(work);
        Path empty = Files.createDirectories(work.resolve("empty"));
        try (DaemonProcess d = DaemonProcess.start(work, "--load", empty.toString())) {
            String socket = DaemonProcess.socketOf(work).toString();
            // root's program holds "rootprog" (and waits for +p up to 30 s)
            Path rootOut = work.resolve("root.out");
            Process root = new ProcessBuilder(client.toString(), socket, "rootprog", "3", "30000")
                    .redirectErrorStream(true).redirectOutput(rootOut.toFile()).start();
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.readString(rootOut).startsWith("REGISTERED") && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                Path flags = Files.list(work.resolve("flags")).filter(p -> p.getFileName().toString().startsWith("rootprog."))
                        .findFirst().orElseThrow();
                assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(flags)));

                DaemonProcess.Shell read = DaemonProcess.run(asNobody("cat", d.control().toString()));
                assertEquals(0, read.exit(), read.err());
                assertTrue(read.out().contains("[rootprog]"));
                DaemonProcess.Shell write = DaemonProcess.run(asNobody("sh", "-c", "echo '+p' > " + d.control()));
                assertTrue(write.exit() != 0 && write.err().contains("Permission denied"), write.err());

                DaemonProcess.Shell scribble = DaemonProcess.run(asNobody("sh", "-c", "printf '\\001\\001\\001' | dd of=" + flags + " conv=notrunc status=none"));
                assertTrue(scribble.exit() != 0 && scribble.err().contains("Permission denied"), scribble.err());
                assertEquals(0, Files.readAllBytes(flags)[0], "the flags are unchanged");

                DaemonProcess.Shell thief = DaemonProcess.run(asNobody(client.toString(), socket, "rootprog", "1", "100"));
                assertEquals(2, thief.exit(), thief.out() + thief.err());
                assertTrue(thief.out().startsWith("ERROR 17 "), thief.out());

                // nobody's own module registers; its flags change only through control, by root
                Process mine = new ProcessBuilder(asNobody(client.toString(), socket, "nobodyprog", "2", "20000"))
                        .redirectErrorStream(true).redirectOutput(work.resolve("nobody.out").toFile()).start();
                end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.readString(work.resolve("nobody.out")).startsWith("REGISTERED") && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                String listing = DaemonProcess.sh("cat " + d.control()).out();
                assertTrue(listing.contains("[nobodyprog]"), listing);
                assertEquals(0, DaemonProcess.sh("echo 'module nobodyprog +p' > " + d.control()).exit());
                assertTrue(mine.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, mine.exitValue(), Files.readString(work.resolve("nobody.out")));
                assertTrue(d.logText().contains("uid 65534"), "the refusal names the peer: " + d.logText());
            } finally {
                root.destroyForcibly();
            }
        }
    }
}
