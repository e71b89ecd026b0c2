package dev.dyndbgd.query;

/**
 * The kernel's {@code <linux/ctype.h>} classes for the bytes the query language cares about.
 *
 * <p>Query text is handled as ISO-8859-1 (one char per byte), so these answer for chars 0..255 exactly
 * as the kernel's Latin-1 table does: notably 0xA0 (no-break space) is whitespace and the Latin-1
 * letters count for {@code isalpha}, which decides whether a {@code file x.c:TAIL} tail is a function.
 */
final class KernelCtype {
    private KernelCtype() {
    }

    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
    }

    static boolean isAlpha(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return true;
        }
        // Latin-1 upper and lower letters, except the multiplication and division signs.
        return c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7;
    }

    static boolean isOctalDigit(char c) {
        return c >= '0' && c <= '7';
    }

    /** Index of the first char at or after {@code from} that is not whitespace. */
    static int skipSpaces(CharSequence s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
