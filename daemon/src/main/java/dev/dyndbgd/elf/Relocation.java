package dev.dyndbgd.elf;

/**
 * One {@code Elf64_Rela} entry: at {@code offset} in the target section, write a value computed from
 * {@code symbol} and {@code addend} according to {@code type}.
 */
record Relocation(long offset, int type, long symbol, long addend) {
    /** {@code R_X86_64_64}: the 64-bit absolute address S + A, the only kind a data pointer gets. */
    static final int R_X86_64_64 = 1;
}
