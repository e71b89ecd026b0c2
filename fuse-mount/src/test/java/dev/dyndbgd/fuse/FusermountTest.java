package dev.dyndbgd.fuse;

import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Mounts with the real fusermount3. Nothing serves the mount, so the tests never stat or list the
 * mount point (that would wait forever for a reply); they look at /proc instead, and close the
 * device first on the way out (which aborts the connection) so a failure cannot leave a hang behind.
 */
@Timeout(60)
class FusermountTest {
    /** libc close, for the descriptor the mount hands us. */
    public interface LibC {
        int close(int fd);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final long O_CLOEXEC = 02000000;

    @BeforeAll
    static void requireFuse() {
        assumeTrue(Files.exists(Paths.get("/dev/fuse")), "/dev/fuse missing");
        assumeTrue(onPath("fusermount3"), "fusermount3 not installed");
    }

    @Test
    void mountsPassesBackTheDeviceAndUnmounts(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("mnt")).toRealPath();
        int fd = Fusermount.mount(dir, "fsname=fmtest,subtype=fmtest");
        boolean closed = false;
        try {
            assertTrue(fd >= 0, "fd " + fd);
            assertEquals("/dev/fuse", Files.readSymbolicLink(Paths.get("/proc/self/fd/" + fd)).toString());
            assertTrue((fdFlags(fd) & O_CLOEXEC) != 0, "received fd should be close-on-exec");
            Optional<String> fsType = mountedFsType(dir);
            assertTrue(fsType.isPresent(), "no mountinfo entry for " + dir);
            assertTrue(fsType.get().startsWith("fuse"), "fs type " + fsType.get());
            assertEquals("fuse.fmtest", fsType.get());

            assertEquals(0, LIBC.close(fd));
            closed = true;
            assertTrue(Fusermount.unmount(dir, true), "unmount");
            assertFalse(mountedFsType(dir).isPresent(), "still mounted: " + dir);
        } finally {
            if (!closed) {
                LIBC.close(fd);
            }
            if (mountedFsType(dir).isPresent()) {
                Fusermount.unmount(dir, true);
            }
        }
    }

    @Test
    void failureCarriesFusermountsReason(@TempDir Path tmp) {
        Path missing = tmp.resolve("does/not/exist");
        IOException e = assertThrows(IOException.class, () -> Fusermount.mount(missing, "fsname=fmtest,subtype=fmtest"));
        String msg = e.getMessage();
        // fusermount3's own words, e.g. "fusermount3: bad mount point /...: No such file or directory"
        assertTrue(msg.contains("fusermount3: "), msg);
        assertTrue(msg.contains("No such file or directory"), msg);
        assertTrue(msg.contains("exit status 1"), msg);
    }

    @Test
    void unmountOfSomethingNotMountedIsFalse(@TempDir Path tmp) {
        assertFalse(Fusermount.unmount(tmp, false));
    }

    /** The fs type of the mount at {@code dir} from /proc/self/mountinfo, if it is a mount point. */
    private static Optional<String> mountedFsType(Path dir) throws IOException {
        String want = dir.toString();
        Optional<String> found = Optional.empty();
        for (String line : Files.readAllLines(Paths.get("/proc/self/mountinfo"))) {
            // "id parent maj:min root MOUNTPOINT options [optional...] - FSTYPE source superopts"
            String[] fields = line.split(" ");
            int sep = List.of(fields).indexOf("-");
            if (fields.length > 4 && sep > 0 && sep + 1 < fields.length && unescape(fields[4]).equals(want)) {
                found = Optional.of(fields[sep + 1]); // the last entry is the one on top
            }
        }
        return found;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes like \040. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(s.charAt(i));
            }
        }
        return b.toString();
    }

    /** The "flags:" line of /proc/self/fdinfo/FD (octal open flags, O_CLOEXEC included). */
    private static long fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Long.parseLong(line.substring(6).trim(), 8);
            }
        }
        throw new IOException("no flags in fdinfo for " + fd);
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Paths.get(d, program))) {
                return true;
            }
        }
        return false;
    }
}
