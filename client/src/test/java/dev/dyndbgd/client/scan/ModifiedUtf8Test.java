package dev.dyndbgd.client.scan;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder against the JDK's own modified UTF-8: DataOutputStream.writeUTF and DataInputStream.readUTF. */
class ModifiedUtf8Test {
    static byte[] encode(String s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new DataOutputStream(b).writeUTF(s);
        byte[] all = b.toByteArray();
        byte[] body = new byte[all.length - 2];
        System.arraycopy(all, 2, body, 0, body.length);
        return body;
    }

    static String decode(byte[] b) {
        return ModifiedUtf8.decode(b, 0, b.length, "test");
    }

    /** What readUTF makes of {@code body}, or null when it rejects it. */
    static String reference(byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeShort(body.length);
        out.write(body);
        try {
            return new DataInputStream(new ByteArrayInputStream(b.toByteArray())).readUTF();
        } catch (java.io.UTFDataFormatException e) {
            return null;
        }
    }

    @Test
    void specialCharacters() throws IOException {
        assertArrayEquals(new byte[]{(byte) 0xc0, (byte) 0x80}, encode("\0"));
        assertEquals("\0", decode(new byte[]{(byte) 0xc0, (byte) 0x80}));
        // U+1D11E as two three-byte surrogates, not one four-byte sequence.
        byte[] clef = encode("\uD834\uDD1E");
        assertEquals(6, clef.length);
        assertEquals("\uD834\uDD1E", decode(clef));
        assertEquals(0x1D11E, decode(clef).codePointAt(0));
        assertEquals("\uD800", decode(encode("\uD800")));
        assertEquals("a\u00e9\u4e2d\uffff", decode(encode("a\u00e9\u4e2d\uffff")));
        assertEquals("", decode(new byte[0]));
    }

    @Test
    void malformedSequencesAreRejected() {
        byte[][] bad = {
                {(byte) 0xf0, (byte) 0x9d, (byte) 0x84, (byte) 0x9e},  // standard UTF-8 four-byte form
                {(byte) 0x80},                                         // continuation without a lead
                {(byte) 0xc3},                                         // cut-off two-byte
                {(byte) 0xe4, (byte) 0xb8},                            // cut-off three-byte
                {(byte) 0xc3, (byte) 0x41},                            // bad continuation
                {(byte) 0xff},
        };
        for (byte[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decode(b));
            assertTrue(e.getMessage().contains("not modified UTF-8"), e.getMessage());
        }
    }

    @Test
    void agreesWithDataInputStreamOnRandomBytesAndStrings() throws IOException {
        Random random = new Random(20240611);
        for (int i = 0; i < 20000; i++) {
            byte[] body = new byte[random.nextInt(12)];
            random.nextBytes(body);
            String expected = reference(body);
            if (expected == null) {
                assertThrows(IllegalArgumentException.class, () -> decode(body));
            } else {
                assertEquals(expected, decode(body));
            }
            char[] chars = new char[random.nextInt(10)];
            for (int k = 0; k < chars.length; k++) {
                chars[k] = (char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000));
            }
            String s = new String(chars);
            assertEquals(s, decode(encode(s)));
        }
    }

    @Test
    void decodesInsideALargerArray() throws IOException {
        byte[] inner = encode("x\u00e9y");
        byte[] padded = new byte[inner.length + 4];
        System.arraycopy(inner, 0, padded, 2, inner.length);
        padded[0] = (byte) 0xff;
        padded[padded.length - 1] = (byte) 0xff;
        assertEquals("x\u00e9y", ModifiedUtf8.decode(padded, 2, inner.length, "test"));
    }
}
