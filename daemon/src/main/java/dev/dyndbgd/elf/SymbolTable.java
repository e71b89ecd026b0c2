package dev.dyndbgd.elf;

/**
 * The object's symbol table ({@code SHT_SYMTAB}), read entry by entry on demand: a module has a few
 * thousand symbols, but the call sites point through only a handful of them (mostly section
 * symbols), so decoding the whole table would be wasted work.
 */
final class SymbolTable {
    static final int ENTRY_SIZE = 24;

    private final ElfBytes bytes;
    private final ElfSection table;
    private final ElfSection names;
    private final ElfSection extendedIndexes;   // SYMTAB_SHNDX, or null when the object has none
    private final int count;

    private SymbolTable(ElfBytes bytes, ElfSection table, ElfSection names, ElfSection extendedIndexes) {
        this.bytes = bytes;
        this.table = table;
        this.names = names;
        this.extendedIndexes = extendedIndexes;
        this.count = table.size() / ENTRY_SIZE;
    }

    static SymbolTable of(ElfBytes bytes, SectionTable sections, ElfSection table) throws MalformedModuleException {
        if (table.entrySize() != ENTRY_SIZE) {
            throw bytes.fail("symbol table " + table + " has entry size " + table.entrySize() + ", expected 24");
        }
        if (table.size() % ENTRY_SIZE != 0) {
            throw bytes.fail("symbol table " + table + " size " + table.size() + " is not a multiple of 24");
        }
        ElfSection names = sections.get(table.link(), bytes, "symbol table " + table + " sh_link");
        if (names.type() != ElfSection.SHT_STRTAB) {
            throw bytes.fail("symbol table " + table + " links to " + names + ", which is not a string table");
        }
        ElfSection shndx = sections.findLinked(ElfSection.SHT_SYMTAB_SHNDX, table.index());
        if (shndx != null && shndx.size() / 4 < table.size() / ENTRY_SIZE) {
            throw bytes.fail("extended section index table " + shndx + " is shorter than symbol table " + table);
        }
        return new SymbolTable(bytes, table, names, shndx);
    }

    int index() {
        return table.index();
    }

    int count() {
        return count;
    }

    ElfSymbol get(long index, String what) throws MalformedModuleException {
        if (index < 0 || index >= count) {
            throw bytes.fail(what + " refers to symbol " + index + ", but the symbol table has " + count);
        }
        int e = table.offset() + (int) index * ENTRY_SIZE;
        long nameOffset = bytes.u32(e);
        int info = bytes.u8(e + 4);
        long shndx = bytes.u16(e + 6);
        long value = bytes.u64(e + 8);
        boolean reserved = shndx >= ElfSymbol.SHN_LORESERVE && shndx != ElfSymbol.SHN_XINDEX;
        if (shndx == ElfSymbol.SHN_XINDEX) {
            // More sections than fit in 16 bits: the real index sits in the parallel SHNDX table.
            if (extendedIndexes == null) {
                throw bytes.fail(what + ": symbol " + index + " uses an extended section index but the object has "
                        + "no SYMTAB_SHNDX section");
            }
            shndx = bytes.u32(extendedIndexes.offset() + (int) index * 4);
        }
        return new ElfSymbol((int) index, nameOffset, info, shndx, value, reserved);
    }

    /** The symbol's name, for messages and for recognising well-known symbols. */
    String name(ElfSymbol symbol) throws MalformedModuleException {
        if (symbol.nameOffset() >= names.size()) {
            throw bytes.fail("name of symbol " + symbol.index() + " lies outside string table " + names);
        }
        int from = names.offset() + (int) symbol.nameOffset();
        int nul = bytes.indexOfNul(from, names.end());
        if (nul < 0) {
            throw bytes.fail("name of symbol " + symbol.index() + " is not NUL-terminated in " + names);
        }
        return bytes.text(from, nul);
    }
}
