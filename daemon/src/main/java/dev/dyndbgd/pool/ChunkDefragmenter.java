package dev.dyndbgd.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives whole chunks back after compaction. Compaction frees zspages but leaves the survivors
 * wherever their pages happen to be, typically a few pages in every chunk; this moves the live
 * pages of the highest chunk into free pages of lower chunks (one page at a time under its
 * class's write lock, as the kernel's page migration does for zsmalloc pages) until the pool
 * holds no more chunks than its live pages need. A pinned (mapped) zspage is left alone and ends
 * the pass, so an open mapping's buffer never moves.
 */
final class ChunkDefragmenter {
    private final PageStore pages;

    ChunkDefragmenter(PageStore pages) {
        this.pages = pages;
    }

    /** Returns the number of pages moved. */
    long run() {
        long moved = 0;
        int slot;
        while ((slot = pages.evacuationCandidate()) >= 0) {
            List<ZsPage> owners = new ArrayList<>();
            int[] ids = pages.livePages(slot, owners);
            long movedHere = 0;
            for (int k = 0; k < ids.length; k++) {
                int r = moveOne(ids[k], owners.get(k), slot);
                if (r < 0) {
                    return moved + movedHere;
                }
                movedHere += r;
            }
            moved += movedHere;
            if (movedHere == 0) {
                break; // concurrent allocations keep refilling it: try again next compaction
            }
        }
        return moved;
    }

    /** 1 if moved, 0 if the page changed hands meanwhile (nothing to do), -1 to stop the pass. */
    private int moveOne(int pageId, ZsPage z, int slot) {
        SizeClass c = z.sizeClass;
        long stamp = c.lock.write();
        try {
            if (pages.owner(pageId) != z) {
                return 0; // freed (and maybe reused) since the snapshot
            }
            if (z.pinned()) {
                return -1;
            }
            int chainPos = indexOf(z.pageIds, pageId);
            int target = pages.allocateBelow(slot, z);
            if (target < 0) {
                return -1;
            }
            c.movePage(z, chainPos, target);
            pages.release(new int[] {pageId});
            return 1;
        } finally {
            c.lock.unlockWrite(stamp);
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalStateException("page " + v + " not in its zspage's chain");
    }
}
