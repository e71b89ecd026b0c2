package dev.dyndbgd.elf;

/**
 * One section header. Offsets and sizes are already checked to lie inside the file (except for
 * {@code SHT_NOBITS} sections, which occupy no file space), so they fit in an {@code int}.
 *
 * @param index  position in the section header table
 * @param name   name from the section name table
 * @param type   {@code sh_type}
 * @param flags  {@code sh_flags}
 * @param offset file offset of the contents
 * @param size   size of the contents in bytes
 * @param link   {@code sh_link}, not yet validated (its meaning depends on the type)
 * @param info   {@code sh_info}, not yet validated (its meaning depends on the type)
 * @param entrySize {@code sh_entsize}
 */
record ElfSection(int index, String name, int type, long flags, int offset, int size, long link, long info,
                  long entrySize) {
    static final int SHT_NULL = 0;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final int SHT_SYMTAB_SHNDX = 18;
    static final long SHF_ALLOC = 0x2;

    /** Whether the section has bytes in the file (NOBITS and NULL sections have none). */
    boolean hasContents() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }

    boolean isAllocated() {
        return (flags & SHF_ALLOC) != 0;
    }

    /** File offset just past the contents. */
    int end() {
        return offset + size;
    }

    @Override
    public String toString() {
        return name.isEmpty() ? "section " + index : name;
    }
}
