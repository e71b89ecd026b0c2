package dev.dyndbgd.robust;

/**
 * The kernel library routines the query language leans on, written from their C in the spec's sources
 * ([SH]: lib/ctype.c, lib/parser.c {@code match_wildcard}, lib/string_helpers.c {@code string_unescape},
 * lib/kstrtox.c {@code kstrtouint}). Strings are Latin-1: one char per byte, 0..255.
 */
final class KernelLib {
    private KernelLib() {
    }

    /** lib/ctype.c {@code _S}: TAB, LF, VT, FF, CR, space, and 0xA0 (Latin-1 NBSP). */
    static boolean isspace(char c) {
        return (c >= 9 && c <= 13) || c == ' ' || c == 0xA0;
    }

    /** lib/ctype.c {@code _U|_L}: ASCII letters and Latin-1 192..255 except 215 (×) and 247 (÷). */
    static boolean isalpha(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 192 && c <= 255 && c != 215 && c != 247);
    }

    static int skipSpaces(String s, int i) {
        while (i < s.length() && isspace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** lib/parser.c {@code match_wildcard}, transliterated (including its single-trailing-star quirk). */
    static boolean matchWildcard(String pattern, String str) {
        int s = 0;
        int p = 0;
        int strStart = 0;
        int patStart = 0;
        boolean star = false;
        while (s < str.length()) {
            char pc = p < pattern.length() ? pattern.charAt(p) : '\0';
            if (pc == '?') {
                s++;
                p++;
            } else if (pc == '*') {
                star = true;
                strStart = s;
                if (++p >= pattern.length()) {
                    return true;
                }
                patStart = p;
            } else if (str.charAt(s) == pc) {
                s++;
                p++;
            } else {
                if (!star) {
                    return false;
                }
                strStart++;
                s = strStart;
                p = patStart;
            }
        }
        if (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p >= pattern.length();
    }

    /** {@code kbasename}: after the last '/'. */
    static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * {@code string_unescape_inplace(s, UNESCAPE_SPACE | UNESCAPE_OCTAL | UNESCAPE_SPECIAL)}, then read as a
     * C string (an escaped {@code \0} ends it).
     */
    static String unescape(String src) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = src.length();
        while (i < n) {
            if (src.charAt(i) == '\\' && i + 1 < n) {
                i++;
                char e = src.charAt(i);
                char space = switch (e) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'v' -> 0x0B;
                    case 'f' -> '\f';
                    default -> 0;
                };
                if (space != 0) {
                    out.append(space);
                    i++;
                    continue;
                }
                if (isodigit(e)) {
                    int start = i;
                    int num = src.charAt(i++) & 7;
                    while (num < 32 && i < n && isodigit(src.charAt(i)) && i - start < 3) {
                        num = (num << 3) + (src.charAt(i++) & 7);
                    }
                    out.append((char) (num & 0xFF));
                    continue;
                }
                char special = switch (e) {
                    case '"' -> '"';
                    case '\\' -> '\\';
                    case 'a' -> 0x07;
                    case 'e' -> 0x1B;
                    default -> 0;
                };
                if (special != 0) {
                    out.append(special);
                    i++;
                    continue;
                }
                out.append('\\');
            }
            out.append(src.charAt(i++));
        }
        int nul = out.indexOf("\0");
        return nul < 0 ? out.toString() : out.substring(0, nul);
    }

    private static boolean isodigit(char c) {
        return c >= '0' && c <= '7';
    }

    /** {@code kstrtouint(s, 10, &v)}: the value, or -1 for any error (-EINVAL, -ERANGE). */
    static long kstrtouint(String s) {
        int i = s.startsWith("+") ? 1 : 0;
        int digits = 0;
        long v = 0;
        boolean tooBig = false;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = v * 10 + (s.charAt(i) - '0');
            if (v > 0xFFFF_FFFFL) {
                tooBig = true; // ERANGE from kstrtoull's overflow or kstrtouint's narrowing: an error either way
                v = 0xFFFF_FFFFL + 1;
            }
            digits++;
            i++;
        }
        if (digits == 0) {
            return -1;
        }
        if (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        if (i < s.length() || tooBig) {
            return -1;
        }
        return v;
    }
}
