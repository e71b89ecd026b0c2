package dev.dyndbgd.query;

import dev.dyndbgd.table.SiteBody;

/**
 * File-name views the kernel matches and prints: the basename ({@code kbasename}) and the path with the
 * source-root prefix trimmed ({@code trim_prefix}).
 *
 * <p>The kernel trims the directory its own tree was built in, which only matters for absolute
 * {@code __FILE__} paths; module paths are relative and print unchanged. Here the prefix is the
 * configured source root (empty by default: nothing is trimmed), set once at start-up.
 */
public final class SourcePaths {
    private static volatile String sourceRoot = "";

    private SourcePaths() {
    }

    public static void setSourceRoot(String prefix) {
        sourceRoot = prefix == null ? "" : prefix;
    }

    public static String basename(String path) {
        return SiteBody.basename(path);
    }

    public static String trim(String path) {
        String root = sourceRoot;
        return !root.isEmpty() && path.startsWith(root) ? path.substring(root.length()) : path;
    }
}
