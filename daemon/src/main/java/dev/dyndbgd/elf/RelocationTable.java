package dev.dyndbgd.elf;

import java.util.Arrays;
import java.util.List;

/**
 * All RELA entries that patch one target section, indexed by the offset they patch.
 *
 * <p>In a relocatable object every pointer in data is zero in the section bytes; the real target is
 * only known from the relocation at that offset. Lookups are by exact offset, so entries are kept
 * sorted and searched with binary search: linkers emit them in offset order already, and sorting is
 * skipped when they are.
 */
final class RelocationTable {
    static final int ENTRY_SIZE = 24;

    private final ElfSection target;
    private final long[] offsets;
    private final long[] infos;
    private final long[] addends;

    private RelocationTable(ElfSection target, long[] offsets, long[] infos, long[] addends) {
        this.target = target;
        this.offsets = offsets;
        this.infos = infos;
        this.addends = addends;
    }

    /**
     * Reads the relocation sections that target {@code target}. Entries are checked against the
     * target's size and the symbol table's length here, once, so lookups can trust them.
     */
    static RelocationTable read(ElfBytes bytes, List<ElfSection> relocationSections, ElfSection target,
                                SymbolTable symbols) throws MalformedModuleException {
        long total = 0;
        for (ElfSection rela : relocationSections) {
            if (rela.type() == ElfSection.SHT_REL) {
                throw bytes.fail(rela + " uses REL relocations, but x86-64 objects carry addends (RELA)");
            }
            if (rela.entrySize() != ENTRY_SIZE) {
                throw bytes.fail("relocation section " + rela + " has entry size " + rela.entrySize() + ", expected 24");
            }
            if (rela.size() % ENTRY_SIZE != 0) {
                throw bytes.fail("relocation section " + rela + " size " + rela.size() + " is not a multiple of 24");
            }
            if (rela.link() != symbols.index()) {
                throw bytes.fail("relocation section " + rela + " uses symbol table index " + rela.link()
                        + ", not the object's symbol table (index " + symbols.index() + ")");
            }
            total += rela.size() / ENTRY_SIZE;
        }
        // Each section lies inside the file, but several could overlap, and other targets' tables
        // could cover the same bytes again; the shared budget keeps the total allocated here bounded
        // by the file size (three longs per 24-byte entry).
        bytes.charge(total * ENTRY_SIZE, "relocation tables");
        long[] offsets = new long[(int) total];
        long[] infos = new long[(int) total];
        long[] addends = new long[(int) total];
        int n = 0;
        boolean sorted = true;
        for (ElfSection rela : relocationSections) {
            for (int e = rela.offset(); e < rela.end(); e += ENTRY_SIZE, n++) {
                long offset = bytes.u64(e);
                long info = bytes.u64(e + 8);
                int type = (int) info;
                long width = type == Relocation.R_X86_64_64 ? 8 : 1;
                if (offset < 0 || offset > target.size() - width) {
                    throw bytes.fail("relocation " + n + " in " + rela + " at offset 0x" + Long.toHexString(offset)
                            + " lies outside " + target + " (" + target.size() + " bytes)");
                }
                long symbol = info >>> 32;
                if (symbol >= symbols.count()) {
                    throw bytes.fail("relocation " + n + " in " + rela + " refers to symbol " + symbol
                            + ", but the symbol table has " + symbols.count());
                }
                offsets[n] = offset;
                infos[n] = info;
                addends[n] = bytes.u64(e + 16);
                sorted &= n == 0 || offsets[n - 1] <= offset;
            }
        }
        if (!sorted) {
            sortByOffset(offsets, infos, addends);
        }
        return new RelocationTable(target, offsets, infos, addends);
    }

    /**
     * Sorts the three parallel arrays by offset without boxing: each key packs the offset (below 2^31,
     * since it lies inside the file) above the original position (below 2^27, since each entry takes
     * 24 file bytes), so a plain {@code long[]} sort yields the permutation.
     */
    private static void sortByOffset(long[] offsets, long[] infos, long[] addends) {
        int n = offsets.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (offsets[i] << 27) | i;
        }
        Arrays.sort(keys);
        long[] oldInfos = infos.clone();
        long[] oldAddends = addends.clone();
        for (int i = 0; i < n; i++) {
            int from = (int) (keys[i] & ((1 << 27) - 1));
            offsets[i] = keys[i] >>> 27;
            infos[i] = oldInfos[from];
            addends[i] = oldAddends[from];
        }
    }

    int size() {
        return offsets.length;
    }

    /**
     * The relocation that patches exactly {@code offset}, or null when there is none. Two relocations
     * for one offset would make the pointer's value depend on application order, so that is an error.
     */
    Relocation at(long offset, ElfBytes bytes) throws MalformedModuleException {
        int i = Arrays.binarySearch(offsets, offset);
        if (i < 0) {
            return null;
        }
        if ((i > 0 && offsets[i - 1] == offset) || (i + 1 < offsets.length && offsets[i + 1] == offset)) {
            throw bytes.fail("two relocations patch offset 0x" + Long.toHexString(offset) + " of " + target);
        }
        return new Relocation(offset, (int) infos[i], infos[i] >>> 32, addends[i]);
    }

    /** Whether any relocation patches exactly {@code offset}. */
    boolean has(long offset) {
        return Arrays.binarySearch(offsets, offset) >= 0;
    }
}
