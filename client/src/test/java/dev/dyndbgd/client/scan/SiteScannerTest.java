package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scanner on real javac output: each site's module, file, function, line, format and class,
 * for the ways a program declares and uses sites.
 */
class SiteScannerTest {
    static final String SHOP = """
            package com.example;

            import dev.dyndbgd.client.DebugSite;
            import dev.dyndbgd.client.DynamicDebug;

            public class Shop {
                static final DynamicDebug DEBUG = DynamicDebug.module("orders");
                private static final DebugSite SHIPPED = DEBUG.site("order %d shipped to %s\\n");
                private static final DebugSite RETRY = DEBUG.site("retry %d\\n", "NET");
                private static final DebugSite UNUSED =
                        DEBUG.site("never printed\\n");                   // @UNUSED-DECL
                private static final DebugSite TWICE = DEBUG.site("twice\\n");
                private static final DebugSite LAMBDA_ONLY = DEBUG.site("in a lambda %s\\n");
                static final DebugSite FOR_INNER = DEBUG.site("used by " + "Inner\\n");
                private static final DebugSite NESTED_LAMBDA = DEBUG.site("nested lambda\\n");
                private static final DebugSite CTOR = DEBUG.site("constructed\\n");
                private static final DebugSite STATIC_LAMBDA = DEBUG.site("static lambda\\n");

                static {
                    Runnable r = () -> STATIC_LAMBDA.printf();                     // @STATIC-LAMBDA
                    r.run();
                }

                Shop() {
                    Runnable r = () -> CTOR.printf();                              // @CTOR
                    r.run();
                }

                void ship(int id, String address) {
                    SHIPPED.printf(id, address);                                    // @SHIPPED
                    if (RETRY.enabled()) {                                          // @RETRY-ENABLED
                        RETRY.printf(1);                                            // @RETRY-PRINTF
                    }
                    Runnable r = () -> LAMBDA_ONLY.printf("x");                     // @LAMBDA
                    r.run();
                    TWICE.printf();                                                 // @TWICE-1
                    Runnable outer = () -> {
                        Runnable inner = () -> NESTED_LAMBDA.printf();              // @NESTED-LAMBDA
                        inner.run();
                    };
                    outer.run();
                }

                void again() {
                    TWICE.printf();                                                 // @TWICE-2
                }

                static class Inner {
                    static final DebugSite INNER = DEBUG.site("inner %s\\n");       // @INNER-DECL

                    void go() {
                        FOR_INNER.printf();                                         // @FOR-INNER
                        INNER.printf("a");                                          // @INNER-USE
                    }
                }
            }

            class Helper {
                static final DebugSite HELPER = Shop.DEBUG.site("helper\\n");      // @HELPER-DECL
            }
            """;

    static final String MODULES = """
            package com.example.net;

            import dev.dyndbgd.client.DynamicDebug;

            public final class Modules {
                public static final DynamicDebug NET = DynamicDebug.inProcess("net");
            }
            """;

    static final String CLIENT = """
            package com.example.net;

            import dev.dyndbgd.client.DebugSite;
            import dev.dyndbgd.client.DynamicDebug;

            public class Client {
                static final String PREFIX = "cli";
                static final DebugSite CONNECT = Modules.NET.site("connect %s:%d\\n", "CONN");
                static final DebugSite INLINE = DynamicDebug.module("inline").site("inline %s\\n", PREFIX + "ENT");
                static final DebugSite NULL_CLASS = Modules.NET.site("no class\\n", null);
                static final DebugSite ACCENTS = Modules.NET.site("caf\u00e9 na\u00efve \u2013 \u4e2d\u6587 \ud83d\ude00\\n");
                static final DebugSite ESCAPES = Modules.NET.site("clef \\uD834\\uDD1E nul \\0 end\\n");
                static final DebugSite LONE = Modules.NET.site("lone \\uD800 surrogate");
                static final DebugSite FOLDED = Modules.NET.site(PREFIX + ": " + 42 + 'c' + 1.5 + true);
                static final DebugSite OUTER = Modules.NET.site("outer %b\\n");
                static final DebugSite ARG = Modules.NET.site("arg\\n");
                static final DebugSite NOT_A_USE = Modules.NET.site("format read\\n");

                void connect(String host, int port) {
                    CONNECT.printf(host, port);                                     // @CONNECT
                    INLINE.printf(host);                                            // @INLINE
                    NULL_CLASS.printf();                                            // @NULL-CLASS
                    ACCENTS.printf();                                               // @ACCENTS
                    ESCAPES.printf();                                               // @ESCAPES
                    LONE.printf();                                                  // @LONE
                    FOLDED.printf();                                                // @FOLDED
                }

                void nested() {
                    String f = NOT_A_USE.format();                                  // @NOT-A-USE
                    OUTER.printf(ARG.enabled());                                    // @OUTER
                }
            }
            """;

    static final String TREE_BASE = """
            package com.example.tree;

            import dev.dyndbgd.client.DynamicDebug;

            public class Base {
                protected static final DynamicDebug DEBUG = DynamicDebug.module("tree");
            }
            """;
    static final String TREE_MID = """
            package com.example.tree;

            public class Mid extends Base {
                int nothing() { return 1; }
            }
            """;
    static final String TREE_NAMED = """
            package com.example.tree;

            import dev.dyndbgd.client.DebugSite;
            import dev.dyndbgd.client.DynamicDebug;

            public interface Named {
                DynamicDebug NAMED = DynamicDebug.module("named");
                DebugSite FROM_IFACE = NAMED.site("from interface\\n");
            }
            """;
    static final String TREE_LEAF = """
            package com.example.tree;

            import dev.dyndbgd.client.DebugSite;

            public class Leaf extends Mid implements Named {
                static final DebugSite LEAF = DEBUG.site("leaf\\n");
                static final DebugSite VIA_IFACE = NAMED.site("via interface\\n");

                void f() {
                    FROM_IFACE.printf();                                            // @FROM-IFACE
                    LEAF.printf();                                                  // @LEAF
                }
            }
            """;
    static final String TREE_SUBLEAF = """
            package com.example.tree;

            public class SubLeaf extends Leaf {
                void g() {
                    VIA_IFACE.printf();                                             // @VIA-IFACE
                }
            }
            """;
    static final String ORPHAN = """
            package com.example;

            import dev.dyndbgd.client.DebugSite;
            import dev.dyndbgd.client.DynamicDebug;

            public class Orphan {
                static DynamicDebug computed = pick();
                static final DebugSite FROM_COMPUTED = computed.site("dropped\\n");
                static final DebugSite KEPT = DynamicDebug.module("orphan").site("kept\\n");
                static DynamicDebug pick() { return DynamicDebug.module(System.getProperty("x", "y")); }
            }
            """;

    static final Map<String, String> SOURCES = Map.of(
            "com/example/Shop.java", SHOP,
            "com/example/Orphan.java", ORPHAN,
            "com/example/net/Modules.java", MODULES,
            "com/example/net/Client.java", CLIENT,
            "com/example/tree/Base.java", TREE_BASE,
            "com/example/tree/Mid.java", TREE_MID,
            "com/example/tree/Named.java", TREE_NAMED,
            "com/example/tree/Leaf.java", TREE_LEAF,
            "com/example/tree/SubLeaf.java", TREE_SUBLEAF);

    @TempDir
    static Path dir;
    static Path classes;
    static List<ScannedSite> sites;

    @BeforeAll
    static void compileAndScan() throws IOException {
        classes = Javac.compile(dir.resolve("g"), SOURCES);
        sites = SiteScanner.scanCodeSource(classes, w -> {
            throw new AssertionError("unexpected warning: " + w);
        });
    }

    static ScannedSite site(List<ScannedSite> in, String declaringClass, String field) {
        List<ScannedSite> found = in.stream()
                .filter(s -> s.declaringClass().equals(declaringClass) && s.field().equals(field)).toList();
        assertEquals(1, found.size(), () -> "sites for " + declaringClass + "." + field + ": " + found + " in " + in);
        return found.get(0);
    }

    static ScannedSite site(String declaringClass, String field) {
        return site(sites, declaringClass, field);
    }

    static void assertSite(ScannedSite s, String module, int ordinal, String file, String function, int line,
                           String format, String className) {
        assertEquals(new ScannedSite(module, s.declaringClass(), s.field(), ordinal, file, function, line, format, className), s);
    }

    static int shop(String marker) {
        return Javac.lineOf(SHOP, marker);
    }

    @Test
    void siteUsedOnceIsListedWhereItPrints() {
        assertSite(site("com.example.Shop", "SHIPPED"), "orders", 0, "com/example/Shop.java", "ship", shop("@SHIPPED"),
                "order %d shipped to %s\n", null);
    }

    @Test
    void enabledCountsAsUseAndTheFirstUseWins() {
        assertSite(site("com.example.Shop", "RETRY"), "orders", 1, "com/example/Shop.java", "ship", shop("@RETRY-ENABLED"),
                "retry %d\n", "NET");
    }

    @Test
    void unusedSiteIsListedAtItsDeclarationOnTheLineOfTheSiteCall() {
        assertSite(site("com.example.Shop", "UNUSED"), "orders", 2, "com/example/Shop.java", "<clinit>", shop("@UNUSED-DECL"),
                "never printed\n", null);
    }

    @Test
    void siteUsedInTwoMethodsKeepsTheFirstInClassFileOrder() {
        assertSite(site("com.example.Shop", "TWICE"), "orders", 3, "com/example/Shop.java", "ship", shop("@TWICE-1"),
                "twice\n", null);
    }

    @Test
    void lambdasReportTheirEnclosingMethod() {
        assertSite(site("com.example.Shop", "LAMBDA_ONLY"), "orders", 4, "com/example/Shop.java", "ship", shop("@LAMBDA"),
                "in a lambda %s\n", null);
        assertSite(site("com.example.Shop", "NESTED_LAMBDA"), "orders", 6, "com/example/Shop.java", "ship",
                shop("@NESTED-LAMBDA"), "nested lambda\n", null);
        // javac names these lambda$new$N and lambda$static$N: listed as the constructor and the static initialiser.
        assertSite(site("com.example.Shop", "CTOR"), "orders", 7, "com/example/Shop.java", "<init>", shop("@CTOR"),
                "constructed\n", null);
        assertSite(site("com.example.Shop", "STATIC_LAMBDA"), "orders", 8, "com/example/Shop.java", "<clinit>",
                shop("@STATIC-LAMBDA"), "static lambda\n", null);
    }

    @Test
    void nestedClassesUseTheirOwnSourceFileAndOrdinals() {
        // Folded constant "used by " + "Inner\n"; used only from the nested class.
        assertSite(site("com.example.Shop", "FOR_INNER"), "orders", 5, "com/example/Shop.java", "go", shop("@FOR-INNER"),
                "used by Inner\n", null);
        assertSite(site("com.example.Shop$Inner", "INNER"), "orders", 0, "com/example/Shop.java", "go", shop("@INNER-USE"),
                "inner %s\n", null);
        // A second top-level class in Shop.java: its SourceFile says Shop.java.
        assertSite(site("com.example.Helper", "HELPER"), "orders", 0, "com/example/Shop.java", "<clinit>",
                shop("@HELPER-DECL"), "helper\n", null);
    }

    @Test
    void moduleHandleInAnotherClassAndInlineModules() {
        int connect = Javac.lineOf(CLIENT, "@CONNECT");
        assertSite(site("com.example.net.Client", "CONNECT"), "net", 0, "com/example/net/Client.java", "connect", connect,
                "connect %s:%d\n", "CONN");
        assertSite(site("com.example.net.Client", "INLINE"), "inline", 1, "com/example/net/Client.java", "connect",
                Javac.lineOf(CLIENT, "@INLINE"), "inline %s\n", "cliENT");
        assertSite(site("com.example.net.Client", "NULL_CLASS"), "net", 2, "com/example/net/Client.java", "connect",
                Javac.lineOf(CLIENT, "@NULL-CLASS"), "no class\n", null);
    }

    @Test
    void formatsKeepEveryCharacter() {
        assertEquals("caf\u00e9 na\u00efve \u2013 \u4e2d\u6587 \ud83d\ude00\n", site("com.example.net.Client", "ACCENTS").format());
        assertEquals("clef \uD834\uDD1E nul \0 end\n", site("com.example.net.Client", "ESCAPES").format());
        assertEquals("lone \uD800 surrogate", site("com.example.net.Client", "LONE").format());
        assertEquals("cli: 42c1.5true", site("com.example.net.Client", "FOLDED").format());
        assertEquals(Javac.lineOf(CLIENT, "@ESCAPES"), site("com.example.net.Client", "ESCAPES").line());
    }

    @Test
    void aSiteUsedAsAnArgumentOfAnotherIsAttributedToItself() {
        int outer = Javac.lineOf(CLIENT, "@OUTER");
        assertSite(site("com.example.net.Client", "OUTER"), "net", 7, "com/example/net/Client.java", "nested", outer,
                "outer %b\n", null);
        assertSite(site("com.example.net.Client", "ARG"), "net", 8, "com/example/net/Client.java", "nested", outer,
                "arg\n", null);
        // format() is not a use: the site stays at its declaration.
        assertEquals("<clinit>", site("com.example.net.Client", "NOT_A_USE").function());
    }

    @Test
    void inheritedFieldsResolveThroughTheHierarchy() {
        // LEAF is declared with GETSTATIC Leaf.DEBUG (Base's field, through Mid which never names the API).
        assertSite(site("com.example.tree.Leaf", "LEAF"), "tree", 0, "com/example/tree/Leaf.java", "f",
                Javac.lineOf(TREE_LEAF, "@LEAF"), "leaf\n", null);
        // FROM_IFACE lives in the interface; Leaf uses it as GETSTATIC Leaf.FROM_IFACE.
        assertSite(site("com.example.tree.Named", "FROM_IFACE"), "named", 0, "com/example/tree/Leaf.java", "f",
                Javac.lineOf(TREE_LEAF, "@FROM-IFACE"), "from interface\n", null);
        // VIA_IFACE: module through Leaf.NAMED (the interface's field), used from SubLeaf as SubLeaf.VIA_IFACE.
        assertSite(site("com.example.tree.Leaf", "VIA_IFACE"), "named", 1, "com/example/tree/SubLeaf.java", "g",
                Javac.lineOf(TREE_SUBLEAF, "@VIA-IFACE"), "via interface\n", null);
    }

    @Test
    void sitesWhoseModuleCannotBeResolvedAreDropped() {
        assertTrue(sites.stream().noneMatch(s -> s.field().equals("FROM_COMPUTED")), sites::toString);
        assertEquals("orphan", site("com.example.Orphan", "KEPT").module());
    }

    @Test
    void everySiteFieldIsListedOnceAndTheListIsSorted() {
        assertEquals(sites.size(), sites.stream().map(s -> s.declaringClass() + "." + s.field()).distinct().count());
        assertEquals(25, sites.size(), sites::toString);
        List<ScannedSite> sorted = new ArrayList<>(sites);
        sorted.sort(SiteResolver.ORDER);
        assertEquals(sorted, sites);
        // Modules in order, each in one run.
        List<String> runs = new ArrayList<>();
        for (ScannedSite s : sites) {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(s.module())) {
                runs.add(s.module());
            }
        }
        assertEquals(List.of("inline", "named", "net", "orders", "orphan", "tree"), runs);
        // Within a module: by file, then line, then declaring class, then ordinal.
        for (int i = 1; i < sites.size(); i++) {
            ScannedSite a = sites.get(i - 1);
            ScannedSite b = sites.get(i);
            if (a.module().equals(b.module())) {
                int byFile = a.file().compareTo(b.file());
                assertTrue(byFile < 0 || (byFile == 0 && a.line() <= b.line()), a + " before " + b);
            }
        }
        // "orders": the nested class's use (Shop.java:@INNER-USE) sorts among Shop's by line.
        List<String> orders = sites.stream().filter(s -> s.module().equals("orders")).map(ScannedSite::field).toList();
        assertEquals(List.of("UNUSED", "STATIC_LAMBDA", "CTOR", "SHIPPED", "RETRY", "LAMBDA_ONLY", "TWICE", "NESTED_LAMBDA",
                "FOR_INNER", "INNER", "HELPER"), orders);
    }

    @Test
    void resolveOverASubsetDropsSitesWhoseModuleIsOutsideIt() throws IOException {
        ClassScan client = SiteScanner.scanClass(Files.readAllBytes(classes.resolve("com/example/net/Client.class")));
        List<ScannedSite> alone = SiteScanner.resolve(List.of(client));
        // Only the inline-module site survives without Modules.class.
        assertEquals(1, alone.size(), alone::toString);
        assertEquals("INLINE", alone.get(0).field());
        ClassScan modules = SiteScanner.scanClass(Files.readAllBytes(classes.resolve("com/example/net/Modules.class")));
        assertEquals(10, SiteScanner.resolve(List.of(client, modules)).size());
    }

    @Test
    void scanClassReportsWhatOneClassSays() throws IOException {
        ClassScan shop = SiteScanner.scanClass(Files.readAllBytes(classes.resolve("com/example/Shop.class")));
        assertEquals("com/example/Shop", shop.name());
        assertEquals("com.example.Shop", shop.binaryName());
        assertEquals("java/lang/Object", shop.superName());
        assertEquals("com/example/Shop.java", shop.file());
        assertEquals(List.of(new ClassScan.ModuleField(new ClassScan.FieldRef("com/example/Shop", "DEBUG"), "orders")), shop.modules());
        assertEquals(9, shop.declarations().size());
        ClassScan.SiteDeclaration retry = shop.declarations().get(1);
        assertEquals(new ClassScan.SiteDeclaration(new ClassScan.FieldRef("com/example/Shop", "RETRY"),
                new ClassScan.FieldRef("com/example/Shop", "DEBUG"), null, 1, "retry %d\n", "NET", "<clinit>",
                Javac.lineOf(SHOP, "\"retry %d")), retry);
        // RETRY is used twice in ship (enabled, printf), TWICE in ship and again: all uses are recorded per class.
        assertEquals(List.of(shop("@RETRY-ENABLED"), shop("@RETRY-PRINTF")), shop.uses().stream()
                .filter(u -> u.site().name().equals("RETRY")).map(ClassScan.SiteUse::line).toList());
        assertEquals(List.of("ship", "again"), shop.uses().stream()
                .filter(u -> u.site().name().equals("TWICE")).map(ClassScan.SiteUse::function).toList());

        ClassScan mid = SiteScanner.scanClass(Files.readAllBytes(classes.resolve("com/example/tree/Mid.class")));
        assertEquals("com/example/tree/Base", mid.superName());
        assertTrue(mid.declarations().isEmpty() && mid.uses().isEmpty() && mid.modules().isEmpty());
        ClassScan leaf = SiteScanner.scanClass(Files.readAllBytes(classes.resolve("com/example/tree/Leaf.class")));
        assertEquals(List.of("com/example/tree/Named"), leaf.interfaces());
    }

    @Test
    void withoutDebugInformationFilesComeFromClassNamesAndLinesAreZero() throws IOException {
        Path bare = Javac.compile(dir.resolve("none"), Map.of("com/example/Shop.java", SHOP), "-g:none");
        List<ScannedSite> found = SiteScanner.scanCodeSource(bare);
        ScannedSite inner = site(found, "com.example.Shop$Inner", "INNER");
        assertEquals("com/example/Shop.java", inner.file());
        assertEquals("go", inner.function());
        assertEquals(0, inner.line());
        // Helper lives in Shop.java, but without SourceFile only its own name is left.
        assertEquals("com/example/Helper.java", site(found, "com.example.Helper", "HELPER").file());
        assertTrue(found.stream().allMatch(s -> s.line() == 0));
        assertFalse(found.isEmpty());
    }
}
