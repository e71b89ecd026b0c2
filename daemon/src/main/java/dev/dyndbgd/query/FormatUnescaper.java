package dev.dyndbgd.query;

/**
 * Unescapes a {@code format} value as the kernel's {@code string_unescape_inplace} with
 * UNESCAPE_SPACE | UNESCAPE_OCTAL | UNESCAPE_SPECIAL: {@code \n \r \t \v \f}, octal {@code \N..\NNN}
 * (accumulation stops once the value reaches 32), {@code \" \\ \a \e}. Hex is not enabled, so an
 * unknown escape keeps its backslash. A decoded NUL ends the string, as it does in C.
 */
final class FormatUnescaper {
    private FormatUnescaper() {
    }

    static String unescape(String in) {
        StringBuilder out = new StringBuilder(in.length());
        int i = 0;
        int n = in.length();
        while (i < n) {
            char c = in.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = in.charAt(i + 1);
                int simple = simpleEscape(e);
                if (simple >= 0) {
                    out.append((char) simple);
                    i += 2;
                    continue;
                }
                if (KernelCtype.isOctalDigit(e)) {
                    int j = i + 1;
                    int value = in.charAt(j++) & 7;
                    // The kernel stops after three digits, or as soon as the value reaches 32 (it is a u8).
                    while (value < 32 && j < n && j - (i + 1) < 3 && KernelCtype.isOctalDigit(in.charAt(j))) {
                        value = ((value << 3) + (in.charAt(j++) & 7)) & 0xFF;
                    }
                    if (value == 0) {
                        break; // an embedded NUL terminates the C string
                    }
                    out.append((char) value);
                    i = j;
                    continue;
                }
                // Unknown escape: the backslash is kept and the next char is handled on its own.
                out.append('\\');
                i++;
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Value of a space or special escape letter, or -1 (octal is handled separately). */
    private static int simpleEscape(char e) {
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'v' -> 0x0B;
            case 'f' -> '\f';
            case '"' -> '"';
            case '\\' -> '\\';
            case 'a' -> 0x07;
            case 'e' -> 0x1B;
            default -> -1;
        };
    }
}
