package dev.dyndbgd.mount;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mount tests need /dev/fuse, fuse3 (fusermount3, for unmounting as other users do) and root (to mount
 * with allow_other and to test other users).
 * Elsewhere they are skipped; in CI, which installs everything, a missing piece fails instead.
 */
public final class FuseRequirements {
    private FuseRequirements() {
    }

    public static void check() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean fuse = Files.exists(Path.of("/dev/fuse"));
        boolean lib = Files.exists(Path.of("/usr/bin/fusermount3")) || Files.exists(Path.of("/bin/fusermount3"));
        String why = "needs root, /dev/fuse and fuse3 (root=" + root + ", /dev/fuse=" + fuse + ", fusermount3=" + lib + ")";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.assertTrue(root && fuse && lib, why);
        }
        Assumptions.assumeTrue(root && fuse && lib, why);
    }
}
