package dev.dyndbgd.body;

import dev.dyndbgd.table.SiteBody;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinnedBodiesTest {
    private static SiteBody body(int i) {
        return new SiteBody("f" + i + ".c", "fn" + i, "format\t" + i + "\n", 1000 + i);
    }

    @Test
    void keepsBodiesByIndexAndAnswersRanges() {
        PinnedBodies p = new PinnedBodies();
        for (int i : new int[]{7, 3, 4, 5, 10}) {
            p.put(i, body(i));
        }
        p.put(4, body(99)); // already there: unchanged
        assertEquals(5, p.size());
        assertEquals(body(4), p.get(4));
        assertNull(p.get(6));
        assertTrue(p.containsAll(3, 6));
        assertFalse(p.containsAll(3, 7), "6 is missing");
        assertFalse(p.containsAll(9, 11));
        assertTrue(p.containsAll(10, 11));
        assertFalse(p.containsAll(10, 12), "past the last");
        p.remove(4);
        assertFalse(p.containsAll(3, 6));
        assertNull(p.get(4));
        for (int i : new int[]{3, 5, 7, 10}) {
            p.remove(i);
        }
        assertEquals(0, p.size());
        assertEquals(new PinnedBodies().bytes(), p.bytes(), "nothing left but the empty holder");
    }
}
