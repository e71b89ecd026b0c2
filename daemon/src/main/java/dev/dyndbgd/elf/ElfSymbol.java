package dev.dyndbgd.elf;

/**
 * One symbol table entry.
 *
 * @param index        position in the symbol table
 * @param nameOffset   {@code st_name}, an offset into the symbol string table
 * @param info         {@code st_info} (binding and type)
 * @param sectionIndex the section the symbol is defined in, with {@code SHN_XINDEX} already resolved;
 *                     0 for undefined, or a reserved value such as {@link #SHN_ABS}
 * @param value        {@code st_value}: in a relocatable object, the offset inside that section
 * @param reserved     whether {@code sectionIndex} is a reserved {@code SHN_*} value (absolute, common,
 *                     ...) rather than a section; kept apart because with extended numbering a real
 *                     section index can be numerically equal to a reserved one
 */
record ElfSymbol(int index, long nameOffset, int info, long sectionIndex, long value, boolean reserved) {
    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;
    static final int SHN_ABS = 0xfff1;
    static final int SHN_COMMON = 0xfff2;
    static final int SHN_XINDEX = 0xffff;
}
