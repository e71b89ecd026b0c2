package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoundTripTest {

    @ParameterizedTest(name = "chain {0}")
    @ValueSource(ints = {4, 8, 16})
    void randomSizesRoundTripThroughWriteReadAndMappings(int chain) {
        Random rnd = new Random(42 + chain);
        try (ZsPool pool = new ZsPool("rt", chain)) {
            int n = 2500;
            long[] handles = new long[n];
            int[] lens = new int[n];
            int spanning = 0;
            int huge = 0;
            for (int i = 0; i < n; i++) {
                int len = i % 10 == 0 ? 3600 + rnd.nextInt(497) : 1 + rnd.nextInt(4096);
                long h = pool.malloc(len);
                handles[i] = h;
                lens[i] = len;
                if (i % 2 == 0) {
                    pool.write(h, 0, TestData.bytes(i, len), 0, len);
                } else {
                    try (Mapping m = pool.map(h, MapMode.WRITE_ONLY)) {
                        assertEquals(pool.usableSize(h), m.buffer().limit());
                        m.buffer().put(TestData.bytes(i, len));
                        if (m.spansPages()) {
                            spanning++;
                        }
                    }
                }
                if (pool.usableSize(h) == 4096) {
                    huge++;
                }
            }
            assertTrue(spanning > 100, "page-spanning objects exercised: " + spanning);
            assertTrue(huge > 100, "huge objects exercised: " + huge);
            for (int i = 0; i < n; i++) {
                long h = handles[i];
                byte[] expect = TestData.bytes(i, lens[i]);
                byte[] got = new byte[lens[i]];
                pool.read(h, 0, got, 0, lens[i]);
                assertArrayEquals(expect, got, "read " + i);
                try (Mapping m = pool.map(h, MapMode.READ_ONLY)) {
                    ByteBuffer b = m.buffer();
                    assertEquals(0, b.position());
                    assertTrue(b.isReadOnly());
                    byte[] viaMap = new byte[lens[i]];
                    b.get(viaMap);
                    assertArrayEquals(expect, viaMap, "map " + i);
                }
                if (pool.usableSize(h) != 4096) {
                    assertEquals(Handles.header(h), pool.rawHeader(h), "header " + i);
                }
            }
            for (long h : handles) {
                pool.free(h);
            }
            assertEquals(0, pool.totalPages());
            assertEquals(0, pool.objectsInUse());
        }
    }

    @Test
    void fullUsableWritesNeverClobberTheHeaderEvenWhenSpanning() {
        try (ZsPool pool = new ZsPool("hdr")) {
            // class 7 (144 bytes, 7 pages): object 28 starts at 4032 and spans pages 0 and 1
            List<Long> hs = new ArrayList<>();
            long spanningHandle = 0;
            for (int i = 0; i < 199; i++) {
                long h = pool.malloc(136);
                hs.add(h);
                try (Mapping m = pool.map(h, MapMode.WRITE_ONLY)) {
                    ByteBuffer b = m.buffer();
                    while (b.hasRemaining()) {
                        b.put((byte) 0xFF);
                    }
                    if (m.spansPages() && spanningHandle == 0) {
                        spanningHandle = h;
                    }
                }
            }
            assertTrue(spanningHandle != 0);
            assertEquals(28, Handles.objIndex(pool.objWord(spanningHandle)));
            for (long h : hs) {
                assertEquals(Handles.header(h), pool.rawHeader(h));
            }
            // READ_WRITE on a spanning object copies in and back
            try (Mapping m = pool.map(spanningHandle, MapMode.READ_WRITE)) {
                assertTrue(m.spansPages());
                assertEquals((byte) 0xFF, m.buffer().get(135));
                m.buffer().put(0, (byte) 7).put(135, (byte) 9);
            }
            byte[] got = new byte[136];
            pool.read(spanningHandle, 0, got, 0, 136);
            assertEquals(7, got[0]);
            assertEquals(9, got[135]);
            assertEquals((byte) 0xFF, got[1]);
            // READ_ONLY: writes are refused rather than silently dropped
            try (Mapping m = pool.map(spanningHandle, MapMode.READ_ONLY)) {
                assertThrows(ReadOnlyBufferException.class, () -> m.buffer().put(0, (byte) 1));
            }
            // a neighbour's header is intact after all this
            for (long h : hs) {
                assertEquals(Handles.header(h), pool.rawHeader(h));
            }
        }
    }

    @Test
    void spanningMappingsDoNotNestButDirectOnesMay() {
        try (ZsPool pool = new ZsPool("nest")) {
            long[] hs = new long[199];
            for (int i = 0; i < hs.length; i++) {
                hs[i] = pool.malloc(136);
            }
            long spanA = hs[28]; // starts at 4032 of page 0
            long spanB = hs[56]; // 56 * 144 = 8064: starts at 3968 of page 1, spans into page 2
            long direct = hs[0];
            Mapping a = pool.map(spanA, MapMode.READ_WRITE);
            assertTrue(a.spansPages());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.map(spanB, MapMode.READ_ONLY));
            assertTrue(e.getMessage().contains("spanning"), e.getMessage());
            try (Mapping d = pool.map(direct, MapMode.READ_ONLY)) {
                assertFalse(d.spansPages());
            }
            pool.unmap(a);
            assertThrows(IllegalStateException.class, () -> pool.unmap(a));
            assertThrows(IllegalStateException.class, a::buffer);
            try (Mapping b = pool.map(spanB, MapMode.READ_ONLY)) {
                assertTrue(b.spansPages());
            }
        }
    }

    @Test
    void readAndWriteCheckTheirRange() {
        try (ZsPool pool = new ZsPool("range")) {
            long h = pool.malloc(20); // usable 24
            byte[] buf = new byte[30];
            pool.write(h, 20, buf, 0, 4);
            assertThrows(IndexOutOfBoundsException.class, () -> pool.write(h, 20, buf, 0, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> pool.read(h, -1, buf, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> pool.read(h, 0, buf, 25, 10));
        }
    }

    @Test
    void freeSlotsAreReusedLastInFirstOut() {
        try (ZsPool pool = new ZsPool("lifo")) {
            long a = pool.malloc(24);
            long b = pool.malloc(24);
            long c = pool.malloc(24);
            long objA = pool.objWord(a);
            long objB = pool.objWord(b);
            long objC = pool.objWord(c);
            assertEquals(0, Handles.objIndex(objA));
            assertEquals(1, Handles.objIndex(objB));
            assertEquals(2, Handles.objIndex(objC));
            pool.free(b);
            long d = pool.malloc(24);
            assertEquals(objB, pool.objWord(d));
            pool.free(c);
            pool.free(a);
            assertEquals(objA, pool.objWord(pool.malloc(24))); // last freed first
            assertEquals(objC, pool.objWord(pool.malloc(24)));
            assertEquals(3, Handles.objIndex(pool.objWord(pool.malloc(24)))); // then fresh slots
        }
    }
}
