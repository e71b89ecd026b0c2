package dev.dyndbgd.robust;

/**
 * One call site in the reference model: what {@code control} shows of it, plus its untrimmed file name
 * (matched by {@code file} queries together with the basename and the trimmed name). Latin-1 strings.
 */
final class ModelSite {
    /** The flag letters in the kernel's display order (opt_array: p m f s l t) and their bits. */
    static final String FLAG_LETTERS = "pmfslt";
    static final int[] FLAG_BITS = {1 << 0, 1 << 1, 1 << 2, 1 << 5, 1 << 3, 1 << 4};
    /** _DPRINTK_CLASS_DFLT: the class id of unclassed sites. */
    static final int CLASS_DFLT = 63;

    final String module;
    final String fullFile;
    final String listedFile;
    final int line;
    final String function;
    final String format;
    /** The class id for unclassed sites (63) and classes no map names; -1 for named classes (see className). */
    final int classId;
    /**
     * The name the module's class maps give the site's class, or null. The listing shows names, not their ids;
     * the model matches {@code class NAME} by name, which is the kernel's id match as long as no two of a
     * module's maps overlap (true of the fixtures).
     */
    final String className;
    int flags;

    boolean classed() {
        return className != null || classId != CLASS_DFLT;
    }

    ModelSite(String module, String fullFile, String listedFile, int line, String function, String format,
              int classId, String className, int flags) {
        this.module = module;
        this.fullFile = fullFile;
        this.listedFile = listedFile;
        this.line = line;
        this.function = function;
        this.format = format;
        this.classId = classId;
        this.className = className;
        this.flags = flags;
    }

    /** ddebug_describe_flags: set letters in display order, "_" when none. */
    static String describe(int flags) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < FLAG_LETTERS.length(); i++) {
            if ((flags & FLAG_BITS[i]) != 0) {
                b.append(FLAG_LETTERS.charAt(i));
            }
        }
        return b.isEmpty() ? "_" : b.toString();
    }

    static int parseFlags(String letters) {
        int f = 0;
        for (char c : letters.toCharArray()) {
            int i = FLAG_LETTERS.indexOf(c);
            if (i >= 0) {
                f |= FLAG_BITS[i];
            } else if (c != '_') {
                throw new IllegalArgumentException("flag letter " + c + " in control");
            }
        }
        return f;
    }

    /** The control line (spec §3.1): file:line [module]function =flags "format"[ class suffix]. */
    String render() {
        StringBuilder b = new StringBuilder();
        b.append(listedFile).append(':').append(line).append(" [").append(module).append(']').append(function)
                .append(" =").append(describe(flags)).append(" \"");
        // seq_escape_str(m, fmt, ESCAPE_SPACE, "\t\r\n\""): only TAB, CR and LF are escaped; '"' stays raw.
        for (char c : format.toCharArray()) {
            switch (c) {
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        b.append('"');
        if (className != null) {
            b.append(" class:").append(className);
        } else if (classId != CLASS_DFLT) {
            b.append(" class unknown, _id:").append(classId);
        }
        return b.append('\n').toString();
    }
}
