package dev.dyndbgd.elf;

import java.util.ArrayList;
import java.util.List;

/**
 * The section header table with names resolved, validated the way the kernel's module loader
 * validates it before trusting any section: each section's contents must lie inside the file.
 */
final class SectionTable {
    private final ElfSection[] sections;

    private SectionTable(ElfSection[] sections) {
        this.sections = sections;
    }

    static SectionTable parse(ElfBytes bytes, ElfHeader header) throws MalformedModuleException {
        int count = header.sectionCount();
        int base = (int) header.sectionHeaderOffset();   // bounds-checked by ElfHeader.parse
        int namesHeader = base + header.sectionNamesIndex() * ElfHeader.SECTION_HEADER_SIZE;
        long namesOffset = bytes.u64(namesHeader + 24);
        long namesSize = bytes.u64(namesHeader + 32);
        bytes.require(namesOffset, namesSize, "section name table");
        int namesStart = (int) namesOffset;
        int namesEnd = namesStart + (int) namesSize;

        ElfSection[] sections = new ElfSection[count];
        for (int i = 0; i < count; i++) {
            int h = base + i * ElfHeader.SECTION_HEADER_SIZE;
            long nameOffset = bytes.u32(h);
            int type = (int) bytes.u32(h + 4);
            long flags = bytes.u64(h + 8);
            long offset = bytes.u64(h + 24);
            long size = bytes.u64(h + 32);
            long link = bytes.u32(h + 40);
            long info = bytes.u32(h + 44);
            long entrySize = bytes.u64(h + 56);
            String name = i == 0 ? "" : nameAt(bytes, namesStart, namesEnd, nameOffset, i);
            if (type == ElfSection.SHT_NOBITS || type == ElfSection.SHT_NULL) {
                // No file contents: keep the offset harmless so nobody can read through it.
                sections[i] = new ElfSection(i, name, type, flags, 0, 0, link, info, entrySize);
            } else {
                bytes.require(offset, size, "section " + i + " (" + name + ")");
                sections[i] = new ElfSection(i, name, type, flags, (int) offset, (int) size, link, info, entrySize);
            }
        }
        return new SectionTable(sections);
    }

    private static String nameAt(ElfBytes bytes, int start, int end, long nameOffset, int index)
            throws MalformedModuleException {
        if (nameOffset >= end - start) {
            throw bytes.fail("name of section " + index + " at offset " + nameOffset
                    + " lies outside the section name table (" + (end - start) + " bytes)");
        }
        int from = start + (int) nameOffset;
        int nul = bytes.indexOfNul(from, end);
        if (nul < 0) {
            throw bytes.fail("name of section " + index + " is not NUL-terminated inside the section name table");
        }
        return bytes.text(from, nul);
    }

    /** The section at {@code index}; {@code what} says who asked, for the error message. */
    ElfSection get(long index, ElfBytes bytes, String what) throws MalformedModuleException {
        if (index <= 0 || index >= sections.length) {
            throw bytes.fail(what + " refers to section index " + index + ", which does not exist (there are "
                    + sections.length + ")");
        }
        return sections[(int) index];
    }

    /**
     * The first allocated section with this name, or null. Allocated only, because that is how the
     * kernel's loader finds {@code __dyndbg} and friends: a non-allocated section of the same name is
     * never loaded and so never seen by dynamic debug.
     */
    ElfSection findAllocated(String name) {
        for (ElfSection s : sections) {
            if (s.isAllocated() && s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The first section of the given type, or null. */
    ElfSection findByType(int type) {
        for (ElfSection s : sections) {
            if (s.type() == type) {
                return s;
            }
        }
        return null;
    }

    /** Relocation sections (RELA or REL) whose {@code sh_info} names the target section. */
    List<ElfSection> relocationsFor(ElfSection target) {
        List<ElfSection> out = new ArrayList<>(1);
        for (ElfSection s : sections) {
            if ((s.type() == ElfSection.SHT_RELA || s.type() == ElfSection.SHT_REL) && s.info() == target.index()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The section with this {@code sh_link}-referenced type, e.g. the SYMTAB_SHNDX of a symbol table. */
    ElfSection findLinked(int type, int linkedIndex) {
        for (ElfSection s : sections) {
            if (s.type() == type && s.link() == linkedIndex) {
                return s;
            }
        }
        return null;
    }
}
