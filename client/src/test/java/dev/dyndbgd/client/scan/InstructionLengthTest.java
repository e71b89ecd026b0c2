package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instruction lengths, checked where a wrong one would show: a site used after each variable-length
 * or unusual instruction is found at its exact line only if the walk stayed in phase.
 */
class InstructionLengthTest {
    @TempDir
    Path dir;

    /** A method per instruction kind, each ending in a use of its own site on a marked line. */
    static String instructionsSource() {
        StringBuilder s = new StringBuilder("""
                package com.example;

                import dev.dyndbgd.client.DebugSite;
                import dev.dyndbgd.client.DynamicDebug;

                public class Instructions {
                    static final DynamicDebug DEBUG = DynamicDebug.module("insn");
                """);
        String[] kinds = {"TABLE0", "TABLE1", "TABLE2", "TABLE3", "LOOKUP0", "LOOKUP1", "LOOKUP2", "LOOKUP3",
                "STRINGS", "ENUMS", "EXPR", "WIDE", "LONGS", "IFACE", "INDY", "MULTI", "LDCW", "JUMPS"};
        for (String k : kinds) {
            s.append("    static final DebugSite ").append(k).append(" = DEBUG.site(\"").append(k.toLowerCase()).append("\\n\");\n");
        }
        // tableswitch and lookupswitch at each of the four alignments: iinc is 3 bytes, so k of them
        // move the switch through every residue mod 4.
        for (int k = 0; k < 4; k++) {
            s.append("    int table").append(k).append("(int key) {\n        int x = 0;\n");
            s.append("        x++;\n".repeat(k));
            s.append("""
                            switch (key) {
                                case 1: x += 10; break;
                                case 2: x += 20; break;
                                case 3: x += 30; break;
                                case 4: x += 40; break;
                                default: x -= 1;
                            }
                    """);
            s.append("        TABLE").append(k).append(".printf(x); // @TABLE").append(k).append("\n        return x;\n    }\n");
            s.append("    int lookup").append(k).append("(int key) {\n        int x = 0;\n");
            s.append("        x++;\n".repeat(k));
            s.append("""
                            switch (key) {
                                case -100000: x += 10; break;
                                case 7: x += 20; break;
                                case 1000: x += 30; break;
                                case 1 << 30: x += 40; break;
                            }
                    """);
            s.append("        LOOKUP").append(k).append(".printf(x); // @LOOKUP").append(k).append("\n        return x;\n    }\n");
        }
        s.append("""
                    enum Color { RED, GREEN, BLUE }

                    int strings(String key, Color c) {
                        int x;
                        switch (key) {
                            case "alpha": x = 1; break;
                            case "beta": x = 2; break;
                            case "Aa": x = 3; break;
                            case "BB": x = 4; break;
                            default: x = 0;
                        }
                        STRINGS.printf(x); // @STRINGS
                        switch (c) {
                            case RED: x++; break;
                            case BLUE: x--; break;
                            default: break;
                        }
                        ENUMS.printf(x); // @ENUMS
                        int y = switch (x) { case 0 -> 5; case 1 -> 6; case 2, 3 -> 7; default -> { int z = x * 2; yield z; } };
                        EXPR.printf(y); // @EXPR
                        return y;
                    }

                    long longs(long a) {
                        long b = 1234567890123456789L;
                        double d = 3.25e300;
                        long c = a * b + (long) d;
                        LONGS.printf(c); // @LONGS
                        return c;
                    }

                    int iface(java.util.List<String> list, int n) {
                        list.add("x");
                        java.util.function.IntSupplier s = () -> n + 1;
                        int v = s.getAsInt() + list.size();
                        IFACE.printf(v); // @IFACE
                        String t = "n=" + n + " v=" + v;
                        INDY.printf(t); // @INDY
                        int[][][] m = new int[n][v][2];
                        MULTI.printf(m.length); // @MULTI
                        return v;
                    }

                    int jumps(int n) {
                        int total = 0;
                        for (int i = 0; i < n; i++) {
                            if (i % 3 == 0) continue;
                            total += i > 5 ? i : -i;
                        }
                        Object o = total;
                        if (o instanceof Integer k && k != null) total += k;
                        synchronized (this) { total++; }
                        try { total /= n; } catch (ArithmeticException e) { total = -1; } finally { total++; }
                        JUMPS.printf(total); // @JUMPS
                        return total;
                    }
                """);
        // More than 256 locals: loads, stores and iinc of the high ones need the wide prefix.
        s.append("    int wide() {\n");
        for (int i = 0; i < 300; i++) {
            s.append("        int v").append(i).append(" = ").append(i * 7).append(";\n");
        }
        s.append("        v299 += 1000;\n        v298 = v299 + v297;\n        double dd = v296;\n        long ll = v295;\n");
        s.append("        WIDE.printf(v298, dd, ll); // @WIDE\n        return v298;\n    }\n");
        // More than 256 distinct constants: later string literals need ldc_w.
        s.append("    String ldcw() {\n        String[] many = {");
        for (int i = 0; i < 300; i++) {
            s.append(i == 0 ? "" : ", ").append("\"c").append(i).append('"');
        }
        s.append("};\n        LDCW.printf(many.length); // @LDCW\n        return many[0];\n    }\n}\n");
        return s.toString();
    }

    @Test
    void sitesAfterEveryKindOfInstructionAreFoundAtTheirLines() throws IOException {
        String source = instructionsSource();
        Path classes = Javac.compile(dir, Map.of("com/example/Instructions.java", source));
        List<ScannedSite> sites = SiteScanner.scanCodeSource(classes);
        assertEquals(18, sites.size(), sites::toString);
        for (ScannedSite s : sites) {
            String marker = "@" + s.field();
            assertEquals(Javac.lineOf(source, marker), s.line(), s.toString());
            assertEquals("com/example/Instructions.java", s.file());
            assertEquals(s.field().toLowerCase() + "\n", s.format());
            String expectedFunction = s.field().toLowerCase()
                    .replace("enums", "strings").replace("expr", "strings")
                    .replace("indy", "iface").replace("multi", "iface");
            assertEquals(expectedFunction, s.function(), s.toString());
        }
        // The class really contains the instructions the test is about, and the walk sees every one javap sees.
        Path file = classes.resolve("com/example/Instructions.class");
        String listing = javap(file.toString());
        for (String insn : List.of("tableswitch", "lookupswitch", "iinc_w", "ldc_w", "ldc2_w", "multianewarray",
                "invokeinterface", "invokedynamic", "instanceof", "monitorenter", "checkcast")) {
            assertTrue(listing.contains(" " + insn + " ") || listing.contains(" " + insn + "\n"), insn + " not in the fixture");
        }
        assertEquals(instructionCount(listing), ClassFileReader.walkAll(Files.readAllBytes(file)));
    }

    /** The listing of {@code javap -c -p}, the JDK's disassembler. */
    static String javap(String classFileOrName) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = java.util.spi.ToolProvider.findFirst("javap").orElseThrow()
                .run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), "-c", "-p", classFileOrName);
        assertEquals(0, rc, err::toString);
        return out.toString();
    }

    /** Instruction lines of a javap listing ("  12: invokevirtual ..."); switch cases ("  1: 40") do not count. */
    static int instructionCount(String listing) {
        return (int) listing.lines().filter(l -> l.matches("\\s+\\d+: [a-z].*")).count();
    }

    /** Hand-made code: a switch at pc {@code 0..3}, then GETSTATIC site; INVOKEVIRTUAL printf on line 7. */
    static byte[] switchThenUse(int pc, boolean table) {
        TestClassFile cf = new TestClassFile("t/Switch");
        int site = cf.field("t/Switch", "S", DebugApi.DEBUG_SITE_TYPE);
        int printf = cf.method(DebugApi.DEBUG_SITE, "printf", "([Ljava/lang/Object;)V");
        java.io.ByteArrayOutputStream code = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < pc; i++) {
            code.write(0x00); // nop
        }
        code.write(0x03); // iconst_0 (the key)
        int switchPc = code.size();
        code.write(table ? 0xaa : 0xab);
        int pad = 3 - (switchPc & 3);
        for (int i = 0; i < pad; i++) {
            code.write(0); // padding bytes: any value is legal, but zero is what compilers write
        }
        int operandsEnd;
        if (table) {
            // default, low = -1, high = 1, three offsets: 24 bytes of operands.
            writeInt(code, 0);
            writeInt(code, -1);
            writeInt(code, 1);
            for (int i = 0; i < 3; i++) {
                writeInt(code, 0);
            }
        } else {
            // default, npairs = 2, two (match, offset) pairs.
            writeInt(code, 0);
            writeInt(code, 2);
            writeInt(code, 5);
            writeInt(code, 0);
            writeInt(code, 0xb2b2b2b2); // a match value that looks like GETSTATIC opcodes, to catch a misaligned walk
            writeInt(code, 0);
        }
        operandsEnd = code.size();
        int usePc = operandsEnd;
        code.write(0xb2);
        code.write(site >> 8);
        code.write(site);
        code.write(0x01); // aconst_null as the argument array
        code.write(0xb6);
        code.write(printf >> 8);
        code.write(printf);
        code.write(0xb1); // return
        return cf.method("m", code.toByteArray(), 0, 1, usePc, 7).sourceFile("Switch.java").toBytes();
    }

    private static void writeInt(java.io.ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    @Test
    void switchPaddingCountsFromTheStartOfTheCode() {
        for (boolean table : new boolean[]{true, false}) {
            for (int pc = 0; pc < 8; pc++) {
                ClassScan scan = SiteScanner.scanClass(switchThenUse(pc, table));
                assertEquals(List.of(new ClassScan.SiteUse(new ClassScan.FieldRef("t/Switch", "S"), "m", 7)), scan.uses(),
                        (table ? "tableswitch" : "lookupswitch") + " at pc " + (pc + 1));
                assertEquals("t/Switch.java", scan.file());
            }
        }
    }

    static int length(int pc, int... code) {
        byte[] bytes = new byte[code.length];
        for (int i = 0; i < code.length; i++) {
            bytes[i] = (byte) code[i];
        }
        return Bytecode.length(new ClassBytes(bytes), 0, bytes.length, pc);
    }

    @Test
    void fixedAndVariableLengths() {
        assertEquals(1, length(0, 0x00));                    // nop
        assertEquals(2, length(0, 0x10, 5));                 // bipush
        assertEquals(3, length(0, 0x11, 0, 5));              // sipush
        assertEquals(2, length(0, 0x12, 1));                 // ldc
        assertEquals(3, length(0, 0x13, 0, 1));              // ldc_w
        assertEquals(3, length(0, 0x14, 0, 1));              // ldc2_w
        assertEquals(2, length(0, 0x15, 1));                 // iload
        assertEquals(1, length(0, 0x2a));                    // aload_0
        assertEquals(3, length(0, 0x84, 1, 1));              // iinc
        assertEquals(3, length(0, 0xa7, 0, 0));              // goto
        assertEquals(2, length(0, 0xa9, 1));                 // ret
        assertEquals(5, length(0, 0xb9, 0, 1, 1, 0));        // invokeinterface
        assertEquals(5, length(0, 0xba, 0, 1, 0, 0));        // invokedynamic
        assertEquals(2, length(0, 0xbc, 10));                // newarray
        assertEquals(4, length(0, 0xc5, 0, 1, 2));           // multianewarray
        assertEquals(5, length(0, 0xc8, 0, 0, 0, 0));        // goto_w
        assertEquals(6, length(0, 0xc4, 0x84, 1, 0, 0, 1));  // wide iinc
        assertEquals(4, length(0, 0xc4, 0x15, 1, 0));        // wide iload
        assertEquals(4, length(0, 0xc4, 0x3a, 1, 0));        // wide astore
        assertEquals(4, length(0, 0xc4, 0xa9, 1, 0));        // wide ret
        // tableswitch at pc 1: two padding bytes, low 0, high 1 -> 1 + 2 + 12 + 8.
        assertEquals(23, length(1, 0x00, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
        // lookupswitch at pc 3: no padding, one pair -> 1 + 0 + 8 + 8.
        assertEquals(17, length(3, 0, 0, 0, 0xab, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0));
    }

    @Test
    void badInstructionsAreRejected() {
        for (int op : new int[]{0xca, 0xcb, 0xe0, 0xfe, 0xff}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> length(0, op));
            assertTrue(e.getMessage().contains("not a valid instruction"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> length(0, 0xc4, 0x10, 1, 0));          // wide bipush
        assertThrows(IllegalArgumentException.class, () -> length(0, 0xc4));                       // wide at the end
        assertThrows(IllegalArgumentException.class, () -> length(0, 0xb6, 0));                   // cut-off operand
        // tableswitch with low > high, and with a range of 2^32 entries (must fail at once, not allocate or loop).
        assertThrows(IllegalArgumentException.class, () -> length(0, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> length(0, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff));
        assertTrue(huge.getMessage().contains("runs past the end of the code"), huge.getMessage());
        // lookupswitch with a negative pair count.
        assertThrows(IllegalArgumentException.class, () -> length(0, 0xab, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff));
        // switch header cut off by the end of the code.
        assertThrows(IllegalArgumentException.class, () -> length(0, 0xaa, 0, 0, 0, 0, 0));
    }

    @Test
    void classesThatDoNotNameTheApiAreNotWalked() {
        byte[] broken = new TestClassFile("t/Plain").method("m", new byte[]{(byte) 0xfe, (byte) 0xb1}).toBytes();
        ClassScan scan = SiteScanner.scanClass(broken);
        assertTrue(scan.uses().isEmpty() && scan.declarations().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ClassFileReader.walkAll(broken));
    }

    /**
     * Every method of every class of {@code java.base}: thousands of javac-compiled methods with
     * every instruction the platform uses. Each walk must end exactly at the end of its code.
     */
    @Test
    void everyMethodOfJavaBaseWalksToTheEndOfItsCode() throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int classes = 0;
        long instructions = 0;
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules/java.base"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                try {
                    instructions += ClassFileReader.walkAll(bytes);
                    SiteScanner.scanClass(bytes);
                } catch (IllegalArgumentException e) {
                    throw new AssertionError(p + ": " + e.getMessage(), e);
                }
                classes++;
            }
        }
        assertTrue(classes > 3000, "classes: " + classes);
        // On a sample, the count of instructions walked is exactly javap's.
        for (String name : List.of("java.lang.String", "java.lang.Character", "java.util.HashMap", "java.util.regex.Pattern",
                "java.util.Formatter", "java.math.BigDecimal", "java.lang.invoke.MethodHandles", "jdk.internal.math.FloatingDecimal",
                "sun.util.calendar.ZoneInfoFile", "java.util.concurrent.ConcurrentHashMap")) {
            byte[] bytes = Files.readAllBytes(jrt.getPath("/modules/java.base/" + name.replace('.', '/') + ".class"));
            assertEquals(instructionCount(javap(name)), ClassFileReader.walkAll(bytes), name);
        }
        assertTrue(instructions > 1_000_000, "instructions: " + instructions);
    }
}
