package dev.dyndbgd.query;

/**
 * The kernel's {@code match_wildcard}: {@code *} matches any run, {@code ?} one char, anchored at both
 * ends, with its quirk kept: once the subject is used up only a single trailing {@code *} is forgiven,
 * so {@code foo**} does not match {@code foo}.
 */
public final class Wildcard {
    private Wildcard() {
    }

    public static boolean matches(String pattern, String subject) {
        int s = 0;
        int p = 0;
        int retrySubject = 0;
        int retryPattern = 0;
        boolean star = false;
        int plen = pattern.length();
        int slen = subject.length();
        while (s < slen) {
            char pc = p < plen ? pattern.charAt(p) : '\0';
            if (pc == '?') {
                s++;
                p++;
            } else if (pc == '*') {
                star = true;
                retrySubject = s;
                p++;
                if (p == plen) {
                    return true;
                }
                retryPattern = p;
            } else if (p < plen && subject.charAt(s) == pc) {
                s++;
                p++;
            } else {
                if (!star) {
                    return false;
                }
                retrySubject++;
                s = retrySubject;
                p = retryPattern;
            }
        }
        if (p < plen && pattern.charAt(p) == '*') {
            p++;
        }
        return p == plen;
    }
}
