package dev.dyndbgd.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds module files: a file given directly is taken as is; a directory is searched recursively for
 * regular files named {@code *.ko}, {@code *.ko.xz}, {@code *.ko.zst} or {@code *.ko.gz}.
 *
 * <p>The order is that of {@code find DIR -type f | LC_ALL=C sort}: paths compared as unsigned UTF-8
 * bytes. {@link String#compareTo} compares UTF-16 units, which orders characters outside the Basic
 * Multilingual Plane differently; byte order makes the listing identical to what a shell user sees
 * and stable across machines.
 *
 * <p>Symbolic links inside the tree are not followed (like {@code find -type f}, which reports them
 * as type {@code l}), so a link loop cannot make the walk endless and no module is listed twice.
 * A symbolic link given as the starting directory is followed, as {@code find DIR/} would.
 */
public final class ModuleFileFinder {
    private ModuleFileFinder() {
    }

    /**
     * The module files at {@code start}, in byte order of their path strings.
     *
     * @throws IOException if {@code start} does not exist or a directory in the tree cannot be read
     */
    public static List<Path> find(Path start) throws IOException {
        if (!Files.isDirectory(start)) {
            if (!Files.exists(start)) {
                throw new NoSuchFileException(start.toString());
            }
            return List.of(start);
        }
        // Walk the real directory so a symlinked start is entered, but report paths under the
        // name the caller gave.
        Path real = start.toRealPath();
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(real, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && ModuleCompression.isModuleFileName(String.valueOf(file.getFileName()))) {
                    found.add(start.resolve(real.relativize(file)));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return sortByBytes(found);
    }

    /** Sorts paths by the unsigned UTF-8 bytes of their string form ({@code LC_ALL=C sort}). */
    static List<Path> sortByBytes(List<Path> paths) {
        record Keyed(byte[] key, Path path) {
        }
        Keyed[] keyed = new Keyed[paths.size()];
        for (int i = 0; i < keyed.length; i++) {
            Path p = paths.get(i);
            keyed[i] = new Keyed(p.toString().getBytes(StandardCharsets.UTF_8), p);
        }
        Arrays.sort(keyed, (a, b) -> Arrays.compareUnsigned(a.key, b.key));
        List<Path> sorted = new ArrayList<>(keyed.length);
        for (Keyed k : keyed) {
            sorted.add(k.path);
        }
        return sorted;
    }
}
