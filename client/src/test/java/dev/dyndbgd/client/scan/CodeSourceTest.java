package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scanning jars and classes directories: order, skipped entries, damaged class files. */
class CodeSourceTest {
    static final String DECL = """
            package com.example.z;

            import dev.dyndbgd.client.DebugSite;
            import dev.dyndbgd.client.DynamicDebug;

            public class Decl {
                public static final DynamicDebug DEBUG = DynamicDebug.module("order");
                public static final DebugSite SHARED = DEBUG.site("shared\\n");
            }
            """;
    static final String FIRST = """
            package com.example.a;

            public class First {
                void run() {
                    com.example.z.Decl.SHARED.printf();   // @FIRST
                }
            }
            """;
    static final String SECOND = """
            package com.example.b;

            public class Second {
                void run() {
                    com.example.z.Decl.SHARED.printf();   // @SECOND
                }
            }
            """;
    static final String VERSIONED = """
            package com.example;

            public class Versioned {
                static final dev.dyndbgd.client.DebugSite V = com.example.z.Decl.DEBUG.site("only in a versioned entry\\n");
            }
            """;

    @TempDir
    static Path dir;
    static Path classes;
    static Map<String, byte[]> files;
    static List<ScannedSite> expected;

    @BeforeAll
    static void compile() throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("com/example/z/Decl.java", DECL);
        sources.put("com/example/a/First.java", FIRST);
        sources.put("com/example/b/Second.java", SECOND);
        sources.put("com/example/Shop.java", SiteScannerTest.SHOP);
        sources.put("com/example/net/Client.java", SiteScannerTest.CLIENT);
        sources.put("com/example/net/Modules.java", SiteScannerTest.MODULES);
        classes = Javac.compile(dir.resolve("good"), sources);
        files = Javac.files(classes);
        expected = SiteScanner.scanCodeSource(classes, w -> {
            throw new AssertionError(w);
        });
    }

    @Test
    void firstUseFollowsPathOrderNotEntryOrder() throws IOException {
        ScannedSite shared = SiteScannerTest.site(expected, "com.example.z.Decl", "SHARED");
        assertEquals("com/example/a/First.java", shared.file());
        assertEquals(Javac.lineOf(FIRST, "@FIRST"), shared.line());
        assertEquals("run", shared.function());
        // The same classes in a jar whose entries are in reverse order: the same result.
        List<String> names = new ArrayList<>(files.keySet());
        Collections.reverse(names);
        Map<String, byte[]> reversed = new LinkedHashMap<>();
        for (String n : names) {
            reversed.put(n, files.get(n));
        }
        Path jar = Javac.jar(dir.resolve("reversed.jar"), reversed);
        assertEquals(expected, SiteScanner.scanCodeSource(jar));
    }

    @Test
    void badClassFilesAreSkippedWithAWarning() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>(files);
        entries.put("com/example/Bad.class", "not a class file".getBytes(StandardCharsets.US_ASCII));
        byte[] cut = files.get("com/example/Shop.class");
        entries.put("com/example/Cut.class", java.util.Arrays.copyOf(cut, cut.length / 2));
        entries.put("com/example/readme.txt", "text".getBytes(StandardCharsets.US_ASCII));
        entries.put("com/example/dir/", new byte[0]);
        List<String> warnings = new ArrayList<>();
        Path jar = Javac.jar(dir.resolve("bad.jar"), entries);
        assertEquals(expected, SiteScanner.scanCodeSource(jar, warnings::add));
        assertEquals(2, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("com/example/Bad.class") && warnings.get(0).contains("magic"), warnings.get(0));
        assertTrue(warnings.get(1).contains("com/example/Cut.class") && warnings.get(1).contains("past the end"), warnings.get(1));

        // The same as a directory.
        Path tree = dir.resolve("bad-tree");
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (!e.getKey().endsWith("/")) {
                Path f = tree.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.write(f, e.getValue());
            }
        }
        List<String> treeWarnings = new ArrayList<>();
        assertEquals(expected, SiteScanner.scanCodeSource(tree, treeWarnings::add));
        assertEquals(2, treeWarnings.size(), treeWarnings::toString);
    }

    @Test
    void aDamagedJarEntryIsSkipped() throws IOException {
        // Break the local header of one entry: the central directory still lists it, reading it fails.
        Path jar = Javac.jar(dir.resolve("damaged.jar"), files);
        byte[] bytes = Files.readAllBytes(jar);
        int name = MalformedClassTest.indexOf(bytes, "com/example/Shop.class".getBytes(StandardCharsets.US_ASCII));
        int header = name - 30; // the local file header is 30 bytes before the name
        assertEquals(0x04034b50, (bytes[header] & 0xff) | (bytes[header + 1] & 0xff) << 8
                | (bytes[header + 2] & 0xff) << 16 | (bytes[header + 3] & 0xff) << 24);
        bytes[header + 2] = 9;
        Files.write(jar, bytes);
        List<String> warnings = new ArrayList<>();
        List<ScannedSite> sites = SiteScanner.scanCodeSource(jar, warnings::add);
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("com/example/Shop.class") && warnings.get(0).contains("cannot be read"),
                warnings.get(0));
        // Module "orders" had its handle in Shop, so its sites (also those declared by Shop$Inner and
        // Helper) cannot be resolved any more; every other site is intact.
        assertTrue(sites.stream().noneMatch(s -> s.module().equals("orders")));
        assertTrue(expected.stream().anyMatch(s -> s.declaringClass().equals("com.example.Shop$Inner")));
        assertEquals(expected.stream().filter(s -> !s.module().equals("orders")).toList(), sites);
    }

    @Test
    void metaInfEntriesAreNotScanned() throws IOException {
        Path versioned = Javac.compile(dir.resolve("versioned"), Map.of(
                "com/example/Versioned.java", VERSIONED, "com/example/z/Decl.java", DECL));
        Map<String, byte[]> entries = new LinkedHashMap<>(files);
        entries.put("META-INF/versions/11/com/example/Versioned.class",
                Files.readAllBytes(versioned.resolve("com/example/Versioned.class")));
        assertEquals(expected, SiteScanner.scanCodeSource(Javac.jar(dir.resolve("mr.jar"), entries)));
        // Outside META-INF it is found.
        entries.put("com/example/Versioned.class", Files.readAllBytes(versioned.resolve("com/example/Versioned.class")));
        List<ScannedSite> withIt = SiteScanner.scanCodeSource(Javac.jar(dir.resolve("plain.jar"), entries));
        assertEquals("only in a versioned entry\n", SiteScannerTest.site(withIt, "com.example.Versioned", "V").format());
    }

    @Test
    void unreadableCodeSourcesThrow() throws IOException {
        assertThrows(NoSuchFileException.class, () -> SiteScanner.scanCodeSource(dir.resolve("missing.jar")));
        Path notZip = Files.writeString(dir.resolve("not.jar"), "plain text");
        assertThrows(ZipException.class, () -> SiteScanner.scanCodeSource(notZip));
    }

    @Test
    void anEmptyDirectoryHasNoSites() throws IOException {
        assertEquals(List.of(), SiteScanner.scanCodeSource(Files.createDirectories(dir.resolve("empty"))));
    }
}
