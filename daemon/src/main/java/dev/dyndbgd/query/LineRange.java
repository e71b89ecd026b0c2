package dev.dyndbgd.query;

/**
 * A {@code line} constraint as the kernel keeps it: two unsigned bounds where 0 means "no bound".
 * Parsed from {@code N}, {@code N-M}, {@code -M}, {@code N-} (an empty or zero upper bound of a range
 * means no upper bound).
 */
record LineRange(long first, long last) {
    static final LineRange NONE = new LineRange(0, 0);
    private static final long UINT_MAX = 0xFFFF_FFFFL;

    boolean isSet() {
        return first != 0 || last != 0;
    }

    boolean contains(int line) {
        return (first == 0 || line >= first) && (last == 0 || line <= last);
    }

    static LineRange parse(String spec) throws QueryException {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            long n = parseLineNumber(spec);
            return new LineRange(n, n);
        }
        long first = parseLineNumber(spec.substring(0, dash));
        long last = parseLineNumber(spec.substring(dash + 1));
        if (last == 0) {
            last = UINT_MAX;
        }
        if (last < first) {
            // The kernel prints these unsigned values with %d.
            throw new QueryException("last-line:" + (int) last + " < 1st-line:" + (int) first);
        }
        return new LineRange(first, last);
    }

    /** The kernel's kstrtouint(s, 10) with an empty string meaning 0. */
    private static long parseLineNumber(String s) throws QueryException {
        if (s.isEmpty()) {
            return 0;
        }
        String digits = s;
        if (digits.endsWith("\n")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        if (digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        if (digits.isEmpty()) {
            throw new QueryException("bad line-number: " + s);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new QueryException("bad line-number: " + s);
            }
            value = value * 10 + (c - '0');
            if (value > UINT_MAX) {
                throw new QueryException("bad line-number: " + s);
            }
        }
        return value;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
