package dev.dyndbgd.table;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The heads: one byte a site unless a site is classed, and the same answers either way. */
class ModuleTableTest {
    private static List<SiteRecord> sites(int n, int classedAt) {
        List<SiteRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new SiteRecord("f.c", "fn", "fmt " + i, i + 1, i == classedAt ? 5 : SiteRecord.CLASS_DEFAULT,
                    i % 3 == 0 ? Flags.PRINT : 0));
        }
        return out;
    }

    private static ModuleTable table(String name, List<SiteRecord> sites) {
        return new TableRegistry(HeapBodyStore.factory(), new DyndbgLog(0)).add(new ModuleImage(name, sites, List.of())).orElseThrow();
    }

    @Test
    void classedOrNotEverySiteReadsBackAndFlagsChangeInPlace() {
        for (int classedAt : new int[]{-1, 0, 99}) {
            List<SiteRecord> sites = sites(100, classedAt);
            ModuleTable t = table("m", sites);
            assertEquals(100, t.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(sites.get(i).classId(), t.classId(i), "class of site " + i);
                assertEquals(sites.get(i).flags(), t.flags(i), "flags of site " + i);
            }
            t.setFlags(42, Flags.PRINT | Flags.INCL_MODNAME);
            assertEquals(Flags.PRINT | Flags.INCL_MODNAME, t.flags(42));
            assertEquals(sites.get(43).flags(), t.flags(43), "a neighbour keeps its flags");
            assertEquals(classedAt == 99 ? 5 : SiteRecord.CLASS_DEFAULT, t.classId(99));
            assertThrows(IndexOutOfBoundsException.class, () -> t.classId(100));
        }
    }

    @Test
    void headsAreOneByteASiteWithoutClassedSites() {
        long plain = table("m", sites(800, -1)).heapBytes();
        long classed = table("m", sites(800, 7)).heapBytes();
        assertEquals(800, classed - plain, "a class id byte per site only when some site is classed");
    }
}
