package dev.dyndbgd.site;

/**
 * The per-site flag bits, with the kernel's bit values ({@code _DPRINTK_FLAGS_*}), so a flags byte
 * read from a module's {@code __dyndbg} section means the same thing here.
 */
public final class Flags {
    public static final int PRINT = 1 << 0;      // p
    public static final int INCL_MODNAME = 1 << 1; // m
    public static final int INCL_FUNCNAME = 1 << 2; // f
    public static final int INCL_LINENO = 1 << 3;  // l
    public static final int INCL_TID = 1 << 4;     // t
    public static final int INCL_SOURCENAME = 1 << 5; // s
    public static final int ALL = PRINT | INCL_MODNAME | INCL_FUNCNAME | INCL_LINENO | INCL_TID | INCL_SOURCENAME;

    /** Letters in the order the kernel displays them (p m f s l t), with their bits. */
    private static final char[] LETTERS = {'p', 'm', 'f', 's', 'l', 't'};
    private static final int[] BITS = {PRINT, INCL_MODNAME, INCL_FUNCNAME, INCL_SOURCENAME, INCL_LINENO, INCL_TID};

    private Flags() {
    }

    /** The bit for a flag letter, 0 for {@code '_'} (no flag), or -1 if the letter is unknown. */
    public static int bitOf(char letter) {
        if (letter == '_') {
            return 0;
        }
        for (int i = 0; i < LETTERS.length; i++) {
            if (LETTERS[i] == letter) {
                return BITS[i];
            }
        }
        return -1;
    }

    /** The flags as {@code control} shows them after the {@code =}: set letters in p m f s l t order, or {@code _}. */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder(6);
        appendDescription(sb, flags);
        return sb.toString();
    }

    public static void appendDescription(StringBuilder sb, int flags) {
        int before = sb.length();
        for (int i = 0; i < LETTERS.length; i++) {
            if ((flags & BITS[i]) != 0) {
                sb.append(LETTERS[i]);
            }
        }
        if (sb.length() == before) {
            sb.append('_');
        }
    }
}
