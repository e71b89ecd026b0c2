package dev.dyndbgd.robust;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Control writes for the fuzz test: grammar-aware batches built from the loaded call sites (so many of
 * them match something), their byte-level mutations, and raw bytes. Seeded; Latin-1 throughout.
 */
final class QueryGenerator {
    enum Category {
        GRAMMAR("grammar-aware batch"), MAXWORDS("9/10-word query"), COMMENTS("comments, empty pieces"),
        MUTATED("mutated grammar batch"), RAW("raw random bytes"), NUL("embedded NUL"), SIZE("size edge 4094..4097, >128 KiB");

        final String label;

        Category(String label) {
            this.label = label;
        }
    }

    record Input(Category category, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static final String[] KEYWORDS = {"module", "func", "file", "format", "line", "class"};
    private static final String[] BAD_KEYWORDS = {"mod", "Module", "FUNC", "lines", "file=foo.c", "module:gfx", "fmt", "#", "*", ""};
    private static final String[] SPACES = {" ", " ", " ", " ", "\t", "  ", " \t ", "\u000b", "\f", "\r", "\u00a0"};
    private static final String[] CLASS_EXTRAS = {"PRIME", "V2", "MID", "FOO", "core", "CORE*", "C?RE", "class unknown", "", "_id:30"};
    private static final String FLAG_CHARS = "pmflts_";
    private static final String RAW_ALPHABET = " \t\n;#\"'+-=pmflts_*?:0123456789abcdefgmoduleclassline\u00a0\u00c0\u00ff";
    private static final String BAD_FLAG_CHARS = "xPT-+=#\u00e90 *";

    private final Random r;
    private final List<ModelSite> sites;
    private final String sourceRoot;
    private final List<String> modules;
    private final List<String> functions;
    private final List<String> files;
    private final List<String> formats;
    private final List<Integer> lines;
    private final List<String> classes;

    QueryGenerator(Random r, List<ModelSite> sites, String sourceRoot) {
        this.r = r;
        this.sites = List.copyOf(sites);
        this.sourceRoot = sourceRoot;
        Set<String> m = new LinkedHashSet<>();
        Set<String> fn = new LinkedHashSet<>();
        Set<String> fi = new LinkedHashSet<>();
        Set<String> fo = new LinkedHashSet<>();
        Set<Integer> li = new LinkedHashSet<>();
        Set<String> cl = new LinkedHashSet<>();
        for (ModelSite s : sites) {
            m.add(s.module);
            fn.add(s.function);
            fi.add(s.fullFile);
            fi.add(KernelLib.basename(s.fullFile));
            fi.add(ReferenceModel.trim(s.fullFile, sourceRoot));
            fo.add(s.format);
            li.add(s.line);
            if (s.className != null) {
                cl.add(s.className);
            }
        }
        modules = new ArrayList<>(m);
        functions = new ArrayList<>(fn);
        files = new ArrayList<>(fi);
        formats = new ArrayList<>(fo);
        lines = new ArrayList<>(li);
        classes = new ArrayList<>(cl);
    }

    Input next() {
        int k = r.nextInt(100);
        if (k < 55) {
            return new Input(Category.GRAMMAR, bytes(batch()));
        } else if (k < 63) {
            return new Input(Category.MAXWORDS, bytes(manyWords()));
        } else if (k < 70) {
            return new Input(Category.COMMENTS, bytes(comments()));
        } else if (k < 85) {
            return new Input(Category.MUTATED, mutate(bytes(batch())));
        } else if (k < 93) {
            return new Input(Category.RAW, raw(1 + r.nextInt(r.nextBoolean() ? 16 : 300)));
        } else if (k < 97) {
            return new Input(Category.NUL, nul());
        }
        return new Input(Category.SIZE, sized());
    }

    /**
     * For the shell path: one line without NULs (bash strings cannot hold them), short enough for one
     * write. bash's echo writes each line of its output with a write(2) of its own and drops the rest
     * after a failed one (strace shows it), so newlines become ';', which splits queries the same way.
     */
    Input nextForShell() {
        while (true) {
            Input in = next();
            String text = in.text().replace('\n', ';');
            if (text.length() < 1500 && text.indexOf('\0') < 0) {
                return new Input(in.category(), bytes(text));
            }
        }
    }

    // ---- batches and queries

    String batch() {
        int n = pick(new int[]{40, 30, 15, 10, 5}) + 1;
        StringBuilder b = new StringBuilder();
        if (r.nextInt(10) == 0) {
            b.append(space());
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(oneOf(";", "\n", "\n", " ; ", ";\n", "\r\n", ";;", "\n\n", "\n \t"));
            }
            b.append(query());
            if (r.nextInt(12) == 0) {
                b.append(space()).append('#').append(oneOf(" comment", "", "# x +p", " module gfx +p", " \"unclosed"));
            }
        }
        if (r.nextInt(10) < 7) {
            b.append('\n');
        }
        return b.toString();
    }

    String query() {
        if (r.nextInt(5) == 0) {
            return validQuery();
        }
        List<String> words = new ArrayList<>();
        int pairs = pick(new int[]{15, 35, 30, 13, 7});
        List<String> used = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String kw;
            int k = r.nextInt(100);
            if (k < 3) {
                kw = oneOf(BAD_KEYWORDS);
            } else if (k < 8 && !used.isEmpty()) {
                kw = used.get(r.nextInt(used.size())); // a repeat
            } else {
                do {
                    kw = KEYWORDS[r.nextInt(KEYWORDS.length)];
                } while (used.contains(kw) && r.nextInt(5) != 0);
            }
            used.add(kw);
            words.add(kw);
            words.add(value(kw));
        }
        if (r.nextInt(40) == 0 && !words.isEmpty()) {
            words.remove(words.size() - 1); // odd number of words before the flags
        }
        if (r.nextInt(50) != 0) {
            words.add(flags());
        }
        return join(words);
    }

    /** A query that parses and names one site by exact values (so it matches at least that site). */
    String validQuery() {
        ModelSite s = sites.get(r.nextInt(sites.size()));
        List<String> words = new ArrayList<>();
        if (r.nextBoolean()) {
            words.addAll(List.of("module", s.module));
        }
        if (r.nextBoolean() && s.function.indexOf(':') < 0) {
            words.addAll(List.of("func", s.function));
        }
        if (r.nextInt(3) == 0 && KernelLib.basename(s.fullFile).indexOf(':') < 0) {
            words.addAll(List.of("file", "'" + KernelLib.basename(s.fullFile) + "'"));
        }
        if (r.nextInt(3) == 0) {
            words.addAll(List.of("line", String.valueOf(s.line)));
        }
        if (s.className != null) {
            words.addAll(List.of("class", s.className));
        }
        StringBuilder flags = new StringBuilder().append("+-=".charAt(r.nextInt(3)));
        for (int i = r.nextInt(4); i > 0; i--) {
            flags.append(FLAG_CHARS.charAt(r.nextInt(FLAG_CHARS.length())));
        }
        words.add(flags.toString());
        return String.join(" ", words);
    }

    private String join(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                b.append(space());
            }
            b.append(word(words.get(i)));
        }
        if (r.nextInt(8) == 0) {
            b.append(space());
        }
        return b.toString();
    }

    /** Quotes a value when the tokenizer needs it (or, sometimes, when it does not). */
    private String word(String v) {
        boolean needs = v.isEmpty() || v.charAt(0) == '"' || v.charAt(0) == '\'' || v.charAt(0) == '#'
                || v.chars().anyMatch(c -> KernelLib.isspace((char) c));
        if (!needs && r.nextInt(6) != 0) {
            return v;
        }
        int k = r.nextInt(40);
        if (k == 0) {
            return "\"" + v; // unclosed
        }
        if (k == 1) {
            return "\"" + v + "\"" + "x"; // a second word glued to the first
        }
        char q = v.indexOf('"') < 0 ? '"' : v.indexOf('\'') < 0 ? '\'' : '"';
        if (v.indexOf('"') < 0 && v.indexOf('\'') < 0 && r.nextBoolean()) {
            q = '\'';
        }
        return q + v + q;
    }

    /** Whitespace as the kernel's isspace() has it; now and then a char Java (trim, isWhitespace) would also take. */
    private String space() {
        return r.nextInt(40) == 0 ? oneOf("\u001c", "\u001f", "\u0085", "\u0001", "\u007f", "\u00ad") : oneOf(SPACES);
    }

    String flags() {
        int k = r.nextInt(100);
        StringBuilder b = new StringBuilder();
        b.append(k < 40 ? '+' : k < 65 ? '-' : k < 95 ? '=' : oneOf("p", "x", "*", "!", "#", "_", "module").charAt(0));
        int n = pick(new int[]{8, 40, 25, 15, 7, 5});
        for (int i = 0; i < n; i++) {
            b.append(FLAG_CHARS.charAt(r.nextInt(FLAG_CHARS.length())));
        }
        if (r.nextInt(25) == 0) {
            b.insert(1 + r.nextInt(b.length()), BAD_FLAG_CHARS.charAt(r.nextInt(BAD_FLAG_CHARS.length())));
        }
        return b.toString();
    }

    private String value(String keyword) {
        return switch (keyword) {
            case "module" -> name(modules);
            case "func" -> name(functions);
            case "file" -> file();
            case "format" -> format();
            case "line" -> lineRange();
            case "class" -> r.nextInt(4) == 0 ? oneOf(CLASS_EXTRAS) : classes.get(r.nextInt(classes.size()));
            default -> name(modules);
        };
    }

    /** A module or function name: exact, wildcarded, or junk. */
    private String name(List<String> from) {
        String s = from.get(r.nextInt(from.size()));
        int k = r.nextInt(100);
        if (k < 50) {
            return s;
        } else if (k < 85) {
            return wildcard(s);
        } else if (k < 90) {
            return oneOf("*", "?*", "**", "*?", "");
        }
        return junk(1 + r.nextInt(8));
    }

    private String wildcard(String s) {
        StringBuilder b = new StringBuilder(s);
        int ops = 1 + r.nextInt(2);
        for (int i = 0; i < ops; i++) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.length());
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (!b.isEmpty()) {
                        b.setCharAt(at, '?');
                    }
                }
                case 1 -> b.replace(at, Math.min(b.length(), at + r.nextInt(4)), "*");
                case 2 -> b.append('*');
                case 3 -> b.insert(0, '*');
                case 4 -> b.append("**");
                case 5 -> {
                    if (!b.isEmpty()) {
                        b.deleteCharAt(at);
                    }
                }
                case 6 -> b.append('?');
                default -> {
                    if (!b.isEmpty()) {
                        b.setCharAt(at, Character.toUpperCase(b.charAt(at)));
                    }
                }
            }
        }
        return b.toString();
    }

    private String file() {
        if (r.nextInt(5) == 0) {
            return fileAimedAtOneSite();
        }
        String f;
        int k = r.nextInt(100);
        if (k < 65) {
            f = files.get(r.nextInt(files.size()));
            if (r.nextInt(3) == 0) {
                f = wildcard(f);
            }
        } else if (k < 85) {
            f = oneOf("drivers/*", "*/gpu/*.c", "gpu/*", "drivers/gpu/*", "fixture/*", "*.c", "*", "*.java",
                    "dev/dyndbgd/*", "fs/*", "*/", "odd/", "odd/*", "", "./fs/./dots.c", "/build/linux/*", "*x.c",
                    "drivers/fixture/??.c", "drivers/my dir/a?b.c", "fs/star*name?.c", "fs/star\\*name?.c");
        } else {
            f = junk(1 + r.nextInt(10));
        }
        if (r.nextInt(4) == 0) {
            f = f + ":" + switch (r.nextInt(9)) {
                case 0, 1 -> name(functions);
                case 2 -> oneOf("*", "?", "*init", "_underscore", "_init", "\u00e9t\u00e9", "\u00d7x", "9fn");
                case 3 -> "";
                default -> lineRange();
            };
        }
        return f;
    }

    /** {@code file NAME:func} or {@code file NAME:lines} naming one site (any of its three names). */
    private String fileAimedAtOneSite() {
        ModelSite s = sites.get(r.nextInt(sites.size()));
        String name = switch (r.nextInt(3)) {
            case 0 -> s.fullFile;
            case 1 -> KernelLib.basename(s.fullFile);
            default -> ReferenceModel.trim(s.fullFile, sourceRoot);
        };
        String tail = switch (r.nextInt(6)) {
            case 0, 1 -> s.function;
            case 2 -> wildcard(s.function);
            case 3 -> String.valueOf(s.line);
            case 4 -> Math.max(0, s.line - r.nextInt(3)) + "-" + (s.line + r.nextInt(3));
            default -> oneOf(s.line + "-", "-" + s.line, "", "0");
        };
        return name + ":" + tail;
    }

    private String format() {
        String f = formats.get(r.nextInt(formats.size()));
        int a = f.isEmpty() ? 0 : r.nextInt(f.length() + 1);
        int z = a + (f.length() == a ? 0 : r.nextInt(f.length() - a + 1));
        boolean anchor = r.nextInt(4) == 0;
        if (anchor && r.nextBoolean()) {
            a = 0;
        }
        String sub = r.nextInt(6) == 0 ? f : f.substring(a, z);
        StringBuilder b = new StringBuilder(anchor ? "^" : "");
        for (char c : sub.toCharArray()) {
            b.append(escape(c));
        }
        if (r.nextInt(6) == 0) {
            b.insert(r.nextInt(b.length() + 1), oneOf("\\x41", "\\400", "\\0", "\\8", "\\q", "\\\\", "\\\"", "\\a", "\\e",
                    "\\101", "\\1010", "\\7", "\\040", "\\12", "\\t", "*", "\\"));
        }
        return b.toString();
    }

    /** A format character as the query may spell it: raw when safe, else (or sometimes) escaped. */
    private String escape(char c) {
        String named = switch (c) {
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case 0x0B -> "\\v";
            case '\f' -> "\\f";
            case '\\' -> "\\\\";
            case 0x07 -> "\\a";
            case 0x1B -> "\\e";
            default -> null;
        };
        boolean unsafe = c == ';' || c == '\n' || c == '"' || c == '\'' || c == '#' || c == '\\';
        int k = r.nextInt(10);
        if (named != null && (k < 8 || c == '\n')) {
            return named;
        }
        if (unsafe || named != null || k == 0) {
            return c == '"' && k < 3 ? "\\\"" : String.format("\\%03o", (int) c);
        }
        return String.valueOf(c);
    }

    private String lineRange() {
        int l = lines.get(r.nextInt(lines.size())) + r.nextInt(5) - 2;
        int m = lines.get(r.nextInt(lines.size()));
        l = Math.max(0, l);
        return switch (r.nextInt(20)) {
            case 0, 1, 2, 3 -> String.valueOf(l);
            case 4, 5, 6 -> Math.min(l, m) + "-" + Math.max(l, m);
            case 7 -> l + "-";
            case 8 -> "-" + m;
            case 9 -> oneOf("-", "0", "0-0", "0-", "-0", "+" + l, "+-5", "++5", "+");
            case 10 -> l + "-0";
            case 11 -> Math.max(l, m) + 1 + "-" + Math.min(l, m);
            case 12 -> oneOf("1-2-3", "5a", "0x10", "10 ", " 10", "-5-", "--5", "1--2", "a", "", "1,2");
            case 13 -> oneOf("4294967295", "4294967296", "0-4294967295", "99999999999999999999", "18446744073709551616",
                    "262143", "262143-", "262144", "007", "4294967295-4294967295");
            default -> l + "-" + (l + r.nextInt(200));
        };
    }

    /** Queries of exactly 9 words (the kernel's MAXWORDS) and of 10 (one too many). */
    String manyWords() {
        List<String> words = new ArrayList<>();
        List<String> kws = new ArrayList<>(List.of(KEYWORDS));
        java.util.Collections.shuffle(kws, r);
        for (int i = 0; i < 4; i++) {
            words.add(kws.get(i));
            words.add(r.nextInt(3) == 0 ? "*" : value(kws.get(i)));
        }
        words.add(flags());
        switch (r.nextInt(5)) {
            case 0 -> words.add(flags()); // a 10th word
            case 1 -> {
                words.add(4, kws.get(4)); // five pairs, eleven words
                words.add(5, value(kws.get(4)));
            }
            case 2 -> {
                return join(words) + " \"\"" + (r.nextBoolean() ? "\n" : ""); // an empty 10th word
            }
            case 3 -> {
                return join(words) + oneOf(" #x", "#x", "\t# tenth", ";", "\n", " \"x\"#y") + "\n";
            }
            default -> {
            }
        }
        return join(words) + (r.nextBoolean() ? "\n" : "");
    }

    /** Comment and empty-piece shapes, alone or around real queries. */
    String comments() {
        List<String> parts = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            parts.add(switch (r.nextInt(10)) {
                case 0 -> "";
                case 1 -> space() + space();
                case 2 -> "# " + query();
                case 3 -> space() + "#" + junk(r.nextInt(6));
                case 4 -> query() + " # " + query();
                case 5 -> query() + "#not-a-comment";
                case 6 -> "#";
                case 7 -> "module gfx class \"# x\" +p";
                default -> query();
            });
        }
        return String.join(oneOf(";", "\n", ";\n"), parts) + (r.nextBoolean() ? "\n" : "");
    }

    // ---- bytes

    private byte[] mutate(byte[] in) {
        List<Byte> b = new ArrayList<>();
        for (byte x : in) {
            b.add(x);
        }
        int ops = 1 + r.nextInt(3);
        String specials = ";\n#\"' \t*?:-+=\\\0\u00a0\u00ff_";
        for (int i = 0; i < ops; i++) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.size());
            switch (r.nextInt(4)) {
                case 0 -> b.add(at, (byte) specials.charAt(r.nextInt(specials.length())));
                case 1 -> {
                    if (!b.isEmpty()) {
                        b.remove(at);
                    }
                }
                case 2 -> {
                    if (!b.isEmpty()) {
                        b.set(at, (byte) r.nextInt(256));
                    }
                }
                default -> {
                    if (!b.isEmpty()) {
                        b.set(at, (byte) (b.get(at) ^ (1 << r.nextInt(8))));
                    }
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out.length == 0 ? new byte[]{'\n'} : out;
    }

    private byte[] raw(int n) {
        byte[] b = new byte[n];
        int style = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            b[i] = switch (style) {
                case 0 -> (byte) r.nextInt(256); // anything, NULs and invalid UTF-8 included
                case 1 -> (byte) (0x80 + r.nextInt(128)); // only bytes >= 0x80
                default -> (byte) RAW_ALPHABET.charAt(r.nextInt(RAW_ALPHABET.length()));
            };
        }
        return b;
    }

    private byte[] nul() {
        String before = r.nextInt(4) == 0 ? "" : batch();
        String after = r.nextBoolean() ? "module * +x\n" : new String(raw(1 + r.nextInt(30)), StandardCharsets.ISO_8859_1);
        return bytes(before + "\0" + after);
    }

    private byte[] sized() {
        int len = switch (r.nextInt(8)) {
            case 0, 1 -> 4095;
            case 2 -> 4094;
            case 3, 4 -> 4096;
            case 5 -> 4097;
            case 6 -> 8192 + r.nextInt(3);
            default -> r.nextBoolean() ? 131072 + 1 : 200_000;
        };
        StringBuilder b = new StringBuilder();
        int style = r.nextInt(5);
        while (b.length() < len) {
            switch (style) {
                case 0 -> b.append(validQuery()).append(oneOf(";", "\n", " ; "));
                case 1 -> b.append(oneOf(SPACES));
                case 2 -> b.append((char) r.nextInt(256));
                case 3 -> b.append(query()).append(oneOf(";", "\n"));
                default -> b.append(batch());
            }
        }
        b.setLength(len);
        if (style == 0 || style == 1) {
            // Whole queries only: end on a separator (and start with a valid query when padding with blanks).
            String q = validQuery();
            if (style == 1) {
                b.replace(0, q.length(), q);
            }
            b.setCharAt(len - 1, '\n');
            int cut = Math.max(b.lastIndexOf(";", len - 2), b.lastIndexOf("\n", len - 2));
            if (style == 0 && cut > 0) {
                for (int i = cut + 1; i < len - 1; i++) {
                    b.setCharAt(i, ' ');
                }
            }
        }
        return bytes(b.toString());
    }

    private String junk(int n) {
        StringBuilder b = new StringBuilder();
        String alphabet = "abcxyz_09*?:-./\u00e9\u00ff\u00a0";
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private int pick(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private String oneOf(String... options) {
        return options[r.nextInt(options.length)];
    }

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
