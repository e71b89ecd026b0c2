package dev.dyndbgd.query;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The small rules under the query language: wildcards, unescaping, tokenizing, splitting. */
class LexicalRulesTest {
    @ParameterizedTest
    @CsvSource({"foo,foo,true", "foo*,foo,true", "foo**,foo,false", "foo**,foox,true", "*,'',true", "'',x,false",
            "'','',true", "f?o,foo,true", "f?o,fo,false", "*o*b*,foobar,true", "usb/*,drivers/usb/x.c,false",
            "drivers/*,drivers/usb/core/hub.c,true", "*.c,hub.c,true", "*.c,hub.h,false", "a*b*c,aXbYbZc,true",
            "?,'',false", "**,'',false", "*?,'',false"})
    void matchWildcardLikeTheKernel(String pattern, String subject, boolean expected) {
        assertEquals(expected, Wildcard.matches(pattern, subject), pattern + " vs " + subject);
    }

    @Test
    void unescapeSpaceOctalSpecial() {
        assertEquals("a\nb\tc\rd\u000Be\fg", FormatUnescaper.unescape("a\\nb\\tc\\rd\\ve\\fg"));
        assertEquals("\" \\ \u0007 \u001B", FormatUnescaper.unescape("\\\" \\\\ \\a \\e"));
        assertEquals(" 0", FormatUnescaper.unescape("\\400"), "accumulation stops at 32");
        assertEquals("?7", FormatUnescaper.unescape("\\777"), "7, then 63 reaches 32: two digits used");
        assertEquals("A1", FormatUnescaper.unescape("\\1011"), "at most three digits");
        assertEquals("\\x41", FormatUnescaper.unescape("\\x41"), "no hex");
        assertEquals("ab", FormatUnescaper.unescape("ab\\0cd"), "a decoded NUL ends the string");
        assertEquals("trailing\\", FormatUnescaper.unescape("trailing\\"));
        assertEquals("\\q", FormatUnescaper.unescape("\\q"));
    }

    @Test
    void tokenizerWords() throws QueryException {
        assertEquals(List.of("abc", "def"), Tokenizer.tokenize("\"abc\"def"));
        assertEquals(List.of("", "+p"), Tokenizer.tokenize("'' +p"));
        assertEquals(List.of("format\"x\"", "+p"), Tokenizer.tokenize("format\"x\" +p"));
        assertEquals(List.of("a b", "c"), Tokenizer.tokenize("'a b' c # d e"));
        assertEquals(List.of("x", "+p"), Tokenizer.tokenize("x\u00A0+p"), "no-break space separates, as in the kernel's ctype");
        QueryException e = assertThrows(QueryException.class, () -> Tokenizer.tokenize("1 2 3 4 5 6 7 8 9 10"));
        assertEquals("too many words, legal max <=9", e.getMessage());
        assertEquals("unclosed quote: abc +p", assertThrows(QueryException.class, () -> Tokenizer.tokenize("'abc +p")).getMessage());
    }

    @Test
    void batchSplitting() {
        assertEquals(List.of("a", "b ", "c"), QueryBatch.split(" a;b \n\t c;# d;  ;"));
        assertEquals(List.of("format \"x", "y\" +p"), QueryBatch.split("format \"x;y\" +p"));
    }

    @Test
    void flagSpecs() throws QueryException {
        assertEquals(0b101, FlagSpec.parse("=pf").apply(0b1111));
        assertEquals(0b1111, FlagSpec.parse("+pf").apply(0b1010));
        assertEquals(0b1010, FlagSpec.parse("-pf").apply(0b1111));
        assertEquals(0, FlagSpec.parse("=").apply(0b111));
        assertEquals(0b111, FlagSpec.parse("+_").apply(0b111));
        assertEquals("unknown flag '-'", assertThrows(QueryException.class, () -> FlagSpec.parse("+p-m")).getMessage());
        assertEquals("bad flag-op p, at start of p", assertThrows(QueryException.class, () -> FlagSpec.parse("p")).getMessage());
    }
}
