package dev.dyndbgd.body;

import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written LZ4-with-dictionary codec: exact round trips, valid LZ4, and safe on bad input. */
class Lz4DictCodecTest {
    private static byte[] text(Random rnd, int n) {
        String[] words = {"usb ", "port %d ", "failed ", "drivers/usb/core/hub.c", "\n", "%s: ", "status 0x%08x ", "reset "};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < n) {
            sb.append(rnd.nextInt(4) == 0 ? String.valueOf((char) ('a' + rnd.nextInt(26))) : words[rnd.nextInt(words.length)]);
        }
        return sb.substring(0, n).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void roundTripsWithAndWithoutDictionaryAtEverySize() {
        Random rnd = new Random(1);
        Lz4DictCodec plain = new Lz4DictCodec(null);
        Lz4DictCodec dict = new Lz4DictCodec(text(new Random(2), 16384));
        for (int n = 0; n < 3000; n += 1 + n / 7) {
            byte[] raw = rnd.nextInt(5) == 0 ? new byte[n] : text(rnd, n);
            for (Lz4DictCodec c : new Lz4DictCodec[]{plain, dict}) {
                byte[] comp = c.compress(raw);
                byte[] back = new byte[raw.length];
                assertEquals(raw.length, c.decompress(comp, 0, comp.length, back, raw.length));
                assertArrayEquals(raw, back, "size " + n);
            }
        }
        byte[] random = new byte[2000];
        rnd.nextBytes(random);
        byte[] comp = dict.compress(random);
        byte[] back = new byte[random.length];
        dict.decompress(comp, 0, comp.length, back, random.length);
        assertArrayEquals(random, back, "incompressible data");
    }

    @Test
    void withoutDictionaryItIsStandardLz4() {
        byte[] raw = text(new Random(3), 5000);
        byte[] ours = new Lz4DictCodec(null).compress(raw);
        byte[] back = LZ4Factory.safeInstance().safeDecompressor().decompress(ours, raw.length);
        assertArrayEquals(raw, back, "lz4-java decodes our blocks");
    }

    @Test
    void decodesWhatLz4JavaWritesIncludingShortRepeatingPatterns() {
        // Matches that overlap their own output (a period shorter than the copy: 1-23 bytes) take
        // the decoder's byte-wise and word-wise paths; long runs take the length extensions.
        Random rnd = new Random(9);
        var lz4 = LZ4Factory.fastestInstance().highCompressor();
        Lz4DictCodec ours = new Lz4DictCodec(null);
        for (int period = 1; period < 24; period++) {
            byte[] unit = text(rnd, period);
            byte[] raw = new byte[period * 50 + rnd.nextInt(300)];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = i % 97 == 96 ? (byte) rnd.nextInt(256) : unit[i % period]; // a literal now and then
            }
            byte[] comp = lz4.compress(raw);
            byte[] back = new byte[raw.length];
            assertEquals(raw.length, ours.decompress(comp, 0, comp.length, back, raw.length));
            assertArrayEquals(raw, back, "period " + period);
        }
    }

    @Test
    void dictionaryMakesSmallBlocksSmaller() {
        byte[] dictionary = text(new Random(4), 16384);
        byte[] raw = text(new Random(5), 600);
        assertTrue(new Lz4DictCodec(dictionary).compress(raw).length < new Lz4DictCodec(null).compress(raw).length);
    }

    @Test
    void corruptInputIsRejectedNotOverrun() {
        Lz4DictCodec c = new Lz4DictCodec(text(new Random(6), 4096));
        byte[] raw = text(new Random(7), 800);
        byte[] comp = c.compress(raw);
        Random rnd = new Random(8);
        for (int round = 0; round < 20000; round++) {
            byte[] bad = Arrays.copyOf(comp, rnd.nextInt(comp.length + 1));
            if (bad.length > 0) {
                bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            byte[] out = new byte[raw.length];
            try {
                c.decompress(bad, 0, bad.length, out, raw.length);
            } catch (IllegalStateException expected) {
                // rejected with a reason: fine
            }
        }
        assertThrows(IllegalStateException.class, () -> c.decompress(new byte[]{(byte) 0xF0}, 0, 1, new byte[10], 10));
    }
}
