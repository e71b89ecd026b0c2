package dev.dyndbgd.program;

import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.client.DynamicDebug;

/**
 * A "program" using the client library, module {@code libtest}. Its statements are found by the
 * library's scan of the test classes; the tests read the expected lines from this file.
 */
final class LibraryProgram {
    static final DynamicDebug DEBUG = DynamicDebug.module("libtest");
    static final DebugSite ORDER = DEBUG.site("order %d shipped to %s\n");
    static final DebugSite RETRY = DEBUG.site("retry %d\n", "NET");

    private LibraryProgram() {
    }

    static void ship(int id, String where) {
        ORDER.printf(id, where);
    }

    static boolean retrying() {
        return RETRY.enabled();
    }
}
