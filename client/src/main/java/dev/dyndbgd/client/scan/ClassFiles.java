package dev.dyndbgd.client.scan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The class files of a code source (a jar or a classes directory), one at a time in path order.
 *
 * <p>Path order makes a scan reproducible: "first use" means the same thing on every machine,
 * whatever order the file system or the jar lists entries in. Files are read one by one and handed
 * on, so a big jar never has to fit in memory; each is capped at {@link #MAX_CLASS_BYTES}, read
 * through a bounded stream rather than trusting the size a zip entry claims. Entries under
 * {@code META-INF/} are skipped: multi-release jars keep alternative versions of classes under
 * {@code META-INF/versions/}, and scanning them too would declare every site twice.
 */
final class ClassFiles {
    /** Far above any real class file (the largest in the JDK are a few hundred KiB). */
    static final int MAX_CLASS_BYTES = 64 << 20;

    /** Receives each class file; an exception it throws is the caller's business. */
    interface Visitor {
        void visit(String path, byte[] classFile);
    }

    /** Receives the reason a class file could not be read. */
    interface Problems {
        void skipped(String path, String reason);
    }

    private ClassFiles() {
    }

    static void forEach(Path jarOrDir, Visitor visitor, Problems problems) throws IOException {
        if (Files.isDirectory(jarOrDir)) {
            directory(jarOrDir, visitor, problems);
        } else {
            jar(jarOrDir, visitor, problems);
        }
    }

    private static void directory(Path root, Visitor visitor, Problems problems) throws IOException {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".class"))
                    .filter(Files::isRegularFile)
                    .forEach(p -> paths.add(relative(root, p)));
        }
        paths.removeIf(p -> p.startsWith("META-INF/"));
        paths.sort(Comparator.naturalOrder());
        for (String path : paths) {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(root.resolve(path))) {
                bytes = readBounded(in);
            } catch (IOException e) {
                problems.skipped(path, "cannot be read: " + e);
                continue;
            }
            if (bytes == null) {
                problems.skipped(path, "is larger than " + MAX_CLASS_BYTES + " bytes");
                continue;
            }
            visitor.visit(path, bytes);
        }
    }

    /** The path below the root with {@code /} separators, the same on every platform and as in a jar. */
    private static String relative(Path root, Path file) {
        List<String> parts = new ArrayList<>();
        for (Path part : root.relativize(file)) {
            parts.add(part.toString());
        }
        return String.join("/", parts);
    }

    private static void jar(Path file, Visitor visitor, Problems problems) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<ZipEntry> entries = new ArrayList<>();
            zip.stream()
                    .filter(e -> !e.isDirectory() && e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/"))
                    .forEach(entries::add);
            entries.sort(Comparator.comparing(ZipEntry::getName));
            for (ZipEntry entry : entries) {
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = readBounded(in);
                } catch (IOException | RuntimeException e) {
                    // A damaged entry (bad compressed data, bad local header) spoils that entry only.
                    problems.skipped(entry.getName(), "cannot be read from the jar: " + e);
                    continue;
                }
                if (bytes == null) {
                    problems.skipped(entry.getName(), "is larger than " + MAX_CLASS_BYTES + " bytes");
                    continue;
                }
                visitor.visit(entry.getName(), bytes);
            }
        }
    }

    /** All bytes of {@code in}, or null when there are more than {@link #MAX_CLASS_BYTES}. */
    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_CLASS_BYTES + 1);
        return bytes.length > MAX_CLASS_BYTES ? null : bytes;
    }
}
