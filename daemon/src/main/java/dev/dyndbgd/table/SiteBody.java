package dev.dyndbgd.table;

/**
 * The cold part of a call site: what only queries and the {@code control} view need, never the
 * enabled-check. Bodies live in a {@link BodyStore}, tied to their head by index.
 */
public record SiteBody(String file, String function, String format, int line) {
}
