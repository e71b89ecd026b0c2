package dev.dyndbgd.robust;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout of a well-formed x86-64 ELF relocatable object, read naively by the test (it trusts the
 * file: only undamaged originals go through it) so that mutations can aim at the structures the
 * reader follows: header, section headers, {@code __dyndbg} and its relocations, the symbols and
 * string sections those relocations reach, {@code .modinfo}.
 */
final class ModuleFileFuzzLayout {
    static final int SHT_NULL = 0;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final int SHT_SYMTAB_SHNDX = 18;

    // Offsets of the fields of an Elf64_Shdr.
    static final int SH_NAME = 0;
    static final int SH_TYPE = 4;
    static final int SH_FLAGS = 8;
    static final int SH_OFFSET = 24;
    static final int SH_SIZE = 32;
    static final int SH_LINK = 40;
    static final int SH_INFO = 44;
    static final int SH_ENTSIZE = 56;

    /** One section header, with the file offset of the header itself. */
    record Section(int index, String name, int type, long flags, long offset, long size, int link, int info,
                   long entrySize, int header) {
        long end() {
            return offset + size;
        }

        boolean hasContents() {
            return type != SHT_NOBITS && type != SHT_NULL;
        }
    }

    /** One relocation entry: where it sits in the file, and what it says. */
    record Rela(int at, long offset, int type, int symbol, long addend) {
    }

    final byte[] bytes;
    final long shoff;
    final int shnum;
    final int shstrndx;
    final List<Section> sections = new ArrayList<>();
    private final ByteBuffer le;

    ModuleFileFuzzLayout(byte[] bytes) {
        this.bytes = bytes;
        this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.shoff = le.getLong(40);
        this.shnum = le.getShort(60) & 0xffff;
        this.shstrndx = le.getShort(62) & 0xffff;
        long namesOffset = le.getLong((int) shoff + shstrndx * 64 + SH_OFFSET);
        for (int i = 0; i < shnum; i++) {
            int h = (int) shoff + i * 64;
            String name = cString((int) (namesOffset + Integer.toUnsignedLong(le.getInt(h))));
            sections.add(new Section(i, name, le.getInt(h + SH_TYPE), le.getLong(h + SH_FLAGS), le.getLong(h + SH_OFFSET),
                    le.getLong(h + SH_SIZE), le.getInt(h + SH_LINK), le.getInt(h + SH_INFO), le.getLong(h + SH_ENTSIZE), h));
        }
    }

    private String cString(int at) {
        int end = at;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
    }

    int size() {
        return bytes.length;
    }

    /** The first allocated section of this name (as the reader finds them), or null. */
    Section allocated(String name) {
        for (Section s : sections) {
            if ((s.flags() & 2) != 0 && s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    Section named(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    Section symtab() {
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                return s;
            }
        }
        return null;
    }

    Section strtab() {
        Section sym = symtab();
        return sym == null ? null : sections.get(sym.link());
    }

    /** RELA sections whose sh_info names {@code target}. */
    List<Section> relocationsFor(Section target) {
        List<Section> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() == SHT_RELA && s.info() == target.index()) {
                out.add(s);
            }
        }
        return out;
    }

    List<Rela> entries(Section rela) {
        List<Rela> out = new ArrayList<>();
        for (long e = rela.offset(); e + 24 <= rela.end(); e += 24) {
            long info = le.getLong((int) e + 8);
            out.add(new Rela((int) e, le.getLong((int) e), (int) info, (int) (info >>> 32), le.getLong((int) e + 16)));
        }
        return out;
    }

    /** File offset of symbol {@code index}'s entry. */
    int symbol(int index) {
        return (int) symtab().offset() + index * 24;
    }

    int symbolSection(int index) {
        return le.getShort(symbol(index) + 6) & 0xffff;
    }

    long symbolValue(int index) {
        return le.getLong(symbol(index) + 8);
    }

    /**
     * The sections a relocation of {@code rela} points into (through its symbol), for the ones that
     * resolve to a real section; these hold the strings the reader scans.
     */
    List<Section> pointedSections(Section rela) {
        List<Section> out = new ArrayList<>();
        for (Rela r : entries(rela)) {
            int shndx = symbolSection(r.symbol());
            if (shndx > 0 && shndx < sections.size() && !out.contains(sections.get(shndx))) {
                out.add(sections.get(shndx));
            }
        }
        return out;
    }

    /** The sections the reader walks through for call sites and class maps, without duplicates. */
    List<Section> interesting() {
        List<Section> out = new ArrayList<>();
        for (String name : List.of("__dyndbg", "__dyndbg_classes", ".modinfo")) {
            Section s = allocated(name);
            if (s != null) {
                add(out, s);
                for (Section rela : relocationsFor(s)) {
                    add(out, rela);
                    for (Section p : pointedSections(rela)) {
                        add(out, p);
                        for (Section prela : relocationsFor(p)) {
                            add(out, prela);   // e.g. .rela.data of a class names array
                        }
                    }
                }
            }
        }
        add(out, sections.get(shstrndx));
        if (symtab() != null) {
            add(out, symtab());
            add(out, strtab());
        }
        add(out, sections.get(0));
        return out;
    }

    private static void add(List<Section> list, Section s) {
        if (s != null && !list.contains(s)) {
            list.add(s);
        }
    }

    long u64(int at) {
        return le.getLong(at);
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] le32(long v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
    }

    static byte[] le16(long v) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
    }
}
