package dev.dyndbgd.elf;

/**
 * The parts of the ELF file header this package relies on, checked to describe an x86-64
 * little-endian relocatable object: the only kind of file the kernel loads as a module on x86-64.
 *
 * @param sectionHeaderOffset file offset of the section header table
 * @param sectionCount        number of section headers (after undoing extended numbering)
 * @param sectionNamesIndex   index of the section holding section names (after extended numbering)
 */
record ElfHeader(long sectionHeaderOffset, int sectionCount, int sectionNamesIndex) {
    static final int HEADER_SIZE = 64;
    static final int SECTION_HEADER_SIZE = 64;

    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int EV_CURRENT = 1;
    private static final int ET_REL = 1;
    private static final int EM_X86_64 = 62;
    /** e_shstrndx value meaning "the real index is in section 0's sh_link". */
    private static final int SHN_XINDEX = 0xffff;
    /** Lowest reserved section index; e_shstrndx at or above it (other than XINDEX) names no section. */
    private static final int SHN_LORESERVE = 0xff00;

    static ElfHeader parse(ElfBytes bytes) throws MalformedModuleException {
        if (bytes.size() < HEADER_SIZE) {
            throw bytes.fail("file is " + bytes.size() + " bytes, too short for an ELF header (64 bytes)");
        }
        if (bytes.u8(0) != 0x7f || bytes.u8(1) != 'E' || bytes.u8(2) != 'L' || bytes.u8(3) != 'F') {
            throw bytes.fail("not an ELF file (bad magic number)");
        }
        int elfClass = bytes.u8(4);
        if (elfClass != ELFCLASS64) {
            throw bytes.fail("ELF class " + elfClass + (elfClass == 1 ? " (32-bit)" : "") + " is not ELFCLASS64; "
                    + "x86-64 kernel modules are 64-bit");
        }
        int data = bytes.u8(5);
        if (data != ELFDATA2LSB) {
            throw bytes.fail("ELF data encoding " + data + (data == 2 ? " (big-endian)" : "")
                    + " is not little-endian as x86-64 requires");
        }
        if (bytes.u8(6) != EV_CURRENT) {
            throw bytes.fail("ELF identification version " + bytes.u8(6) + " is not 1");
        }
        int type = bytes.u16(16);
        if (type != ET_REL) {
            throw bytes.fail("ELF type " + type + " is not a relocatable object (ET_REL); kernel modules are relocatable");
        }
        int machine = bytes.u16(18);
        if (machine != EM_X86_64) {
            throw bytes.fail("ELF machine " + machine + " is not x86-64 (62)");
        }
        long shoff = bytes.u64(40);
        int shentsize = bytes.u16(58);
        int shnum = bytes.u16(60);
        int shstrndx = bytes.u16(62);
        if (shoff == 0) {
            throw bytes.fail("file has no section header table");
        }
        if (shentsize != SECTION_HEADER_SIZE) {
            throw bytes.fail("section header size " + shentsize + " is not 64");
        }
        // Section header 0 must be readable before extended numbering can be undone.
        bytes.require(shoff, SECTION_HEADER_SIZE, "section header 0");
        int first = (int) shoff;
        long count = shnum;
        if (shnum == 0) {
            // Extended numbering (more than 0xff00 sections): the count lives in section 0's sh_size.
            count = bytes.u64(first + 32);
            if (count <= 0) {
                throw bytes.fail("section count 0 in both e_shnum and section 0");
            }
        }
        long namesIndex = shstrndx;
        if (shstrndx == SHN_XINDEX) {
            namesIndex = bytes.u32(first + 40);
        } else if (shstrndx >= SHN_LORESERVE) {
            throw bytes.fail("section name table index 0x" + Integer.toHexString(shstrndx) + " is a reserved index");
        }
        // Checked against the file size before anything is allocated from the count.
        if (count > bytes.size() / SECTION_HEADER_SIZE) {
            throw bytes.fail(count + " section headers cannot fit in a file of " + bytes.size() + " bytes");
        }
        bytes.require(shoff, count * SECTION_HEADER_SIZE, "section header table");
        if (namesIndex == 0 || namesIndex >= count) {
            throw bytes.fail("section name table index " + namesIndex + " is not a section (there are " + count + ")");
        }
        return new ElfHeader(shoff, (int) count, (int) namesIndex);
    }
}
