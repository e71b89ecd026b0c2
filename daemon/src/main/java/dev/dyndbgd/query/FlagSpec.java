package dev.dyndbgd.query;

import dev.dyndbgd.site.Flags;

/**
 * The flags word of a query ({@code +p}, {@code -mf}, {@code =_}, a bare {@code =}), reduced like the
 * kernel's {@code ddebug_parse_flags} to a mask and a set: new = (old &amp; mask) | set.
 */
public record FlagSpec(char op, int letters, int mask, int set) {

    public static FlagSpec parse(String word) throws QueryException {
        char op = word.isEmpty() ? '\0' : word.charAt(0);
        if (op != '+' && op != '-' && op != '=') {
            throw new QueryException("bad flag-op " + (word.isEmpty() ? "" : String.valueOf(op)) + ", at start of " + word);
        }
        int letters = 0;
        for (int i = 1; i < word.length(); i++) {
            int bit = Flags.bitOf(word.charAt(i));
            if (bit < 0) {
                throw new QueryException("unknown flag '" + word.charAt(i) + "'");
            }
            letters |= bit;
        }
        return switch (op) {
            case '=' -> new FlagSpec(op, letters, 0, letters);
            case '+' -> new FlagSpec(op, letters, ~0, letters);
            default -> new FlagSpec(op, letters, ~letters, 0);
        };
    }

    public int apply(int oldFlags) {
        return (oldFlags & mask) | set;
    }
}
