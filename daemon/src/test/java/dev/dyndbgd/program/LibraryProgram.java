package dev.dyndbgd.program;

import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.client.DynamicDebug;

/**
 * A "program" using the client library, module {@code libtest}. Its statements are found by the
 * library's scan of the test classes; the tests check the lines below, so keep them where they are.
 */
final class LibraryProgram {
    static final DynamicDebug DEBUG = DynamicDebug.module("libtest");
    static final DebugSite ORDER = DEBUG.site("order %d shipped to %s\n");
    static final DebugSite RETRY = DEBUG.site("retry %d\n", "NET");

    private LibraryProgram() {
    }

    static void ship(int id, String where) {
        ORDER.printf(id, where); // line 20
    }

    static boolean retrying() {
        return RETRY.enabled(); // line 24
    }
}
