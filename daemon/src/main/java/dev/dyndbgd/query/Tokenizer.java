package dev.dyndbgd.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one query into words the way the kernel's {@code ddebug_tokenize} does: whitespace separates
 * words, a word starting with a quote runs to the next same quote (no escapes, and the char after the
 * closing quote starts the next word even if it is not a space), {@code #} at the start of a word
 * comments out the rest, and at most {@link #MAX_WORDS} words are allowed.
 */
public final class Tokenizer {
    /** The kernel's MAXWORDS: four keyword/value pairs and the flags. */
    public static final int MAX_WORDS = 9;

    private Tokenizer() {
    }

    public static List<String> tokenize(String query) throws QueryException {
        List<String> words = new ArrayList<>(MAX_WORDS);
        int i = 0;
        int n = query.length();
        while (i < n) {
            i = KernelCtype.skipSpaces(query, i);
            if (i >= n || query.charAt(i) == '#') {
                break;
            }
            int start;
            int end;
            char first = query.charAt(i);
            if (first == '"' || first == '\'') {
                start = i + 1;
                end = query.indexOf(first, start);
                if (end < 0) {
                    throw new QueryException("unclosed quote: " + query.substring(start));
                }
            } else {
                start = i;
                end = start;
                while (end < n && !KernelCtype.isSpace(query.charAt(end))) {
                    end++;
                }
            }
            if (words.size() == MAX_WORDS) {
                throw new QueryException("too many words, legal max <=" + MAX_WORDS);
            }
            words.add(query.substring(start, end));
            // The kernel overwrites the char that ended the word (closing quote or one space) with NUL
            // and resumes after it.
            i = end < n ? end + 1 : end;
        }
        return words;
    }
}
