package dev.dyndbgd.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a write into queries like the kernel's {@code ddebug_exec_queries}: at every {@code ;} and
 * newline, before any quote handling (so a {@code ;} inside quotes still cuts), dropping pieces that
 * are blank or start with {@code #} after leading whitespace.
 */
final class QueryBatch {
    private QueryBatch() {
    }

    static List<String> split(String batch) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        int n = batch.length();
        while (start <= n) {
            int end = start;
            while (end < n && batch.charAt(end) != ';' && batch.charAt(end) != '\n') {
                end++;
            }
            int from = KernelCtype.skipSpaces(batch, start);
            if (from < end && batch.charAt(from) != '#') {
                pieces.add(batch.substring(from, end));
            }
            start = end + 1;
        }
        return pieces;
    }
}
