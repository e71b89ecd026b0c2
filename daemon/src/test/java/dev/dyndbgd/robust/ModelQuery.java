package dev.dyndbgd.robust;

import java.util.ArrayList;
import java.util.List;

/**
 * One query of the reference model, parsed as the spec (§1.2-1.4, §2.1) and lib/dynamic_debug.c's
 * {@code ddebug_tokenize}, {@code ddebug_parse_flags}, {@code ddebug_parse_query} and
 * {@code parse_linerange} describe. Strings are Latin-1 (one char per byte). Null fields are absent specs.
 */
final class ModelQuery {
    static final int MAXWORDS = 9;
    static final long UINT_MAX = 0xFFFF_FFFFL;

    /** A parse failure: the query is not applied and the batch returns EINVAL. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    String module;
    String func;
    String file;
    String format;
    String classString;
    long firstLine;
    long lastLine;
    int flags;
    int mask;
    /** For coverage counts only: the format word had a backslash; the file word had a ":func" / ":lines" tail. */
    boolean escapedFormat;
    String fileTail;

    private ModelQuery() {
    }

    static ModelQuery parse(String query) throws Invalid {
        List<String> words = tokenize(query);
        if (words.isEmpty()) {
            throw new Invalid("tokenize failed");
        }
        ModelQuery q = new ModelQuery();
        q.parseFlags(words.get(words.size() - 1)); // flags first: the last word is always the flags
        q.parsePairs(words.subList(0, words.size() - 1));
        return q;
    }

    /** ddebug_tokenize: whitespace-separated words, '"' or '\'' quoted words, '#' at a word start ends it. */
    static List<String> tokenize(String s) throws Invalid {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (true) {
            i = KernelLib.skipSpaces(s, i);
            if (i >= s.length() || s.charAt(i) == '#') {
                return words;
            }
            int start;
            int end;
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                start = i + 1;
                end = s.indexOf(c, start);
                if (end < 0) {
                    throw new Invalid("unclosed quote: " + s.substring(start));
                }
            } else {
                start = i;
                end = start;
                while (end < s.length() && !KernelLib.isspace(s.charAt(end))) {
                    end++;
                }
            }
            if (words.size() == MAXWORDS) {
                throw new Invalid("too many words, legal max <=" + MAXWORDS);
            }
            words.add(s.substring(start, end));
            i = Math.min(end + 1, s.length()); // the closing quote or the whitespace after the word is consumed
        }
    }

    /** ddebug_parse_flags: op then letters from p m f l t s _; '-' keeps what is not named. */
    private void parseFlags(String w) throws Invalid {
        char op = w.isEmpty() ? '\0' : w.charAt(0);
        if (op != '+' && op != '-' && op != '=') {
            throw new Invalid("bad flag-op " + op + ", at start of " + w);
        }
        int bits = 0;
        for (int i = 1; i < w.length(); i++) {
            int b = ModelSite.FLAG_LETTERS.indexOf(w.charAt(i));
            if (b < 0 && w.charAt(i) != '_') {
                throw new Invalid("unknown flag '" + w.charAt(i) + "'");
            }
            bits |= b < 0 ? 0 : ModelSite.FLAG_BITS[b];
        }
        switch (op) {
            case '=' -> {
                flags = bits;
                mask = 0;
            }
            case '+' -> {
                flags = bits;
                mask = ~0;
            }
            default -> {
                flags = 0;
                mask = ~bits;
            }
        }
    }

    /** ddebug_parse_query: pairs of keyword value; each keyword once (line by value, see parseLineRange). */
    private void parsePairs(List<String> w) throws Invalid {
        if (w.size() % 2 != 0) {
            throw new Invalid("expecting pairs of match-spec <value>");
        }
        for (int i = 0; i < w.size(); i += 2) {
            String keyword = w.get(i);
            String arg = w.get(i + 1);
            switch (keyword) {
                case "func" -> func = checkSet(func, arg, "func");
                case "file" -> {
                    file = checkSet(file, arg, "file");
                    int colon = arg.indexOf(':');
                    if (colon >= 0) {
                        file = arg.substring(0, colon);
                        String tail = arg.substring(colon + 1);
                        char t = tail.isEmpty() ? '\0' : tail.charAt(0);
                        if (KernelLib.isalpha(t) || t == '*' || t == '?') {
                            func = checkSet(func, tail, "func");
                            fileTail = "func";
                        } else {
                            parseLineRange(tail);
                            fileTail = "lines";
                        }
                    }
                }
                case "module" -> module = checkSet(module, arg, "module");
                case "format" -> {
                    format = checkSet(format, KernelLib.unescape(arg), "format");
                    escapedFormat = arg.indexOf('\\') >= 0;
                }
                case "line" -> parseLineRange(arg);
                case "class" -> classString = checkSet(classString, arg, "class");
                default -> throw new Invalid("unknown keyword \"" + keyword + "\"");
            }
        }
    }

    private static String checkSet(String old, String value, String name) throws Invalid {
        if (old != null) {
            throw new Invalid("match-spec:" + name + " val:" + old + " overridden by " + value);
        }
        return value;
    }

    /** parse_linerange: N, N-M, N-, -M; an empty side is 0; a zero last bound means no upper bound. */
    private void parseLineRange(String spec) throws Invalid {
        if (firstLine != 0 || lastLine != 0) {
            throw new Invalid("match-spec: line used 2x");
        }
        int dash = spec.indexOf('-');
        String first = dash < 0 ? spec : spec.substring(0, dash);
        firstLine = lineNumber(first);
        if (dash >= 0) {
            lastLine = lineNumber(spec.substring(dash + 1));
            if (lastLine == 0) {
                lastLine = UINT_MAX;
            }
            if (lastLine < firstLine) {
                throw new Invalid("last-line:" + lastLine + " < 1st-line:" + firstLine);
            }
        } else {
            lastLine = firstLine;
        }
    }

    private static long lineNumber(String s) throws Invalid {
        if (s.isEmpty()) {
            return 0;
        }
        long v = KernelLib.kstrtouint(s);
        if (v < 0) {
            throw new Invalid("bad line-number: " + s);
        }
        return v;
    }
}
