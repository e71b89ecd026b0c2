package dev.dyndbgd.query;

/**
 * A parsed query: its match constraints (each null when absent) and its flags. Built by
 * {@link QueryParser}; matched against sites by {@link QueryEngine}.
 */
public record Query(String function, String file, String module, String format, LineRange lines,
                    String className, FlagSpec flags) {

    /** The kernel's verbose-3 trace of a query: {@code parsed: func="..." file="..." ...}. */
    String describe(String stage) {
        String fmt = format == null ? "" : format;
        int end = fmt.length();
        while (end > 0 && fmt.charAt(end - 1) == '\n') {
            end--; // the kernel trims trailing newlines so the log line stays one line
        }
        return stage + ": func=\"" + orEmpty(function) + "\" file=\"" + orEmpty(file) + "\" module=\"" + orEmpty(module)
                + "\" format=\"" + fmt.substring(0, end) + "\" lineno=" + lines.first() + "-" + lines.last()
                + " class=" + (className == null ? "(null)" : className);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
