package dev.dyndbgd.robust;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent model of a control write (spec §1, §2, §4; lib/dynamic_debug.c {@code ddebug_proc_write},
 * {@code ddebug_exec_queries}, {@code ddebug_change}) and of the control listing (§3). It learns the call
 * sites from the daemon's first listing; from then on it predicts every write's result and the listing.
 */
final class ReferenceModel {
    /** USER_BUF_PAGE - 1: longer writes fail whole with E2BIG. */
    static final int MAX_WRITE = 4095;
    static final String HEADER = "# filename:lineno [module]function flags format\n";

    enum Outcome { OK, EINVAL, E2BIG }

    /** A write's predicted result, with what each executed query did (for failure reports). */
    record Result(Outcome outcome, List<String> trace) {
    }

    private static final Pattern LINE = Pattern.compile(
            "(.*):(\\d+) \\[([^\\]]*)\\](\\S*) =([pmfslt_]+) \"(.*)\"(?: class:(\\S+)| class unknown, _id:(\\d+))?");

    private static final List<String> ERROR_KINDS = List.of("unclosed quote", "too many words", "tokenize failed",
            "bad flag-op", "unknown flag", "expecting pairs", "unknown keyword", "match-spec: line used 2x", "match-spec:",
            "bad line-number", "last-line");

    private final List<ModelSite> sites;
    private final String sourceRoot;
    /** What the queries exercised (error kinds, features of queries that matched), for the test's summary. */
    final Map<String, Integer> coverage = new TreeMap<>();

    private ReferenceModel(List<ModelSite> sites, String sourceRoot) {
        this.sites = sites;
        this.sourceRoot = sourceRoot;
    }

    /**
     * Reads the sites from a control listing. {@code absoluteFiles} are the untrimmed names of files that
     * the listing shows with {@code sourceRoot} trimmed off (the test compiled them in, so it knows them).
     */
    static ReferenceModel fromListing(String listing, String sourceRoot, Collection<String> absoluteFiles) {
        if (!listing.startsWith(HEADER)) {
            throw new IllegalArgumentException("no header: " + listing);
        }
        Map<String, String> untrim = new HashMap<>();
        for (String f : absoluteFiles) {
            untrim.put(trim(f, sourceRoot), f);
        }
        List<ModelSite> sites = new ArrayList<>();
        for (String l : listing.substring(HEADER.length()).split("\n")) {
            if (l.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                throw new IllegalArgumentException("unparseable control line: " + l);
            }
            String listed = m.group(1);
            int classId = m.group(8) != null ? Integer.parseInt(m.group(8)) : m.group(7) != null ? -1 : ModelSite.CLASS_DFLT;
            sites.add(new ModelSite(m.group(3), untrim.getOrDefault(listed, listed), listed, Integer.parseInt(m.group(2)),
                    m.group(4), unescapeListed(m.group(6)), classId, m.group(7), ModelSite.parseFlags(m.group(5))));
        }
        // A class name with no site in a module cannot match anything there, so the names the listing
        // shows are all the class-map knowledge the model needs.
        return new ReferenceModel(sites, sourceRoot);
    }

    /**
     * Undoes the listing's escapes (TAB, CR and LF as {@code \t \r \n}). A format holding a real backslash
     * before t, r or n would be ambiguous; no fixture format has one, nor has any of the daemon's own.
     */
    private static String unescapeListed(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (c == '\\' && (next == 't' || next == 'r' || next == 'n')) {
                b.append(next == 't' ? '\t' : next == 'r' ? '\r' : '\n');
                i++;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** trim_prefix: the path without the source root, if it starts with it. */
    static String trim(String path, String root) {
        return !root.isEmpty() && path.startsWith(root) ? path.substring(root.length()) : path;
    }

    List<ModelSite> sites() {
        return sites;
    }

    /** ddebug_proc_write + ddebug_exec_queries: applies what succeeds, returns the kernel's result. */
    Result write(byte[] data) {
        List<String> trace = new ArrayList<>();
        if (data.length > MAX_WRITE) {
            return new Result(Outcome.E2BIG, trace);
        }
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            text = text.substring(0, nul); // memdup_user_nul, then C strings: the first NUL ends the batch
        }
        boolean failed = false;
        int start = 0;
        while (start >= 0) {
            int split = indexOfAny(text, start);
            String piece = text.substring(start, split < 0 ? text.length() : split);
            start = split < 0 ? -1 : split + 1;
            piece = piece.substring(KernelLib.skipSpaces(piece, 0));
            if (piece.isEmpty() || piece.charAt(0) == '#') {
                continue;
            }
            try {
                ModelQuery q = ModelQuery.parse(piece);
                int matched = apply(q);
                trace.add(show(piece) + " -> " + matched + " matched");
                count(matched > 0 ? "query matched >= 1 site" : "query valid, matched none");
                if (matched > 0) {
                    countFeatures(q, piece);
                }
            } catch (ModelQuery.Invalid e) {
                failed = true;
                trace.add(show(piece) + " -> " + e.getMessage());
                count("error: " + ERROR_KINDS.stream().filter(e.getMessage()::startsWith).findFirst().orElse(e.getMessage()));
            }
        }
        return new Result(failed ? Outcome.EINVAL : Outcome.OK, trace);
    }

    private void count(String what) {
        coverage.merge(what, 1, Integer::sum);
    }

    private void countFeatures(ModelQuery q, String piece) {
        if (q.classString != null) {
            count("matched: class NAME");
        }
        if (q.format != null) {
            count(q.format.startsWith("^") ? "matched: format ^prefix" : "matched: format substring");
            if (q.escapedFormat) {
                count("matched: format with escapes");
            }
        }
        if (q.fileTail != null) {
            count("matched: file x:" + q.fileTail);
        }
        if (q.firstLine != 0 || q.lastLine != 0) {
            count("matched: line range");
        }
        if (q.module != null && (q.module.indexOf('*') >= 0 || q.module.indexOf('?') >= 0)) {
            count("matched: module wildcard");
        }
        if (piece.indexOf('\u00a0') >= 0 || piece.indexOf('\u000b') >= 0 || piece.indexOf('\f') >= 0) {
            count("matched: NBSP/VT/FF in query");
        }
    }

    private static int indexOfAny(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == ';' || s.charAt(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** ddebug_change: per module (wildcard name), class gate, then file/func/format/line, ANDed. */
    private int apply(ModelQuery q) {
        int n = 0;
        boolean changed = false;
        for (ModelSite s : sites) {
            if (matches(q, s)) {
                int updated = ((s.flags & q.mask) | q.flags) & 0x3F;
                changed |= updated != s.flags;
                s.flags = updated;
                n++;
            }
        }
        if (changed) {
            count("query changed flags");
        }
        return n;
    }

    private boolean matches(ModelQuery q, ModelSite s) {
        if (q.module != null && !KernelLib.matchWildcard(q.module, s.module)) {
            return false;
        }
        if (q.classString == null ? s.classed() : !q.classString.equals(s.className)) {
            return false; // without 'class' class'd sites are never touched; with it, only that class of the module
        }
        String fileVia = null;
        if (q.file != null) {
            boolean full = KernelLib.matchWildcard(q.file, s.fullFile);
            boolean base = KernelLib.matchWildcard(q.file, KernelLib.basename(s.fullFile));
            boolean trimmed = KernelLib.matchWildcard(q.file, trim(s.fullFile, sourceRoot));
            if (!full && !base && !trimmed) {
                return false;
            }
            if (!full) {
                fileVia = base ? "site matched: file by basename only" : "site matched: file by trimmed path only";
            }
        }
        if (q.func != null && !KernelLib.matchWildcard(q.func, s.function)) {
            return false;
        }
        if (q.format != null) {
            boolean hit = q.format.startsWith("^") ? s.format.startsWith(q.format.substring(1)) : s.format.contains(q.format);
            if (!hit) {
                return false;
            }
        }
        if (q.firstLine != 0 && Integer.toUnsignedLong(s.line) < q.firstLine) {
            return false;
        }
        if (q.lastLine != 0 && Integer.toUnsignedLong(s.line) > q.lastLine) {
            return false;
        }
        if (fileVia != null) {
            count(fileVia);
        }
        return true;
    }

    /** The control file as {@code cat} shows it. */
    String render() {
        StringBuilder b = new StringBuilder(HEADER);
        for (ModelSite s : sites) {
            b.append(s.render());
        }
        return b.toString();
    }

    /** A printable form of Latin-1 text, for reports. */
    static String show(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '\\' || c == '"') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                b.append(c);
            } else {
                b.append(String.format("\\x%02x", (int) c));
            }
        }
        return b.append('"').toString();
    }
}
