package dev.dyndbgd.elf;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command-line tools the tests build and check fixtures with (gcc, readelf, xz, zstd,
 * gzip). Tests that need a missing tool are skipped, not failed: the reader itself does not depend
 * on them.
 */
final class Tools {
    private Tools() {
    }

    /** Skips the calling test unless {@code tool} is on the PATH. */
    static void assume(String tool) {
        // CI installs every tool (bin/test), so there a missing one is a broken set-up, not a skip.
        if ("true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.assertTrue(onPath(tool), tool + " is not installed but CI must have it");
        }
        Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command} in {@code dir}, returning stdout; fails the test on a non-zero exit. */
    static String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile());
        pb.environment().put("LC_ALL", "C");
        Path err = Files.createTempFile("tool", ".err");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": "
                        + Files.readString(err));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /**
     * Compiles {@code source} the way a fixture needs it: {@code gcc -c -O0 -fno-pic}, which gives
     * R_X86_64_64 relocations for data pointers just as kernel objects have. The source is written
     * to {@code relativeSource} under {@code dir} and compiled from {@code dir}, so {@code __FILE__}
     * is that relative path (as in a kernel build). The object is renamed to {@code moduleFile}.
     */
    static Path compileModule(Path dir, String relativeSource, String source, String moduleFile)
            throws IOException, InterruptedException {
        assume("gcc");
        Path c = dir.resolve(relativeSource);
        Files.createDirectories(c.getParent());
        Files.writeString(c, source);
        Path object = dir.resolve(relativeSource.replace('/', '_') + ".o");
        run(dir, "gcc", "-c", "-O0", "-fno-pic", "-fno-asynchronous-unwind-tables", "-o", object.toString(),
                relativeSource);
        Path module = dir.resolve(moduleFile);
        Files.createDirectories(module.getParent());
        return Files.move(object, module);
    }

    static List<String> lines(String text) {
        return new ArrayList<>(text.lines().toList());
    }
}
