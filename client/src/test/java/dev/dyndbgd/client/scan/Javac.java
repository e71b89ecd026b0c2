package dev.dyndbgd.client.scan;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Compiles test programs with the JDK's own javac, the most realistic input a scanner of javac
 * output can have.
 *
 * <p>The programs are compiled together with stand-ins for {@code DynamicDebug} and {@code DebugSite}
 * that have exactly the real signatures, and against an empty class path: what the scanner reads is
 * the shape of the calls, so the tests do not depend on the real classes' behaviour, or on whether
 * they are complete.
 */
final class Javac {
    static final String DYNAMIC_DEBUG_STUB = """
            package dev.dyndbgd.client;

            public final class DynamicDebug {
                public static DynamicDebug module(String name) { return new DynamicDebug(); }
                public static DynamicDebug inProcess(String name) { return new DynamicDebug(); }
                public DebugSite site(String format) { return new DebugSite(); }
                public DebugSite site(String format, String className) { return new DebugSite(); }
            }
            """;
    static final String DEBUG_SITE_STUB = """
            package dev.dyndbgd.client;

            public final class DebugSite {
                public void printf(Object... args) { }
                public void printf() { }
                public void printf(Object a) { }
                public void printf(Object a, Object b) { }
                public void printf(Object a, Object b, Object c) { }
                public boolean enabled() { return false; }
                public String format() { return ""; }
            }
            """;

    private Javac() {
    }

    /**
     * Compiles {@code sources} (path under the source root, e.g. {@code com/example/Shop.java}, to
     * text) plus the API stand-ins into {@code dir/classes}, which is returned. The stand-ins' own
     * classes are deleted afterwards, as a program's jar would not contain them.
     */
    static Path compile(Path dir, Map<String, String> sources, String... options) throws IOException {
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Path emptyClassPath = dir.resolve("empty-classpath");
        Files.createDirectories(classes);
        Files.createDirectories(emptyClassPath);
        Map<String, String> all = new LinkedHashMap<>(sources);
        all.put("dev/dyndbgd/client/DynamicDebug.java", DYNAMIC_DEBUG_STUB);
        all.put("dev/dyndbgd/client/DebugSite.java", DEBUG_SITE_STUB);
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : all.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            files.add(file);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("these tests need a JDK (javax.tools compiler), not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath", emptyClassPath.toString(),
                    "-encoding", "UTF-8", "-proc:none", "--release", "17"));
            args.addAll(List.of(options));
            boolean ok = javac.getTask(null, fm, diagnostics, args, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                StringBuilder sb = new StringBuilder("fixture does not compile:");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    sb.append('\n').append(d);
                }
                throw new IllegalStateException(sb.toString());
            }
        }
        deleteTree(classes.resolve("dev"));
        return classes;
    }

    /** The 1-based line of the only line of {@code source} that contains {@code marker}. */
    static int lineOf(String source, String marker) {
        String[] lines = source.split("\n", -1);
        int found = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(marker)) {
                if (found >= 0) {
                    throw new IllegalArgumentException("marker " + marker + " is on lines " + (found + 1) + " and " + (i + 1));
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("no marker " + marker);
        }
        return found + 1;
    }

    /** Every file below {@code root}, keyed by its path below it with '/' separators, in path order. */
    static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> root.relativize(p).toString())).toList()) {
                out.put(root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** Writes a jar with the given entries, in the given order. */
    static Path jar(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return file;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
