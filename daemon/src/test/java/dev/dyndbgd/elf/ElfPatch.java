package dev.dyndbgd.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Edits fields of a well-formed ELF64 image in place, to make precisely broken fixtures. Test-only
 * and deliberately naive: it trusts the image it is given.
 */
final class ElfPatch {
    // Field offsets inside an Elf64_Shdr.
    static final int SH_TYPE = 4;
    static final int SH_OFFSET = 24;
    static final int SH_SIZE = 32;
    static final int SH_LINK = 40;
    static final int SH_INFO = 44;
    static final int SH_ENTSIZE = 56;

    final byte[] bytes;
    private final ByteBuffer le;

    ElfPatch(byte[] original) {
        this.bytes = original.clone();
        this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    int sectionHeaderOffset() {
        return (int) le.getLong(40);
    }

    int sectionCount() {
        return le.getShort(60) & 0xffff;
    }

    int header(int index) {
        return sectionHeaderOffset() + index * 64;
    }

    int indexOf(String name) {
        int names = header(le.getShort(62) & 0xffff);
        int namesOffset = (int) le.getLong(names + SH_OFFSET);
        for (int i = 1; i < sectionCount(); i++) {
            int at = namesOffset + le.getInt(header(i));
            int end = at;
            while (bytes[end] != 0) {
                end++;
            }
            if (new String(bytes, at, end - at, StandardCharsets.UTF_8).equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no section " + name);
    }

    long sectionField(String section, int field) {
        return field == SH_TYPE || field == SH_LINK || field == SH_INFO
                ? le.getInt(header(indexOf(section)) + field) & 0xffffffffL
                : le.getLong(header(indexOf(section)) + field);
    }

    ElfPatch setSectionField(String section, int field, long value) {
        int at = header(indexOf(section)) + field;
        if (field == SH_TYPE || field == SH_LINK || field == SH_INFO) {
            le.putInt(at, (int) value);
        } else {
            le.putLong(at, value);
        }
        return this;
    }

    /** File offset of relocation entry {@code entry} in {@code relaSection}. */
    int relocation(String relaSection, int entry) {
        return (int) sectionField(relaSection, SH_OFFSET) + entry * 24;
    }

    /** File offset of the entry in {@code relaSection} whose r_offset is {@code offset}. */
    int relocationAt(String relaSection, long offset) {
        int start = (int) sectionField(relaSection, SH_OFFSET);
        int count = (int) (sectionField(relaSection, SH_SIZE) / 24);
        for (int i = 0; i < count; i++) {
            if (le.getLong(start + i * 24) == offset) {
                return start + i * 24;
            }
        }
        throw new IllegalArgumentException("no relocation at " + offset + " in " + relaSection);
    }

    ElfPatch putU8(int offset, int value) {
        bytes[offset] = (byte) value;
        return this;
    }

    ElfPatch putU16(int offset, int value) {
        le.putShort(offset, (short) value);
        return this;
    }

    ElfPatch putU32(int offset, long value) {
        le.putInt(offset, (int) value);
        return this;
    }

    ElfPatch putU64(int offset, long value) {
        le.putLong(offset, value);
        return this;
    }

    long u64(int offset) {
        return le.getLong(offset);
    }
}
