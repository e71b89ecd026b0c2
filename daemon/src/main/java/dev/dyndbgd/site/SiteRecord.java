package dev.dyndbgd.site;

/**
 * One call site as a source describes it (a kernel module's {@code struct _ddebug}, a client's
 * registration, or one of the daemon's own debug statements), before a table takes it apart into a
 * hot head and a cold body.
 *
 * @param file     source file as recorded by the compiler ({@code __FILE__})
 * @param function enclosing function ({@code __func__})
 * @param format   the raw format string, without any pr_fmt() prefix
 * @param line     source line, 0..{@link #MAX_LINE} (the kernel keeps 18 bits)
 * @param classId  class id 0..62, or {@link #CLASS_DEFAULT} for an unclassed site
 * @param flags    initial flags, bits as in {@link Flags}
 */
public record SiteRecord(String file, String function, String format, int line, int classId, int flags) {
    /** Largest line number an 18-bit field holds. */
    public static final int MAX_LINE = (1 << 18) - 1;
    /** The kernel's {@code _DPRINTK_CLASS_DFLT}: the class id of a site that belongs to no class. */
    public static final int CLASS_DEFAULT = 63;

    public SiteRecord {
        if (file == null || function == null || format == null) {
            throw new IllegalArgumentException("file, function and format are required");
        }
        if (line < 0 || line > MAX_LINE) {
            throw new IllegalArgumentException("line " + line + " does not fit in 18 bits");
        }
        if (classId < 0 || classId > CLASS_DEFAULT) {
            throw new IllegalArgumentException("class id " + classId + " does not fit in 6 bits");
        }
        if ((flags & ~Flags.ALL) != 0) {
            throw new IllegalArgumentException("unknown flag bits 0x" + Integer.toHexString(flags));
        }
    }

    /** An unclassed site with no flags set. */
    public static SiteRecord of(String file, String function, String format, int line) {
        return new SiteRecord(file, function, format, line, CLASS_DEFAULT, 0);
    }
}
