package dev.dyndbgd.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkDefragmenterTest {

    /**
     * Huge objects take one page each, so 2.5 chunks' worth fill chunks 0 and 1 and half of chunk 2.
     * Keeping half a chunk's worth in chunk 0 and in chunk 2 empties chunk 1 (given back at once, no
     * spare is kept) and leaves chunk 2 worth emptying into chunk 0; a mapped object in chunk 2
     * prevents that until unmapped.
     */
    @Test
    void livePagesMoveDownSoAHighChunkIsGivenBackButNotWhileMapped() {
        try (ZsPool pool = new ZsPool("defrag")) {
            int p = PageStore.PAGES_PER_CHUNK;
            int half = p / 2;
            long[] hs = new long[2 * p + half];
            for (int i = 0; i < hs.length; i++) {
                hs[i] = pool.malloc(4096);
                pool.write(hs[i], 0, TestData.bytes(i, 4096), 0, 4096);
            }
            assertEquals(3, pool.chunksHeld());
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < hs.length; i++) {
                if (i < half || i >= 2 * p) {
                    kept.add(i);
                } else {
                    pool.free(hs[i]);
                }
            }
            assertEquals(p, pool.totalPages());
            assertEquals(2 + PageStore.SPARE_CHUNKS, pool.chunksHeld()); // chunk 1 emptied
            long oldObj = pool.objWord(hs[2 * p + 1]);
            assertEquals(2, Handles.pageId(oldObj) >>> PageStore.CHUNK_SHIFT);

            Mapping pinned = pool.map(hs[2 * p], MapMode.READ_ONLY);
            assertEquals(0, pool.compact());
            assertEquals(2 + PageStore.SPARE_CHUNKS, pool.chunksHeld(), "the mapped page stays, so chunk 2 cannot go");
            byte[] viaMap = new byte[4096];
            pinned.buffer().get(viaMap);
            assertArrayEquals(TestData.bytes(2 * p, 4096), viaMap);
            pinned.close();

            assertEquals(0, pool.compact()); // no zspage freed: totalPages unchanged
            assertEquals(p, pool.totalPages());
            assertEquals(1 + PageStore.SPARE_CHUNKS, pool.chunksHeld());
            assertTrue(pool.pagesMoved() >= half);
            assertTrue(pool.objWord(hs[2 * p + 1]) != oldObj, "handle re-pointed at the new page");
            for (int i : kept) {
                byte[] got = new byte[4096];
                pool.read(hs[i], 0, got, 0, 4096);
                assertArrayEquals(TestData.bytes(i, 4096), got, "object " + i);
                assertEquals(Handles.header(hs[i]), pool.rawHeader(hs[i]));
            }
        }
    }

    @Test
    void movedMultiPageZspagesKeepSpanningObjectsIntact() {
        try (ZsPool pool = new ZsPool("defrag2")) {
            // class 7: 144-byte objects on 7-page zspages; 199 per zspage, many span pages
            List<long[]> all = new ArrayList<>();
            for (int i = 0; i < 199 * 80; i++) { // 80 zspages = 560 pages, many chunks
                long h = pool.malloc(136);
                pool.write(h, 0, TestData.bytes(i, 136), 0, 136);
                all.add(new long[] {h, i});
            }
            List<long[]> kept = new ArrayList<>();
            for (long[] e : all) {
                int zspage = (int) e[1] / 199;
                if (zspage == 0 || zspage == 79) {
                    kept.add(e);
                } else {
                    pool.free(e[0]);
                }
            }
            assertEquals(14, pool.totalPages());
            pool.compact();
            assertEquals(14, pool.totalPages()); // both zspages are full: nothing to compact
            int p = PageStore.PAGES_PER_CHUNK;
            assertEquals((14 + p - 1) / p + PageStore.SPARE_CHUNKS, pool.chunksHeld(), "live pages packed down");
            assertTrue(pool.pagesMoved() > 0, "the last zspage's pages moved down a chunk");
            for (long[] e : kept) {
                byte[] got = new byte[136];
                pool.read(e[0], 0, got, 0, 136);
                assertArrayEquals(TestData.bytes((int) e[1], 136), got);
            }
        }
    }
}
