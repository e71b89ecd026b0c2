package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidentBytesTest {

    @Test
    void residentBytesCountsHeldChunksAndDropsAfterFreeAndCompact() {
        Random rnd = new Random(3);
        try (ZsPool pool = new ZsPool("resident")) {
            long empty = pool.residentBytes();
            assertTrue(empty < 256 * 1024, "an empty pool holds no pages: " + empty);
            List<Long> hs = new ArrayList<>();
            for (int i = 0; i < 40_000; i++) {
                hs.add(pool.malloc(1 + rnd.nextInt(200)));
            }
            long full = pool.residentBytes();
            long pageBytes = pool.totalPages() * 4096;
            assertTrue(full >= pageBytes, full + " >= " + pageBytes);
            assertTrue(pool.chunksHeld() >= 2);
            // held chunks are whole buffers, so at most one chunk's worth of slack + metadata
            assertTrue(full < pageBytes + PageStore.PAGES_PER_CHUNK * 4096L + 2_000_000, "full " + full);

            List<Long> kept = new ArrayList<>();
            for (long h : hs) {
                if (rnd.nextInt(10) < 8) {
                    pool.free(h);
                } else {
                    kept.add(h);
                }
            }
            long freedOnly = pool.residentBytes();
            assertTrue(pool.compact() > 0);
            long compacted = pool.residentBytes();
            assertTrue(compacted < full, compacted + " < " + full);
            assertTrue(compacted <= freedOnly);
            long needed = (pool.totalPages() + PageStore.PAGES_PER_CHUNK - 1) / PageStore.PAGES_PER_CHUNK;
            assertTrue(pool.chunksHeld() <= needed + 1, "live pages packed into few chunks: " + pool.chunksHeld()
                    + " held for " + pool.totalPages() + " pages");

            for (long h : kept) {
                pool.free(h);
            }
            assertEquals(0, pool.totalPages());
            assertTrue(pool.chunksHeld() <= 1, "one idle chunk kept at most");
        }
    }
}
