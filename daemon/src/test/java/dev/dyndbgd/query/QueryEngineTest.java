package dev.dyndbgd.query;

import dev.dyndbgd.query.BatchResult.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The query language end to end over small tables: spec §1, §2, §4 and the edge cases of §8. */
class QueryEngineTest {
    private final EngineFixture f = EngineFixture.standard();

    private BatchResult run(String batch) {
        return f.engine.write(batch);
    }

    @Test
    void moduleQuerySetsFlagsOnEveryUnclassedSiteOfThatModule() {
        assertEquals(Status.OK, run("module params +p").status());
        assertEquals(4, f.lines("[params]").stream().filter(l -> l.contains(" =p ")).count());
        assertEquals(4, f.count("=p"));
    }

    @Test
    void selftestSequenceFromTheKernelTree() {
        run("=_");
        assertEquals(0, f.count("=p"));
        run("module params +mpf");
        assertEquals(4, f.count("=pmf"));
        BatchResult r = run("  module params =_        # clear params\n  module params +mf       # set flags\n"
                + "  module params func parse_args +sl   # other flags\n");
        assertEquals(new BatchResult(3, 9, 0, Status.OK), r);
        assertEquals(3, f.count("=mf"));
        assertEquals(1, f.count("=mfsl"));
    }

    @Test
    void semicolonAndNewlineSplitBeforeQuotes() {
        BatchResult r = run("format \"a;b\" +p");
        assertEquals(Status.EINVAL, r.status());
        assertEquals(2, r.queries());
        assertTrue(f.logLines.contains("dyndbg: unclosed quote: a"), f.logLines.toString());
        assertTrue(f.logLines.contains("dyndbg: tokenize failed"));
    }

    @Test
    void flagsAreParsedFirst() {
        assertEquals(Status.EINVAL, run("module foo").status());
        assertEquals(List.of("dyndbg: bad flag-op f, at start of foo", "dyndbg: flags parse failed"), f.logLines);
        f.logLines.clear();
        run("module foo unknown_keyword value");
        assertEquals(List.of("dyndbg: bad flag-op v, at start of value", "dyndbg: flags parse failed"), f.logLines);
    }

    @Test
    void bareOperatorsAreValidAndEqualsAloneClears() {
        run("+pmf");
        assertEquals(Status.OK, run("+").status());
        assertEquals(Status.OK, run("-").status());
        assertEquals(8, f.count("=pmf"));
        assertEquals(Status.OK, run("=").status());
        assertEquals(0, f.count("=pmf"));
        assertEquals(f.control().lines().count() - 1, f.control().lines().filter(l -> l.contains(" =_ ")).count());
    }

    @Test
    void zeroMatchesIsSuccessAndFailuresDoNotRollBackOthers() {
        assertEquals(new BatchResult(1, 0, 0, Status.OK), run("module nosuch +p"));
        BatchResult r = run("module params +p; module params +x; module usbcore +t");
        assertEquals(new BatchResult(3, 7, 1, Status.EINVAL), r);
        assertEquals(4, f.count("=p"));
        assertEquals(3, f.count("=t"));
        assertTrue(f.logLines.contains("dyndbg: unknown flag 'x'"));
    }

    @Test
    void classProtection() {
        run("+p");
        assertEquals(4 + 3 + 1, f.count("=p"));
        assertEquals(1, run("class MID +p").matches());
        assertTrue(f.lines("class:MID").get(0).contains("=p"), f.control());
        run("=_");
        assertEquals(1, f.count("=p"), "=_ without class leaves classed sites alone");
        assertEquals(new BatchResult(1, 0, 0, Status.OK), run("class NOPE +p"));
        assertEquals(1, run("module test_dynamic_debug class D2_CORE +f").matches());
    }

    @Test
    void commentsOnlyAtTokenStart() {
        assertEquals(Status.OK, run("module params +p # trailing comment").status());
        assertEquals(Status.EINVAL, run("module params +p#x").status());
        assertTrue(f.logLines.contains("dyndbg: unknown flag '#'"));
        assertEquals(new BatchResult(0, 0, 0, Status.OK), run("# only a comment\n   \n;;"));
    }

    @Test
    void quotedWordEndsAtItsQuote() {
        assertEquals(Status.OK, run("func \"parse_one\"+p").status(), "quoted word then flags glued on");
        assertEquals(3, f.count("=p"));
        assertEquals(Status.OK, run("format '' +m").status());
        assertEquals(0, run("func \"\" +p").matches());
    }

    @Test
    void nineWordsMax() {
        assertEquals(Status.OK, run("module params file params.c func parse_one line 140 +p").status());
        assertEquals(Status.EINVAL, run("module params file params.c func parse_one line 140 format x +p").status());
        assertTrue(f.logLines.contains("dyndbg: too many words, legal max <=9"));
    }

    @Test
    void fileTailIsFunctionOrLineRange() {
        assertEquals(3, run("file params.c:parse_one +p").matches());
        assertEquals(2, run("file params.c:150-200 +f").matches());
        assertEquals(4, run("file params.c: +l").matches());
        assertEquals(1, run("file params.c:*args +t").matches());
        assertEquals(Status.EINVAL, run("file params.c:_init +p").status());
        assertTrue(f.logLines.contains("dyndbg: bad line-number: _init"));
        assertEquals(Status.EINVAL, run("file params.c:parse_one func parse_args +p").status());
        assertTrue(f.logLines.contains("dyndbg: match-spec:func val:parse_one overridden by parse_args"), f.logLines.toString());
    }

    @Test
    void repeatedKeywords() {
        run("func foo func bar =_");
        assertTrue(f.logLines.contains("dyndbg: match-spec:func val:foo overridden by bar"));
        run("module foo module baz =_");
        assertTrue(f.logLines.contains("dyndbg: match-spec:module val:foo overridden by baz"));
        run("file a.c file b.c:foo =_");
        assertTrue(f.logLines.contains("dyndbg: match-spec:file val:a.c overridden by b.c:foo"), f.logLines.toString());
        run("line 10 line 20 +l");
        assertTrue(f.logLines.contains("dyndbg: match-spec: line used 2x"));
        assertEquals(Status.OK, run("line 0 line 140 +p").status());
        assertEquals(1, f.count("=p"));
        run("class D2_CORE class D2_KMS +p");
        assertTrue(f.logLines.contains("dyndbg: match-spec:class val:D2_CORE overridden by D2_KMS"));
    }

    @Test
    void lineRanges() {
        assertEquals(1, run("line 140 +p").matches());
        assertEquals(3, run("module params line 150- +f").matches());
        assertEquals(3, run("module params line 150-0 +l").matches());
        assertEquals(2, run("module params line -160 +t").matches());
        assertEquals(8, run("line - +m").matches(), "an empty range is every unclassed site");
        assertEquals(1, run("line +218 +s").matches());
        run("line 100-10 +pf");
        assertTrue(f.logLines.contains("dyndbg: last-line:10 < 1st-line:100"));
        run("line 1-2-3 +p");
        assertTrue(f.logLines.contains("dyndbg: bad line-number: 2-3"));
        run("line 10a +pl");
        assertTrue(f.logLines.contains("dyndbg: bad line-number: 10a"));
        run("line 0x10 +p");
        assertTrue(f.logLines.contains("dyndbg: bad line-number: 0x10"));
    }

    @Test
    void fileMatchesFullPathOrBasenameAnchored() {
        assertEquals(2, run("file drivers/usb/core/hub.c +p").matches());
        assertEquals(2, run("file hub.c +f").matches());
        assertEquals(3, run("file drivers/usb/* +l").matches());
        assertEquals(0, run("file usb/* +p").matches(), "patterns are anchored");
        assertEquals(3, run("file *usb* +t").matches());
    }

    @Test
    void wildcardForgivesOnlyOneTrailingStar() {
        assertEquals(4, run("module params* +p").matches());
        assertEquals(0, run("module params** +p").matches());
        assertEquals(4, run("module p?r*s +f").matches());
    }

    @Test
    void formatIsSubstringOrCaretPrefixWithUnescaping() {
        assertEquals(3, run("format doing +p").matches());
        assertEquals(3, run("format ^doing +f").matches());
        assertEquals(0, run("format ^categories +f").matches(), "^ anchors at the start");
        assertEquals(1, run("format categories +f").matches());
        assertEquals(3, run("format \"'%s'\\n\" +l").matches());
        assertEquals(1, run("format '\"resume\"\\t' +t").matches(), "single quotes keep double quotes; \\t unescapes");
        assertEquals(Status.EINVAL, run("format \"\\\"resume\" +t").status(), "no escapes in the tokenizer");
        assertEquals(1, run("format ARGS:\\040 +m").matches(), "octal escape for a space");
        assertEquals(0, run("format \\x41 +s").matches(), "hex escapes are not enabled");
        assertEquals(8, run("format ^ +s").matches());
        assertEquals(8, run("format \"\" -s").matches());
        assertEquals(0, run("format doi*g +p").matches(), "no wildcards in format");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mode foo +p", "module foo %pm", "module foo +pfmHKDD", "module foo line =_",
            "func w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 +p", "module foo +x", "line 10 line 20 +l", "line 10a +pl",
            "line 100-10 +pf", "format \"unclosed +p", "module foo line +p", "+p-m", "p", "file=foo.c +p"})
    void grammarErrorsFailWithEinvalAndChangeNothing(String query) {
        String before = f.control();
        assertEquals(Status.EINVAL, run(query).status(), query);
        assertEquals(before, f.control());
        assertTrue(f.logLines.stream().anyMatch(l -> l.endsWith("failed")), f.logLines.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"+_", "-_", "module foo file bar.c func buz class D2_CORE +_", "line 42 +_", "line 10- +_",
            "line -100 +_", "line 10-100 +_", "file a_file.c:1-100 +_", "file b_file.c:30 +_", "file c_file.c:c_func +_",
            "file c_file.c:start_* +_", "format \"space\\040here\" +_", "func *my_func* +_", "file drivers/usb/* +_"})
    void selftestGrammarOk(String query) {
        assertEquals(Status.OK, run(query).status(), () -> query + " " + f.logLines);
    }

    @Test
    void unknownKeywordMessage() {
        run("mode foo +p");
        assertEquals(List.of("dyndbg: unknown keyword \"mode\"", "dyndbg: query parse failed"), f.logLines);
    }

    @Test
    void writeLimitsAndNul() {
        byte[] big = new byte[4096];
        java.util.Arrays.fill(big, (byte) ' ');
        assertEquals(Status.E2BIG, f.engine.write(big, big.length).status());
        assertTrue(f.logLines.contains("dyndbg: expected <4096 bytes into control"));
        assertEquals(Status.OK, f.engine.write(big, 4095).status());
        byte[] withNul = "module params +p\0garbage +x".getBytes();
        assertEquals(Status.OK, f.engine.write(withNul, withNul.length).status());
        assertEquals(4, f.count("=p"));
    }

    @Test
    void defaultModuleFromModuleParameterCanBeOverridden() {
        assertEquals(4, f.engine.execute("+p", "params", QueryEngine.Origin.CONFIG).matches());
        assertEquals(3, f.engine.execute("module usbcore +f", "params", QueryEngine.Origin.CONFIG).matches());
    }

    @Test
    void verboseLevelsLogWhatTheKernelLogs() {
        f.log.setVerbose(4);
        run("module params func parse_args +p");
        List<String> expected = List.of(
                "dyndbg: read 32 bytes from userspace",
                "dyndbg: query 0: \"module params func parse_args +p\" mod:*",
                "dyndbg: split into words: \"module\" \"params\" \"func\" \"parse_args\" \"+p\"",
                "dyndbg: op='+'",
                "dyndbg: flags=0x1",
                "dyndbg: *flagsp=0x1 *maskp=0xffffffff",
                "dyndbg: parsed: func=\"parse_args\" file=\"\" module=\"params\" format=\"\" lineno=0-0 class=(null)",
                "dyndbg: changed kernel/params.c:218 [params]parse_args _ => p",
                "dyndbg: applied: func=\"parse_args\" file=\"\" module=\"params\" format=\"\" lineno=0-0 class=(null)",
                "dyndbg: processed 1 queries, with 1 matches, 0 errs");
        assertEquals(expected, f.logLines);
        f.logLines.clear();
        f.log.setVerbose(1);
        run("module nosuch +p");
        assertEquals(List.of("dyndbg: query 0: \"module nosuch +p\" mod:*", "dyndbg: no matches for query"), f.logLines);
    }
}
