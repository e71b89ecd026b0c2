package dev.dyndbgd.elf;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed x86-64 little-endian relocatable ELF object: header and section table eagerly (both are
 * small and everything else is found through them), the symbol table and relocations on demand.
 *
 * <p>Nothing here knows about dynamic debug; {@link KernelModuleReader} gives the sections meaning.
 * Every offset and count taken from the file is checked before use, and every allocation is bounded
 * by the size of the part of the file it describes, so a hostile file costs at most its own size.
 */
final class ElfObject {
    private final ElfBytes bytes;
    private final SectionTable sections;
    private SymbolTable symbols;
    private final Map<Integer, RelocationTable> relocations = new HashMap<>();

    private ElfObject(ElfBytes bytes, SectionTable sections) {
        this.bytes = bytes;
        this.sections = sections;
    }

    /**
     * Parses the header and section table of {@code contents} (from its position to its limit; the
     * buffer itself is not modified). {@code source} names the file in error messages.
     */
    static ElfObject parse(ByteBuffer contents, String source) throws MalformedModuleException {
        ElfBytes bytes = new ElfBytes(contents, source);
        ElfHeader header = ElfHeader.parse(bytes);
        return new ElfObject(bytes, SectionTable.parse(bytes, header));
    }

    ElfBytes bytes() {
        return bytes;
    }

    SectionTable sections() {
        return sections;
    }

    /** The symbol table; the kernel loader, like this method, uses the first SHT_SYMTAB section. */
    /**
     * The allocated section with this name when it holds data, or null when it is absent or empty;
     * a non-empty section without bytes in the file (NOBITS) is malformed for our purposes.
     */
    ElfSection nonEmptySection(String name) throws MalformedModuleException {
        ElfSection section = sections.findAllocated(name);
        if (section == null || section.size() == 0) {
            return null;
        }
        if (!section.hasContents()) {
            throw bytes.fail(name + " has no contents in the file (section type " + section.type() + ")");
        }
        return section;
    }

    SymbolTable symbols() throws MalformedModuleException {
        if (symbols == null) {
            ElfSection table = sections.findByType(ElfSection.SHT_SYMTAB);
            if (table == null) {
                throw bytes.fail("object has no symbol table (stripped?)");
            }
            symbols = SymbolTable.of(bytes, sections, table);
        }
        return symbols;
    }

    /**
     * The relocations that patch {@code target}, read once and cached, or null when no relocation
     * section targets it.
     */
    RelocationTable relocationsFor(ElfSection target) throws MalformedModuleException {
        // containsKey, not get: "no relocation section" is cached as null too.
        if (!relocations.containsKey(target.index())) {
            var found = sections.relocationsFor(target);
            relocations.put(target.index(), found.isEmpty() ? null : RelocationTable.read(bytes, found, target, symbols()));
        }
        return relocations.get(target.index());
    }
}
