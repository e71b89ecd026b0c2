package dev.dyndbgd.client.scan;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Finds a program's debug statements in its compiled classes, so that {@code control} can list each
 * one with its real source file, enclosing method and line before it ever runs.
 *
 * <p>Java has no {@code __FILE__}, {@code __func__} or {@code __LINE__}, but the compiler records all
 * three: the {@code SourceFile} attribute, the method, and the {@code LineNumberTable}. So the sites
 * are read from the bytecode rather than from stack traces at run time. Scanning is two steps:
 * {@link #scanClass} reads one class file on its own, and {@link #resolve} joins what the classes of
 * a program say about each other (a module handle in one class, a site declared in a second, used in
 * a lambda compiled into a third). {@link #scanCodeSource} does both for a jar or classes directory.
 * See {@code SiteResolver} for the rules that pick each site's location, and {@code MethodScanner}
 * for the bytecode shapes that are recognised.
 */
public final class SiteScanner {
    private static final Logger LOG = LoggerFactory.getLogger(SiteScanner.class);

    private SiteScanner() {
    }

    /**
     * Scans one class file's bytes.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed class file; the message
     *                                  says what is wrong and where
     */
    public static ClassScan scanClass(byte[] classFile) {
        return ClassFileReader.read(classFile);
    }

    /**
     * Scans a jar file or a classes directory (every {@code *.class} outside {@code META-INF/}, in
     * path order) and resolves declarations and uses across its classes. A class file that cannot be
     * read or is malformed is skipped with a warning logged through SLF4J; the rest are still scanned.
     *
     * @throws IOException when the directory cannot be listed or the jar cannot be opened
     */
    public static List<ScannedSite> scanCodeSource(Path jarOrDir) throws IOException {
        return scanCodeSource(jarOrDir, warning -> LOG.warn("{}", warning));
    }

    /**
     * As {@link #scanCodeSource(Path)}, handing each warning (one per skipped class file, naming the
     * file and the reason) to {@code warnings} instead of the log.
     */
    public static List<ScannedSite> scanCodeSource(Path jarOrDir, Consumer<String> warnings) throws IOException {
        Objects.requireNonNull(jarOrDir, "jarOrDir");
        Objects.requireNonNull(warnings, "warnings");
        List<ClassScan> scans = new ArrayList<>();
        ClassFiles.Problems problems = (path, reason) -> warnings.accept(jarOrDir + "!/" + path + " skipped: " + reason);
        ClassFiles.forEach(jarOrDir, (path, bytes) -> {
            try {
                scans.add(scanClass(bytes));
            } catch (IllegalArgumentException e) {
                problems.skipped(path, e.getMessage());
            }
        }, problems);
        return resolve(scans);
    }

    /**
     * Resolves declarations and uses over already-scanned classes, given in the order that decides
     * which use of a site counts as first (normally class-file path order).
     */
    public static List<ScannedSite> resolve(List<ClassScan> classes) {
        return SiteResolver.resolve(List.copyOf(classes));
    }
}
