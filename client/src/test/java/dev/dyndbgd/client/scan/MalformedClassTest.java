package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged class files: each must end in a result or an {@link IllegalArgumentException} with a
 * message, never another exception, and never a hang or a huge allocation.
 */
class MalformedClassTest {
    @TempDir
    static Path dir;
    /** Real javac output that declares and uses sites, so every part of the reader is exercised. */
    static List<byte[]> real;

    @BeforeAll
    static void compile() throws Exception {
        Path classes = Javac.compile(dir, Map.of(
                "com/example/Shop.java", SiteScannerTest.SHOP,
                "com/example/net/Client.java", SiteScannerTest.CLIENT,
                "com/example/net/Modules.java", SiteScannerTest.MODULES,
                "com/example/Instructions.java", InstructionLengthTest.instructionsSource()));
        real = List.of(
                Files.readAllBytes(classes.resolve("com/example/Shop.class")),
                Files.readAllBytes(classes.resolve("com/example/Shop$Inner.class")),
                Files.readAllBytes(classes.resolve("com/example/net/Client.class")),
                Files.readAllBytes(classes.resolve("com/example/Instructions.class")));
        for (byte[] b : real) {
            assertFalse(SiteScanner.scanClass(b).uses().isEmpty() && SiteScanner.scanClass(b).declarations().isEmpty());
        }
    }

    /** Scans, accepting a result or an IllegalArgumentException with a message; anything else fails the test. */
    static void survives(byte[] bytes, String what) {
        try {
            SiteScanner.scanClass(bytes);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                fail(what + ": no message", e);
            }
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    static IllegalArgumentException rejected(byte[] bytes, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SiteScanner.scanClass(bytes));
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void everyTruncationIsRejected() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (byte[] b : real) {
                for (int length = 0; length < b.length; length++) {
                    byte[] cut = Arrays.copyOf(b, length);
                    int n = length;
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> SiteScanner.scanClass(cut), () -> "truncated to " + n + " of " + b.length);
                    assertFalse(e.getMessage().isBlank());
                }
            }
        });
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] b = real.get(0);
        rejected(Arrays.copyOf(b, b.length + 1), "more bytes");
    }

    @Test
    void randomBitFlipsGiveAResultOrIllegalArgument() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random random = new Random(0x5eed);
            for (byte[] b : real) {
                for (int i = 0; i < 2500; i++) {
                    byte[] damaged = b.clone();
                    int flips = 1 + random.nextInt(4);
                    StringBuilder what = new StringBuilder("flipped");
                    for (int f = 0; f < flips; f++) {
                        int at = random.nextInt(damaged.length);
                        int bit = random.nextInt(8);
                        damaged[at] ^= (byte) (1 << bit);
                        what.append(' ').append(at).append(':').append(bit);
                    }
                    survives(damaged, what.toString());
                }
            }
        });
    }

    @Test
    void everyByteSetToExtremeValuesGivesAResultOrIllegalArgument() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (byte[] b : real.subList(0, 3)) {
                for (int at = 0; at < b.length; at++) {
                    for (int value : new int[]{0x00, 0x01, 0x7f, 0x80, 0xff}) {
                        byte[] damaged = b.clone();
                        damaged[at] = (byte) value;
                        survives(damaged, "byte " + at + " set to " + value);
                    }
                }
            }
        });
    }

    @Test
    void randomBytesAfterAValidMagic() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Random random = new Random(42);
            for (int i = 0; i < 5000; i++) {
                byte[] b = new byte[8 + random.nextInt(200)];
                random.nextBytes(b);
                b[0] = (byte) 0xca;
                b[1] = (byte) 0xfe;
                b[2] = (byte) 0xba;
                b[3] = (byte) 0xbe;
                survives(b, "random " + i);
            }
        });
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void headerAndConstantPoolDamage() {
        rejected(null, "no bytes");
        rejected(new byte[0], "magic");
        rejected(hex("cafebab0 0000 003d"), "magic");
        rejected(hex("cafebabe 0000 003d 0000"), "constant_pool_count is 0");
        rejected(hex("cafebabe 0000 003d 0002 63"), "unknown tag 99");
        rejected(hex("cafebabe 0000 003d 0002 05 0000000000000001"), "Long or Double in the last slot");
        rejected(hex("cafebabe 0000 003d 0003 01 ffff"), "constant pool entry #1");
        // this_class points at a Utf8 entry instead of a Class entry.
        rejected(hex("cafebabe 0000 003d 0002 01 0001 41 0021 0001 0000 0000 0000 0000 0000"), "should be Class");
        // this_class index beyond the pool.
        rejected(hex("cafebabe 0000 003d 0002 01 0001 41 0021 0009 0000 0000 0000 0000 0000"), "outside 1..1");
        // A Class naming a Utf8 that is not modified UTF-8.
        rejected(hex("cafebabe 0000 003d 0003 01 0001 ff 07 0001 0021 0002 0000 0000 0000 0000 0000"), "not modified UTF-8");
        // The same, well formed: a class A with no superclass, members or attributes.
        ClassScan a = SiteScanner.scanClass(hex("cafebabe 0000 003d 0003 01 0001 41 07 0001 0021 0002 0000 0000 0000 0000 0000"));
        assertEquals("A", a.name());
        assertEquals("A.java", a.file());
        // A field attribute claiming 4 GiB.
        rejected(hex("cafebabe 0000 003d 0003 01 0001 41 07 0001 0021 0002 0000 0000 0001 0000 0001 0001 0001 0001 ffffffff"),
                "runs past the end of the file");
    }

    /** A class that names the API (so its code is walked) with one method of the given code. */
    static TestClassFile related() {
        TestClassFile cf = new TestClassFile("t/Bad");
        cf.field("t/Bad", "S", DebugApi.DEBUG_SITE_TYPE);
        return cf;
    }

    @Test
    void codeDamage() {
        rejected(related().method("m", new byte[0]).toBytes(), "code_length 0");
        rejected(related().method("m", new byte[]{(byte) 0xfe}).toBytes(), "not a valid instruction");
        rejected(related().method("m", new byte[]{0x10}).toBytes(), "runs past the end of the code");
        rejected(related().method("m", new byte[]{(byte) 0xb1}, 5, 1).toBytes(), "outside its code");
        // GETSTATIC through a constant that is not a Fieldref.
        TestClassFile cf = related();
        int utf8 = cf.utf8("x");
        rejected(cf.method("m", new byte[]{(byte) 0xb2, (byte) (utf8 >> 8), (byte) utf8, (byte) 0xb1}).toBytes(), "member reference");
        // LDC beyond the pool.
        rejected(related().method("m", new byte[]{0x12, 0x7f, (byte) 0xb1}).toBytes(), "outside 1..");
        // LDC of the unusable slot after a Long is not a string: no site, no error (only strings are read).
        TestClassFile longs = related();
        int l = longs.longConstant(7);
        assertTrue(SiteScanner.scanClass(longs.method("m", new byte[]{0x12, (byte) (l + 1), (byte) 0xb1}).toBytes())
                .declarations().isEmpty());
    }

    @Test
    void codeAttributeLengthMustMatchItsContents() {
        byte[] ok = related().method("m", new byte[]{(byte) 0xb1}).toBytes();
        SiteScanner.scanClass(ok);
        // Find the Code attribute's length (u4) just before max_stack = 8, max_locals = 8, code_length = 1.
        byte[] pattern = hex("0008 0008 00000001 b1");
        int at = indexOf(ok, pattern);
        assertTrue(at > 4);
        byte[] longer = ok.clone();
        longer[at - 1]++;
        survives(longer, "Code length + 1");
        assertThrows(IllegalArgumentException.class, () -> SiteScanner.scanClass(longer));
        byte[] shorter = ok.clone();
        shorter[at - 1]--;
        assertThrows(IllegalArgumentException.class, () -> SiteScanner.scanClass(shorter));
        byte[] codeTooLong = ok.clone();
        codeTooLong[at + 7] = 100;
        rejected(codeTooLong, "does not fit its Code attribute");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
