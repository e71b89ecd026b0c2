package dev.dyndbgd.body;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A load that a dictionary follows compresses its first pass fast: every block is compressed
 * again once the dictionary is trained, so what is kept is exactly what a level-19 first pass
 * would have left, with or without a dictionary in the end.
 */
class FirstPassTest {
    private static long storedAfterTraining(PooledBodies bodies, int modules, int sitesEach) {
        for (int m = 0; m < modules; m++) {
            bodies.create("mod" + m, PooledBodiesTest.awkwardSites(sitesEach, m));
        }
        bodies.trainDictionary(16 * 1024);
        return bodies.stats().storedBytes();
    }

    @Test
    void aFastFirstPassEndsAsALevel19OneWithTheDictionary() {
        try (PooledBodies slow = BodyStores.pooled("zstd", 32); PooledBodies fast = BodyStores.pooledUntilTrained("zstd", 32)) {
            long expected = storedAfterTraining(slow, 40, 100);
            assertTrue(slow.codec() instanceof ZstdDictCodec z && z.hasDictionary(), "a dictionary was trained");
            assertEquals(expected, storedAfterTraining(fast, 40, 100));
            assertEquals(slow.stats().blocks(), fast.stats().blocks());
        }
    }

    @Test
    void withoutADictionaryAfterAllTheBlocksAreCompressedForGood() {
        try (PooledBodies slow = BodyStores.pooled("zstd", 32); PooledBodies fast = BodyStores.pooledUntilTrained("zstd", 32)) {
            // Too few blocks for zstd's trainer: no dictionary, and the first pass must not stay.
            long expected = storedAfterTraining(slow, 1, 40);
            long firstPass;
            fast.create("mod0", PooledBodiesTest.awkwardSites(40, 0));
            firstPass = fast.stats().storedBytes();
            fast.trainDictionary(16 * 1024);
            assertTrue(firstPass > expected, "level 1 keeps more than level 19: " + firstPass + " vs " + expected);
            assertEquals(expected, fast.stats().storedBytes());
        }
    }
}
