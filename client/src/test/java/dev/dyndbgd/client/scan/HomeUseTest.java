package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A statement is listed where its own class prints through it, even when another class that sorts
 * earlier (a test, a caller) also touches it; and every printf overload counts as a use.
 */
class HomeUseTest {
    @TempDir
    Path dir;

    static final String SHOP = """
            package com.example;

            import dev.dyndbgd.client.DebugSite;
            import dev.dyndbgd.client.DynamicDebug;

            public class Shop {
                static final DynamicDebug DEBUG = DynamicDebug.module("orders");
                static final DebugSite NONE = DEBUG.site("none\\n");
                static final DebugSite ONE = DEBUG.site("one %s\\n");
                static final DebugSite TWO = DEBUG.site("two %s %s\\n");
                static final DebugSite THREE = DEBUG.site("three %s %s %s\\n");
                static final DebugSite MANY = DEBUG.site("many %s %s %s %s\\n");
                static final DebugSite ASKED = DEBUG.site("asked elsewhere\\n");

                void sell() {
                    NONE.printf();                          // @NONE
                    ONE.printf(1);                          // @ONE
                    TWO.printf(1, "b");                     // @TWO
                    THREE.printf(1, 2L, 'c');               // @THREE
                    MANY.printf(1, 2, 3, 4);                // @MANY
                }

                class Receipt {
                    void print() {
                        ASKED.printf();                     // @ASKED
                    }
                }
            }
            """;

    /** Sorts before com/example/Shop.class and asks about Shop's statements first. */
    static final String AUDIT = """
            package com.example;

            class AAudit {
                boolean check() {
                    return Shop.ASKED.enabled() && Shop.TWO.enabled();
                }
            }
            """;

    @Test
    void theDeclaringClassWinsAndEveryArityCounts() throws IOException {
        Path classes = Javac.compile(dir, Map.of("com/example/Shop.java", SHOP, "com/example/AAudit.java", AUDIT));
        List<ScannedSite> sites = SiteScanner.scanCodeSource(classes);
        assertEquals(6, sites.size(), sites::toString);
        for (String[] c : new String[][]{{"NONE", "sell"}, {"ONE", "sell"}, {"TWO", "sell"}, {"THREE", "sell"},
                {"MANY", "sell"}, {"ASKED", "print"}}) {
            ScannedSite s = SiteScannerTest.site(sites, "com.example.Shop", c[0]);
            assertEquals(Javac.lineOf(SHOP, "@" + c[0]), s.line(), c[0]);
            assertEquals(c[1], s.function(), c[0]);
            assertEquals("com/example/Shop.java", s.file(), c[0]);
        }
    }
}
