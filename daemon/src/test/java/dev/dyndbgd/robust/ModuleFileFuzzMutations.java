package dev.dyndbgd.robust;

import dev.dyndbgd.robust.ModuleFileFuzzLayout.Rela;
import dev.dyndbgd.robust.ModuleFileFuzzLayout.Section;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.dyndbgd.robust.ModuleFileFuzzLayout.le16;
import static dev.dyndbgd.robust.ModuleFileFuzzLayout.le32;
import static dev.dyndbgd.robust.ModuleFileFuzzLayout.le64;

/**
 * Damage for module files, as edits that can be applied to a copy of the file in place and undone,
 * so that every mutation is read through {@code KernelModuleReader.read(path)} without rewriting a
 * 19 MB file each time.
 *
 * <p>Two kinds: aimed damage built from the file's layout (every section-header field of the
 * sections the reader follows set to huge, self-referencing or out-of-range values; relocation
 * entries and the symbols they use broken field by field; strings robbed of their NUL; truncation at
 * every structure boundary) and random damage (bit flips, overwritten byte ranges), some of it
 * deliberately outside everything the reader follows, where it must change nothing.
 */
final class ModuleFileFuzzMutations {
    private ModuleFileFuzzMutations() {
    }

    /** Bytes to write at an offset of the original file. */
    record Edit(long offset, byte[] bytes) {
    }

    /**
     * One damaged variant: edits inside the original's bounds, then optionally truncated to
     * {@code truncateTo} bytes (-1: not) or extended by {@code append}. {@code harmless} marks damage
     * to bytes the reader never follows: the image read must then equal the original's.
     */
    record Mutation(String what, List<Edit> edits, long truncateTo, byte[] append, boolean harmless) {
        static Mutation edit(String what, long offset, byte[] bytes) {
            return new Mutation(what, List.of(new Edit(offset, bytes)), -1, null, false);
        }

        static Mutation edits(String what, List<Edit> edits) {
            return new Mutation(what, List.copyOf(edits), -1, null, false);
        }

        static Mutation truncate(String what, long length) {
            return new Mutation(what, List.of(), length, null, false);
        }

        /** The damaged bytes, as a new array. */
        byte[] applyTo(byte[] original) {
            byte[] out = original.clone();
            for (Edit e : edits) {
                System.arraycopy(e.bytes(), 0, out, (int) e.offset(), e.bytes().length);
            }
            if (truncateTo >= 0) {
                out = Arrays.copyOf(out, (int) truncateTo);
            }
            if (append != null) {
                byte[] longer = Arrays.copyOf(out, out.length + append.length);
                System.arraycopy(append, 0, longer, out.length, append.length);
                out = longer;
            }
            return out;
        }

        /** Damages the copy of {@code original} open in {@code ch}. */
        void apply(FileChannel ch, byte[] original) throws IOException {
            for (Edit e : edits) {
                write(ch, e.bytes(), 0, e.bytes().length, e.offset());
            }
            if (truncateTo >= 0) {
                ch.truncate(truncateTo);
            }
            if (append != null) {
                write(ch, append, 0, append.length, original.length);
            }
        }

        /** Puts the copy back to {@code original}. */
        void undo(FileChannel ch, byte[] original) throws IOException {
            if (append != null) {
                ch.truncate(original.length);
            }
            if (truncateTo >= 0) {
                write(ch, original, (int) truncateTo, original.length - (int) truncateTo, truncateTo);
            }
            for (Edit e : edits) {
                write(ch, original, (int) e.offset(), e.bytes().length, e.offset());
            }
        }

        private static void write(FileChannel ch, byte[] b, int from, int length, long at) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, from, length);
            long pos = at;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        }
    }

    /** 64-bit values for offsets and sizes: zero, one, the 32-bit and 64-bit edges, the file's own size. */
    private static List<Long> wideValues(ModuleFileFuzzLayout l, Section s) {
        Set<Long> v = new LinkedHashSet<>(List.of(0L, 1L, 0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 0x100000000L, -1L,
                Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFFFFFFFFFFFFF0L));
        v.add((long) l.size());
        v.add((long) l.size() - 1);
        v.add((long) l.size() + 1);
        v.add(l.shoff);
        v.add((long) s.header());              // the section's contents are its own header
        v.add(s.offset() + 1);
        v.add(s.size() + 24);
        v.add(s.size() * 2 + 1);
        Section sym = l.symtab();
        if (sym != null) {
            v.add(sym.offset());
        }
        return new ArrayList<>(v);
    }

    /** 32-bit values for indexes (sh_link, sh_info, sh_name): edges, the section count, itself, its partners. */
    private static List<Long> indexValues(ModuleFileFuzzLayout l, Section s) {
        Set<Long> v = new LinkedHashSet<>(List.of(0L, 1L, 0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 0xFFFFL, 0xFF00L,
                0xFFF1L));
        v.add((long) l.shnum);
        v.add((long) l.shnum - 1);
        v.add((long) l.shnum + 1);
        v.add((long) s.index());               // points at itself
        v.add((long) l.shstrndx);
        if (l.symtab() != null) {
            v.add((long) l.symtab().index());
            v.add((long) l.symtab().link());
        }
        Section dyndbg = l.allocated("__dyndbg");
        if (dyndbg != null) {
            v.add((long) dyndbg.index());
        }
        return new ArrayList<>(v);
    }

    /**
     * Aimed damage to the ELF header and to every field of the headers of the sections the reader
     * follows (plus a few others, chosen by {@code random}).
     */
    static List<Mutation> headers(ModuleFileFuzzLayout l, Random random) {
        List<Mutation> out = new ArrayList<>();
        // ELF header: section table offset, entry size, count, name table index, identification.
        Section s0 = l.sections.get(0);
        for (long v : wideValues(l, s0)) {
            out.add(Mutation.edit("e_shoff=" + Long.toHexString(v), 40, le64(v)));
        }
        for (long v : List.of(0L, 1L, 2L, 0xFF00L, 0xFFFFL, (long) l.shnum - 1, (long) l.shnum + 1, (long) l.shnum * 2,
                (long) l.shstrndx)) {
            out.add(Mutation.edit("e_shnum=" + v, 60, le16(v)));
        }
        for (long v : List.of(0L, 0xFF00L, 0xFFFEL, 0xFFFFL, (long) l.shnum, (long) l.shnum - 1, 1L,
                l.symtab() == null ? 1L : l.symtab().index())) {
            out.add(Mutation.edit("e_shstrndx=" + v, 62, le16(v)));
        }
        for (long v : List.of(0L, 40L, 63L, 65L, 128L, 0xFFFFL)) {
            out.add(Mutation.edit("e_shentsize=" + v, 58, le16(v)));
        }
        for (int at : new int[]{0, 3, 4, 5, 6, 16, 18}) {
            out.add(Mutation.edit("e_ident/type/machine byte " + at, at, new byte[]{(byte) 0xEE}));
        }
        // Extended numbering: the count and the name table index then live in section 0.
        for (long count : List.of((long) l.shnum, 0L, 0xFFFFFFFFL, 1L << 40, -1L, (long) l.size())) {
            out.add(Mutation.edits("extended section count " + count, List.of(new Edit(60, le16(0)),
                    new Edit(s0.header() + ModuleFileFuzzLayout.SH_SIZE, le64(count)))));
        }
        for (long index : List.of((long) l.shstrndx, 0L, 0xFFFFFFFFL, (long) l.shnum, 0xFFFFL)) {
            out.add(Mutation.edits("extended name table index " + index, List.of(new Edit(62, le16(0xFFFF)),
                    new Edit(s0.header() + ModuleFileFuzzLayout.SH_LINK, le32(index)))));
        }

        List<Section> targets = new ArrayList<>(l.interesting());
        for (int i = 0; i < 3; i++) {
            Section extra = l.sections.get(random.nextInt(l.sections.size()));
            if (!targets.contains(extra)) {
                targets.add(extra);
            }
        }
        for (Section s : targets) {
            String name = "section " + s.index() + " (" + s.name() + ")";
            int h = s.header();
            for (long v : wideValues(l, s)) {
                out.add(Mutation.edit(name + " sh_offset=" + Long.toHexString(v), h + ModuleFileFuzzLayout.SH_OFFSET, le64(v)));
                out.add(Mutation.edit(name + " sh_size=" + Long.toHexString(v), h + ModuleFileFuzzLayout.SH_SIZE, le64(v)));
            }
            for (long v : List.of(0L, 1L, 8L, 23L, 25L, 56L, 0xFFFFFFFFL, -1L, 24L * 1024)) {
                out.add(Mutation.edit(name + " sh_entsize=" + v, h + ModuleFileFuzzLayout.SH_ENTSIZE, le64(v)));
            }
            for (long v : indexValues(l, s)) {
                out.add(Mutation.edit(name + " sh_link=" + v, h + ModuleFileFuzzLayout.SH_LINK, le32(v)));
                out.add(Mutation.edit(name + " sh_info=" + v, h + ModuleFileFuzzLayout.SH_INFO, le32(v)));
            }
            Section strings = l.sections.get(l.shstrndx);
            for (long v : List.of(0xFFFFFFFFL, strings.size(), strings.size() - 1, 0x7FFFFFFFL)) {
                out.add(Mutation.edit(name + " sh_name=" + v, h + ModuleFileFuzzLayout.SH_NAME, le32(v)));
            }
            for (int type : new int[]{ModuleFileFuzzLayout.SHT_NULL, ModuleFileFuzzLayout.SHT_SYMTAB,
                    ModuleFileFuzzLayout.SHT_STRTAB, ModuleFileFuzzLayout.SHT_RELA, ModuleFileFuzzLayout.SHT_NOBITS,
                    ModuleFileFuzzLayout.SHT_REL, ModuleFileFuzzLayout.SHT_SYMTAB_SHNDX, 0x70000000, -1}) {
                if (type != s.type()) {
                    out.add(Mutation.edit(name + " sh_type=" + type, h + ModuleFileFuzzLayout.SH_TYPE, le32(type)));
                }
            }
            out.add(Mutation.edit(name + " sh_flags=0", h + ModuleFileFuzzLayout.SH_FLAGS, le64(0)));
            out.add(Mutation.edit(name + " sh_flags=~0", h + ModuleFileFuzzLayout.SH_FLAGS, le64(-1)));
        }
        return out;
    }

    /**
     * Loops and overlaps between structures: relocation sections that relocate themselves or the
     * symbol table, several relocation sections for one target covering the same bytes, a symbol
     * table that is its own string table, a bogus extended-index table, sections stacked on each other.
     */
    static List<Mutation> overlaps(ModuleFileFuzzLayout l) {
        List<Mutation> out = new ArrayList<>();
        Section sym = l.symtab();
        for (String name : List.of("__dyndbg", "__dyndbg_classes")) {
            Section target = l.allocated(name);
            if (target == null) {
                continue;
            }
            for (Section rela : l.relocationsFor(target)) {
                int h = rela.header();
                String n = rela.name();
                out.add(Mutation.edits(n + " relocates itself", List.of(new Edit(h + ModuleFileFuzzLayout.SH_INFO, le32(rela.index())))));
                out.add(Mutation.edits(n + " is its own symbol table", List.of(new Edit(h + ModuleFileFuzzLayout.SH_LINK, le32(rela.index())))));
                if (sym != null) {
                    out.add(Mutation.edits(n + " reads the symbol table as relocations", List.of(
                            new Edit(h + ModuleFileFuzzLayout.SH_OFFSET, le64(sym.offset())),
                            new Edit(h + ModuleFileFuzzLayout.SH_SIZE, le64(sym.size())))));
                    out.add(Mutation.edits(n + " relocates the symbol table", List.of(
                            new Edit(h + ModuleFileFuzzLayout.SH_INFO, le32(sym.index())))));
                }
                out.add(Mutation.edits(name + " lies on its own relocations", List.of(
                        new Edit(target.header() + ModuleFileFuzzLayout.SH_OFFSET, le64(rela.offset())))));
                out.add(Mutation.edits(n + " lies on " + name, List.of(
                        new Edit(h + ModuleFileFuzzLayout.SH_OFFSET, le64(target.offset())),
                        new Edit(h + ModuleFileFuzzLayout.SH_SIZE, le64(target.size() / 24 * 24)))));
                // Every other relocation section made a second copy of this one: each entry twice.
                List<Edit> copies = new ArrayList<>();
                List<Edit> retargets = new ArrayList<>();
                for (Section other : l.sections) {
                    if (other.type() == ModuleFileFuzzLayout.SHT_RELA && other != rela) {
                        retargets.add(new Edit(other.header() + ModuleFileFuzzLayout.SH_INFO, le32(target.index())));
                        copies.add(new Edit(other.header() + ModuleFileFuzzLayout.SH_INFO, le32(target.index())));
                        copies.add(new Edit(other.header() + ModuleFileFuzzLayout.SH_OFFSET, le64(rela.offset())));
                        copies.add(new Edit(other.header() + ModuleFileFuzzLayout.SH_SIZE, le64(rela.size())));
                    }
                }
                if (!copies.isEmpty()) {
                    out.add(Mutation.edits("every relocation section copies " + n, copies));
                    out.add(Mutation.edits("every relocation section targets " + name, retargets));
                    out.add(Mutation.edits("one more relocation section copies " + n, copies.subList(0, 3)));
                }
            }
        }
        if (sym != null) {
            int h = sym.header();
            out.add(Mutation.edits("symbol table is its own string table", List.of(new Edit(h + ModuleFileFuzzLayout.SH_LINK, le32(sym.index())))));
            out.add(Mutation.edits("symbol table names come from the section name table", List.of(
                    new Edit(h + ModuleFileFuzzLayout.SH_LINK, le32(l.shstrndx)))));
            out.add(Mutation.edits("symbol table on the section headers", List.of(
                    new Edit(h + ModuleFileFuzzLayout.SH_OFFSET, le64(l.shoff)),
                    new Edit(h + ModuleFileFuzzLayout.SH_SIZE, le64((long) l.shnum * 64 / 24 * 24)))));
            // A bogus SYMTAB_SHNDX (one entry) for the symbol table, and every symbol then needing it.
            Section victim = l.sections.get(1) == sym ? l.sections.get(2) : l.sections.get(1);
            List<Edit> shndx = new ArrayList<>(List.of(
                    new Edit(victim.header() + ModuleFileFuzzLayout.SH_TYPE, le32(ModuleFileFuzzLayout.SHT_SYMTAB_SHNDX)),
                    new Edit(victim.header() + ModuleFileFuzzLayout.SH_LINK, le32(sym.index())),
                    new Edit(victim.header() + ModuleFileFuzzLayout.SH_OFFSET, le64(0)),
                    new Edit(victim.header() + ModuleFileFuzzLayout.SH_SIZE, le64(4))));
            out.add(Mutation.edits("short extended index table", shndx));
            List<Edit> sized = new ArrayList<>(shndx);
            sized.set(3, new Edit(victim.header() + ModuleFileFuzzLayout.SH_SIZE, le64(Math.min(l.size(), sym.size() / 24 * 4))));
            int symbols = (int) (sym.size() / 24);
            for (int i = 1; i < symbols; i++) {
                sized.add(new Edit(l.symbol(i) + 6, le16(0xFFFF)));
            }
            out.add(Mutation.edits("every symbol uses an extended index from the file's first bytes", sized));
            // An earlier SYMTAB section: the reader takes the first one.
            Section first = l.sections.get(1);
            if (first != sym) {
                out.add(Mutation.edits("section 1 becomes a symbol table", List.of(
                        new Edit(first.header() + ModuleFileFuzzLayout.SH_TYPE, le32(ModuleFileFuzzLayout.SHT_SYMTAB)))));
            }
        }
        Section modinfo = l.allocated(".modinfo");
        Section dyndbg = l.allocated("__dyndbg");
        if (modinfo != null && dyndbg != null) {
            out.add(Mutation.edits(".modinfo is __dyndbg", List.of(
                    new Edit(modinfo.header() + ModuleFileFuzzLayout.SH_OFFSET, le64(dyndbg.offset())),
                    new Edit(modinfo.header() + ModuleFileFuzzLayout.SH_SIZE, le64(dyndbg.size())))));
        }
        // Every section name the same: every section is then __dyndbg (or whatever section 1 is called).
        if (dyndbg != null) {
            List<Edit> names = new ArrayList<>();
            long nameOffset = Integer.toUnsignedLong(ByteBuffer.wrap(l.bytes, dyndbg.header(), 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
            for (Section s : l.sections) {
                names.add(new Edit(s.header() + ModuleFileFuzzLayout.SH_NAME, le32(nameOffset)));
            }
            out.add(Mutation.edits("every section is called __dyndbg", names));
        }
        return out;
    }

    /** Relocation entries of the followed relocation sections, broken one field at a time. */
    static List<Mutation> relocations(ModuleFileFuzzLayout l, Random random, int perSection) {
        List<Mutation> out = new ArrayList<>();
        Section sym = l.symtab();
        if (sym == null) {
            return out;
        }
        int symbols = (int) (sym.size() / 24);
        for (Section rela : l.interesting()) {
            if (rela.type() != ModuleFileFuzzLayout.SHT_RELA) {
                continue;
            }
            Section target = l.sections.get(rela.info());
            List<Rela> entries = l.entries(rela);
            if (entries.isEmpty()) {
                continue;
            }
            List<Integer> picks = new ArrayList<>(List.of(0, entries.size() - 1));
            for (int i = 0; i < perSection; i++) {
                picks.add(random.nextInt(entries.size()));
            }
            for (int pick : new LinkedHashSet<>(picks)) {
                Rela r = entries.get(pick);
                String n = rela.name() + "[" + pick + "]";
                long other = entries.get((pick + 1) % entries.size()).offset();
                for (long v : new long[]{target.size(), target.size() - 1, target.size() - 7, target.size() - 8, -1L,
                        0x100000000L, Long.MIN_VALUE, other, r.offset() + 1, 0L}) {
                    out.add(Mutation.edit(n + " r_offset=" + Long.toHexString(v), r.at(), le64(v)));
                }
                for (long s : new long[]{symbols, symbols - 1L, 0xFFFFFFFFL, 0L, 0x7FFFFFFFL}) {
                    out.add(Mutation.edit(n + " symbol=" + s, r.at() + 8, le64((s << 32) | (r.type() & 0xFFFFFFFFL))));
                }
                for (long t : new long[]{0, 2, 10, 0xFFFFFFFFL}) {
                    out.add(Mutation.edit(n + " type=" + t, r.at() + 8, le64(((long) r.symbol() << 32) | t)));
                }
                int shndx = l.symbolSection(r.symbol());
                long pointedSize = shndx > 0 && shndx < l.sections.size() ? l.sections.get(shndx).size() : 0;
                long value = l.symbolValue(r.symbol());
                for (long a : new long[]{-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x7FFFFFFFL, pointedSize - value,
                        pointedSize - value - 1, -value - 1, 0x100000000L}) {
                    out.add(Mutation.edit(n + " r_addend=" + Long.toHexString(a), r.at() + 16, le64(a)));
                }
            }
        }
        return out;
    }

    /** The symbols the followed relocations use, broken one field at a time. */
    static List<Mutation> symbols(ModuleFileFuzzLayout l, Random random, int count) {
        List<Mutation> out = new ArrayList<>();
        Section sym = l.symtab();
        if (sym == null) {
            return out;
        }
        Set<Integer> used = new LinkedHashSet<>();
        for (Section rela : l.interesting()) {
            if (rela.type() == ModuleFileFuzzLayout.SHT_RELA) {
                List<Rela> entries = l.entries(rela);
                for (int i = 0; i < 3 && !entries.isEmpty(); i++) {
                    used.add(entries.get(random.nextInt(entries.size())).symbol());
                }
            }
        }
        Section strtab = l.strtab();
        int nobits = 0;
        for (Section s : l.sections) {
            if (s.type() == ModuleFileFuzzLayout.SHT_NOBITS) {
                nobits = s.index();
                break;
            }
        }
        int n = 0;
        for (int index : used) {
            if (n++ >= count) {
                break;
            }
            int at = l.symbol(index);
            String name = "symbol " + index;
            for (long v : new long[]{0xFFFFFFFFL, strtab.size(), strtab.size() - 1, 0x7FFFFFFFL}) {
                out.add(Mutation.edit(name + " st_name=" + v, at, le32(v)));
            }
            for (long v : new long[]{0, 0xFFF1, 0xFFF2, 0xFFFF, 0xFF00, l.shnum, l.shnum - 1, sym.index(), nobits, l.shstrndx}) {
                out.add(Mutation.edit(name + " st_shndx=" + v, at + 6, le16(v)));
            }
            for (long v : new long[]{-1L, Long.MAX_VALUE, 0x100000000L, 1L << 31}) {
                out.add(Mutation.edit(name + " st_value=" + Long.toHexString(v), at + 8, le64(v)));
            }
            out.add(Mutation.edit(name + " st_info=0xff", at + 4, new byte[]{(byte) 0xFF}));
            // An undefined symbol whose name is damaged too: the error message must still come out.
            out.add(Mutation.edits(name + " undefined with a name past the string table", List.of(
                    new Edit(at, le32(0xFFFFFFF0L)), new Edit(at + 6, le16(0)))));
        }
        return out;
    }

    /** Strings without their NUL: in every string section the reader scans, at the end and throughout. */
    static List<Mutation> strings(ModuleFileFuzzLayout l) {
        List<Mutation> out = new ArrayList<>();
        List<Section> scanned = new ArrayList<>();
        for (Section s : l.interesting()) {
            boolean text = s.type() == ModuleFileFuzzLayout.SHT_STRTAB || s.name().startsWith(".rodata")
                    || s.name().equals(".modinfo") || s.name().startsWith(".data");
            if (text && s.hasContents() && s.size() > 0) {
                scanned.add(s);
            }
        }
        for (Section s : scanned) {
            String n = s.name();
            out.add(Mutation.edit(n + ": last byte not NUL", s.end() - 1, new byte[]{'A'}));
            out.add(Mutation.edit(n + ": one byte shorter", s.header() + ModuleFileFuzzLayout.SH_SIZE, le64(s.size() - 1)));
            // No NUL anywhere in (up to 1 MB of) the section.
            int len = (int) Math.min(s.size(), 1 << 20);
            byte[] filled = Arrays.copyOfRange(l.bytes, (int) s.offset(), (int) s.offset() + len);
            for (int i = 0; i < filled.length; i++) {
                if (filled[i] == 0) {
                    filled[i] = 'x';
                }
            }
            out.add(Mutation.edit(n + ": no NUL in " + len + " bytes", s.offset(), filled));
        }
        return out;
    }

    /** Truncations at every structure boundary the reader depends on, and a few random ones. */
    static List<Mutation> truncations(ModuleFileFuzzLayout l, Random random, int randomOnes) {
        Set<Long> cuts = new LinkedHashSet<>(List.of(0L, 1L, 4L, 16L, 63L, 64L, 65L, l.shoff - 1, l.shoff, l.shoff + 1,
                l.shoff + 63, l.shoff + 64, (long) l.size() - 64, (long) l.size() - 1));
        for (Section s : l.interesting()) {
            if (s.hasContents() && s.size() > 0) {
                cuts.add(s.offset() + 1);
                cuts.add(s.offset() + s.size() / 2);
                cuts.add(s.end() - 1);
            }
            cuts.add((long) s.header() + 32);
        }
        for (int i = 0; i < randomOnes; i++) {
            cuts.add((long) random.nextInt(l.size()));
        }
        List<Mutation> out = new ArrayList<>();
        for (long c : cuts) {
            if (c >= 0 && c < l.size()) {
                out.add(Mutation.truncate("truncated to " + c, c));
            }
        }
        // Longer than it should be: trailing garbage is not the reader's business.
        byte[] tail = new byte[4096];
        random.nextBytes(tail);
        out.add(new Mutation("4 KiB of garbage appended", List.of(), -1, tail, true));
        return out;
    }

    /** Byte ranges of the file the reader follows: header, section headers, the followed sections. */
    static List<long[]> followed(ModuleFileFuzzLayout l) {
        List<long[]> ranges = new ArrayList<>();
        ranges.add(new long[]{0, 64});
        ranges.add(new long[]{l.shoff, l.shoff + (long) l.shnum * 64});
        for (Section s : l.interesting()) {
            if (s.hasContents()) {
                ranges.add(new long[]{s.offset(), s.end()});
            }
        }
        for (Section s : l.sections) {
            if (s.type() == ModuleFileFuzzLayout.SHT_SYMTAB_SHNDX) {
                ranges.add(new long[]{s.offset(), s.end()});
            }
        }
        return ranges;
    }

    private static boolean inside(List<long[]> ranges, long at) {
        for (long[] r : ranges) {
            if (at >= r[0] && at < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** A random position: in the followed structures most of the time, anywhere otherwise. */
    private static long position(ModuleFileFuzzLayout l, List<long[]> ranges, Random random) {
        if (random.nextInt(5) == 0) {
            return random.nextInt(l.size());
        }
        long[] r = ranges.get(random.nextInt(ranges.size()));
        return r[1] > r[0] ? r[0] + (long) (random.nextDouble() * (r[1] - r[0])) : random.nextInt(l.size());
    }

    /** One to four bit flips. */
    static Mutation flips(ModuleFileFuzzLayout l, List<long[]> ranges, Random random) {
        int n = 1 + random.nextInt(4);
        List<Edit> edits = new ArrayList<>();
        StringBuilder what = new StringBuilder("bit flips at");
        for (int i = 0; i < n; i++) {
            long at = position(l, ranges, random);
            byte b = (byte) (l.bytes[(int) at] ^ (1 << random.nextInt(8)));
            edits.add(new Edit(at, new byte[]{b}));
            what.append(' ').append(Long.toHexString(at));
        }
        return Mutation.edits(what.toString(), dedupe(edits, l.bytes));
    }

    /** A range of 1..64 bytes (now and then up to 4 KiB) overwritten with noise, zeros, 0xff or 'A'. */
    static Mutation overwrite(ModuleFileFuzzLayout l, List<long[]> ranges, Random random) {
        long at = position(l, ranges, random);
        int len = random.nextInt(8) == 0 ? 1 + random.nextInt(4096) : 1 + random.nextInt(64);
        len = (int) Math.min(len, l.size() - at);
        byte[] b = new byte[len];
        int kind = random.nextInt(4);
        switch (kind) {
            case 0 -> random.nextBytes(b);
            case 1 -> Arrays.fill(b, (byte) 0);
            case 2 -> Arrays.fill(b, (byte) 0xFF);
            default -> Arrays.fill(b, (byte) 'A');
        }
        return Mutation.edit(len + " bytes at " + Long.toHexString(at) + " overwritten (" + kind + ")", at, b);
    }

    /** Bit flips outside every followed byte: the reader must read exactly what it read before. */
    static Mutation harmlessFlips(ModuleFileFuzzLayout l, List<long[]> ranges, Random random) {
        List<Edit> edits = new ArrayList<>();
        for (int tries = 0; tries < 1000 && edits.size() < 4; tries++) {
            long at = random.nextInt(l.size());
            if (!inside(ranges, at)) {
                edits.add(new Edit(at, new byte[]{(byte) (l.bytes[(int) at] ^ (1 << random.nextInt(8)))}));
            }
        }
        return edits.isEmpty() ? null
                : new Mutation("harmless flips at " + edits.stream().map(e -> Long.toHexString(e.offset())).toList(),
                dedupe(edits, l.bytes), -1, null, true);
    }

    /** Two flips of one byte must combine, not the second undo the first. */
    private static List<Edit> dedupe(List<Edit> edits, byte[] original) {
        java.util.Map<Long, Byte> bytes = new java.util.LinkedHashMap<>();
        for (Edit e : edits) {
            if (e.bytes().length == 1 && bytes.containsKey(e.offset())) {
                byte orig = original[(int) e.offset()];
                bytes.put(e.offset(), (byte) (bytes.get(e.offset()) ^ orig ^ e.bytes()[0]));
            } else {
                bytes.put(e.offset(), e.bytes()[0]);
            }
        }
        List<Edit> out = new ArrayList<>();
        bytes.forEach((at, b) -> out.add(new Edit(at, new byte[]{b})));
        return out;
    }
}
