package dev.dyndbgd.query;

import dev.dyndbgd.log.DyndbgLog;

import java.util.List;

/**
 * Turns the words of one query into a {@link Query}, following the kernel's {@code ddebug_exec_query}
 * order: the last word is the flags and is parsed first, then the keyword/value pairs.
 */
public final class QueryParser {
    private QueryParser() {
    }

    /**
     * @param words         the query's words, from {@link Tokenizer}
     * @param defaultModule module applied when the query names none ({@code foo.dyndbg=}), or null
     */
    public static Query parse(List<String> words, String defaultModule, DyndbgLog log) throws QueryException {
        if (words.isEmpty()) {
            throw new QueryException("tokenize failed");
        }
        FlagSpec flags;
        try {
            flags = FlagSpec.parse(words.get(words.size() - 1));
        } catch (QueryException e) {
            throw e.withFollowUp("flags parse failed");
        }
        log.verbose(3, "op='" + flags.op() + "'");
        log.verbose(3, "flags=0x" + Integer.toHexString(flags.letters()));
        log.verbose(3, "*flagsp=0x" + Integer.toHexString(flags.set()) + " *maskp=0x" + Integer.toHexString(flags.mask()));
        try {
            return parsePairs(words.subList(0, words.size() - 1), defaultModule, flags, log);
        } catch (QueryException e) {
            throw e.withFollowUp("query parse failed");
        }
    }

    private static Query parsePairs(List<String> words, String defaultModule, FlagSpec flags, DyndbgLog log)
            throws QueryException {
        if (words.size() % 2 != 0) {
            throw new QueryException("expecting pairs of match-spec <value>");
        }
        Builder q = new Builder();
        for (int i = 0; i < words.size(); i += 2) {
            String keyword = words.get(i);
            String value = words.get(i + 1);
            switch (keyword) {
                case "func" -> q.function = checkSet(q.function, value, "func");
                case "file" -> parseFile(q, value, log);
                case "module" -> q.module = checkSet(q.module, value, "module");
                case "format" -> q.format = checkSet(q.format, FormatUnescaper.unescape(value), "format");
                case "line" -> q.lines = parseLines(q.lines, value, log);
                case "class" -> q.className = checkSet(q.className, value, "class");
                default -> throw new QueryException("unknown keyword \"" + keyword + "\"");
            }
        }
        if (q.module == null) {
            q.module = defaultModule;
        }
        Query query = new Query(q.function, q.file, q.module, q.format, q.lines, q.className, flags);
        log.verbose(3, query.describe("parsed"));
        return query;
    }

    /** {@code file NAME}, {@code file NAME:FUNC} or {@code file NAME:RANGE}, split at the first colon. */
    private static void parseFile(Builder q, String value, DyndbgLog log) throws QueryException {
        int colon = value.indexOf(':');
        // The kernel checks for a repeat before it cuts the value at the colon.
        checkSet(q.file, value, "file");
        q.file = colon < 0 ? value : value.substring(0, colon);
        if (colon < 0) {
            return;
        }
        String tail = value.substring(colon + 1);
        char first = tail.isEmpty() ? '\0' : tail.charAt(0);
        if (KernelCtype.isAlpha(first) || first == '*' || first == '?') {
            q.function = checkSet(q.function, tail, "func");
        } else {
            q.lines = parseLines(q.lines, tail, log);
        }
    }

    private static LineRange parseLines(LineRange current, String spec, DyndbgLog log) throws QueryException {
        // The kernel's check looks at the stored bounds, so "line 0 line 7" is not a repeat.
        if (current.isSet()) {
            throw new QueryException("match-spec: line used 2x");
        }
        LineRange range = LineRange.parse(spec);
        log.verbose(3, "parsed line " + (int) range.first() + "-" + (int) range.last());
        return range;
    }

    private static String checkSet(String current, String value, String name) throws QueryException {
        if (current != null) {
            throw new QueryException("match-spec:" + name + " val:" + current + " overridden by " + value);
        }
        return value;
    }

    private static final class Builder {
        String function;
        String file;
        String module;
        String format;
        LineRange lines = LineRange.NONE;
        String className;
    }
}
