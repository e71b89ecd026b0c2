package dev.dyndbgd.elf;

import java.util.HashMap;
import java.util.Map;

/**
 * Follows pointer fields of a relocatable object to what they point at.
 *
 * <p>A pointer in a {@code .o}/{@code .ko} section is eight zero bytes plus an {@code R_X86_64_64}
 * relocation whose value is symbol + addend. For a section symbol the symbol's value is 0 and the
 * addend carries the offset ({@code .rodata.str1.1 + 0x73b}); for a named symbol such as
 * {@code __func__.3} the value is the offset and the addend usually 0. Either way the target is
 * {@code st_value + r_addend} inside the symbol's section, which is all this class needs to know.
 *
 * <p>Decoded strings are cached by location: every call site of one source file points at the same
 * file name, and most sites of a function at the same function name.
 */
final class PointerResolver {
    /** Where a pointer points: a section with file contents, and an offset inside it. */
    record Target(ElfSection section, int offset) {
    }

    private final ElfObject elf;
    private final ElfBytes bytes;
    private final Map<Long, String> strings = new HashMap<>();

    PointerResolver(ElfObject elf) {
        this.elf = elf;
        this.bytes = elf.bytes();
    }

    /**
     * The target of the pointer stored at {@code slot} of the relocations' target section, or null when
     * no relocation patches that slot (the pointer is NULL). {@code what} describes the slot in errors.
     */
    Target target(RelocationTable relocations, long slot, String what) throws MalformedModuleException {
        Relocation r = relocations.at(slot, bytes);
        if (r == null) {
            return null;
        }
        if (r.type() != Relocation.R_X86_64_64) {
            throw bytes.fail(what + " has relocation type " + r.type() + ", expected R_X86_64_64 (1)");
        }
        SymbolTable symbols = elf.symbols();
        ElfSymbol symbol = symbols.get(r.symbol(), what);
        long shndx = symbol.sectionIndex();
        if (shndx == ElfSymbol.SHN_UNDEF) {
            throw bytes.fail(what + " points to undefined symbol '" + symbols.name(symbol) + "'");
        }
        if (symbol.reserved()) {
            throw bytes.fail(what + " points to symbol '" + symbols.name(symbol) + "' with reserved section index 0x"
                    + Long.toHexString(shndx) + " (absolute or common), not into a section");
        }
        ElfSection section = elf.sections().get(shndx, bytes, what + " (symbol " + symbol.index() + ")");
        if (!section.hasContents()) {
            throw bytes.fail(what + " points into " + section + ", which has no contents in the file");
        }
        long offset = symbol.value() + r.addend();
        if (symbol.value() < 0 || offset < 0 || offset >= section.size()) {
            throw bytes.fail(what + " points to offset 0x" + Long.toHexString(offset) + " of " + section
                    + ", outside its " + section.size() + " bytes");
        }
        return new Target(section, (int) offset);
    }

    /** The NUL-terminated string the pointer at {@code slot} points to; a NULL pointer is an error. */
    String string(RelocationTable relocations, long slot, String what) throws MalformedModuleException {
        Target t = target(relocations, slot, what);
        if (t == null) {
            throw bytes.fail(what + " has no relocation (a NULL pointer)");
        }
        return string(t, what);
    }

    /** The NUL-terminated string at {@code target}, which must end inside the target's section. */
    String string(Target target, String what) throws MalformedModuleException {
        long key = ((long) target.section().index() << 32) | target.offset();
        String cached = strings.get(key);
        if (cached != null) {
            return cached;
        }
        int from = target.section().offset() + target.offset();
        int nul = bytes.indexOfNul(from, target.section().end());
        if (nul < 0) {
            throw bytes.fail(what + " points to a string at offset 0x" + Integer.toHexString(target.offset()) + " of "
                    + target.section() + " that is not NUL-terminated inside that section");
        }
        String s = bytes.text(from, nul);
        strings.put(key, s);
        return s;
    }
}
