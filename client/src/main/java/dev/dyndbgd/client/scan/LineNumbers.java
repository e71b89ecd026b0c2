package dev.dyndbgd.client.scan;

import java.util.Arrays;

/**
 * The {@code LineNumberTable} entries of one method, answering "which source line is in effect at
 * this pc" for a walk that visits instructions in increasing pc order.
 *
 * <p>The table maps a start pc to a line, and the line stays in effect until the next higher start
 * pc; entries need not be sorted (javac puts a loop's condition after its body, and a method may have
 * several tables), so they are sorted once by pc, keeping table order among equal pcs so the last
 * entry for a pc wins. A method compiled without line numbers ({@code -g:none}) reports line 0.
 */
final class LineNumbers {
    /** Each entry packed as {@code startPc << 48 | order << 16 | line}, so sorting orders by pc, then table order. */
    private long[] entries = new long[16];
    private int size;
    private boolean sorted;
    private int next;
    private int current;

    void add(int startPc, int line) {
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, size * 2);
        }
        entries[size] = ((long) startPc << 48) | ((long) size << 16) | line;
        size++;
        sorted = false;
    }

    /** The line in effect at {@code pc}; calls must come with non-decreasing pcs. */
    int lineAt(int pc) {
        if (!sorted) {
            Arrays.sort(entries, 0, size);
            sorted = true;
            next = 0;
            current = 0;
        }
        while (next < size && (entries[next] >>> 48) <= pc) {
            current = (int) (entries[next] & 0xffff);
            next++;
        }
        return current;
    }
}
