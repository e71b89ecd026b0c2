package dev.dyndbgd.query;

import dev.dyndbgd.body.NameFilter;
import dev.dyndbgd.table.SiteBody;

/** Whether a site's body meets a query's file, func, format and line constraints. */
final class SiteMatcher {
    private SiteMatcher() {
    }

    static boolean matches(Query q, SiteBody body) {
        if (q.file() != null && !fileMatches(q.file(), body.file())) {
            return false;
        }
        if (q.function() != null && !Wildcard.matches(q.function(), body.function())) {
            return false;
        }
        if (q.format() != null && !formatMatches(q.format(), body.format())) {
            return false;
        }
        return q.lines().contains(body.line());
    }

    /**
     * The {@link NameFilter} hashes of the names every matching site's block holds: an exact
     * function name and an exact file name's basename (a wildcard name constrains nothing).
     */
    static long[] requiredNames(Query q) {
        boolean fn = q.function() != null && !hasWildcard(q.function());
        boolean file = q.file() != null && !hasWildcard(q.file());
        if (fn && file) {
            return new long[]{NameFilter.hash(q.function()), NameFilter.hash(SourcePaths.basename(q.file()))};
        }
        if (fn) {
            return new long[]{NameFilter.hash(q.function())};
        }
        return file ? new long[]{NameFilter.hash(SourcePaths.basename(q.file()))} : NameFilter.ANY;
    }

    private static boolean hasWildcard(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
    }

    /** Full path, basename or source-root-trimmed path (the last equals the full path for relative names). */
    static boolean fileMatches(String pattern, String file) {
        return Wildcard.matches(pattern, file) || Wildcard.matches(pattern, SourcePaths.basename(file))
                || Wildcard.matches(pattern, SourcePaths.trim(file));
    }

    /** Whether a format value is anchored at the start ({@code ^}), as the kernel reads it. */
    private static boolean anchored(String wanted) {
        return !wanted.isEmpty() && wanted.charAt(0) == '^';
    }

    /** The text a format must contain to match {@code wanted}: the value without its anchor. */
    static String literalOf(String wanted) {
        return anchored(wanted) ? wanted.substring(1) : wanted;
    }

    /** Substring, or prefix when the value starts with {@code ^}; no wildcards. */
    static boolean formatMatches(String wanted, String format) {
        String text = literalOf(wanted);
        return anchored(wanted) ? format.startsWith(text) : format.contains(text);
    }
}
