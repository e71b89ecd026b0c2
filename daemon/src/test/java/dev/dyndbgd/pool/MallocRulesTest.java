package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MallocRulesTest {

    /** Expected nominal index by the spec's words: max(32, roundup16(p + 8)), clamped to 254. */
    private static int expectedNominal(int payload) {
        int s = payload + 8;
        int rounded = Math.max(32, (s + 15) / 16 * 16);
        return Math.min(254, (rounded - 32) / 16);
    }

    @Test
    void everyPayloadLandsInTheRepresentativeOfItsRoundedNominalClass() {
        try (ZsPool pool = new ZsPool("rules")) {
            SizeClassTable t = pool.table();
            for (int p = 1; p <= 4096; p++) {
                int rep = t.representativeOf(expectedNominal(p));
                assertEquals(rep, pool.classIndexFor(p), "payload " + p);
                assertTrue(t.size(rep) >= Math.min(4096, p + 8) || t.isHuge(rep), "fits " + p);
            }
        }
    }

    @Test
    void usableSizeIsClassSizeMinusHeaderOrAPageForHuge() {
        try (ZsPool pool = new ZsPool("usable")) {
            assertEquals(24, pool.usableSize(pool.malloc(1)));
            assertEquals(24, pool.usableSize(pool.malloc(24)));
            assertEquals(40, pool.usableSize(pool.malloc(25)));
            assertEquals(3624, pool.usableSize(pool.malloc(3624))); // class 225 (3632)
            assertEquals(4096, pool.usableSize(pool.malloc(3625))); // huge_class_size -> huge
            assertEquals(4096, pool.usableSize(pool.malloc(4088)));
            assertEquals(4096, pool.usableSize(pool.malloc(4089))); // +8 overflows, clamped to 254
            assertEquals(4096, pool.usableSize(pool.malloc(4096)));
            assertEquals(3625, pool.hugeClassSize());
            assertEquals(254, pool.classIndexFor(3625));
            assertEquals(225, pool.classIndexFor(3624));
            assertEquals(0, pool.lookupClassIndex(32));
            assertEquals(1, pool.lookupClassIndex(33));
        }
    }

    @Test
    void rejectsZeroNegativeAndMoreThanAPageWithAReason() {
        try (ZsPool pool = new ZsPool("bad")) {
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> pool.malloc(0));
            assertTrue(zero.getMessage().contains("at least 1"), zero.getMessage());
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> pool.malloc(4097));
            assertTrue(big.getMessage().contains("4096"), big.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.malloc(-5));
            assertEquals(0, pool.totalPages());
            assertEquals(0, pool.objectsInUse());
        }
    }

    @Test
    void handlesArePositiveAndFreeRejectsBadOrDoubleFrees() {
        try (ZsPool pool = new ZsPool("free")) {
            long a = pool.malloc(100);
            assertTrue(a > 0);
            pool.free(0); // ignored
            pool.free(a);
            IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> pool.free(a));
            assertTrue(again.getMessage().contains("not live"), again.getMessage());
            // the slot is reused, but the stale handle still does not match
            long b = pool.malloc(100);
            assertEquals(Handles.slot(a), Handles.slot(b));
            assertTrue(a != b);
            assertThrows(IllegalArgumentException.class, () -> pool.free(a));
            assertThrows(IllegalArgumentException.class, () -> pool.free(-1));
            assertThrows(IllegalArgumentException.class, () -> pool.free(12345));
            assertThrows(IllegalArgumentException.class, () -> pool.usableSize(a));
            assertEquals(1, pool.objectsInUse());
            pool.free(b);
            assertEquals(0, pool.objectsInUse());
            assertEquals(0, pool.totalPages());
        }
    }

    @Test
    void closedPoolRefusesWork() {
        ZsPool pool = new ZsPool("closed");
        long h = pool.malloc(10);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.malloc(10));
        assertThrows(IllegalStateException.class, () -> pool.free(h));
        assertEquals(0, pool.totalPages());
        assertEquals(0, pool.residentBytes() / 4096 / 256); // no chunk held
        pool.close(); // idempotent
    }
}
