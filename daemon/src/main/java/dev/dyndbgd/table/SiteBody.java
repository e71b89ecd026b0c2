package dev.dyndbgd.table;

/**
 * The cold part of a call site: what only queries and the {@code control} view need, never the
 * enabled-check. Bodies live in a {@link BodyStore}, tied to their head by index.
 */
public record SiteBody(String file, String function, String format, int line) {
    /** The kernel's {@code kbasename}: what follows the last '/' (the whole path if none). */
    public static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
