package dev.dyndbgd.elf;

import dev.dyndbgd.site.Flags;
import dev.dyndbgd.site.SiteRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a module's {@code __dyndbg} section: the array of {@code struct _ddebug} that every
 * {@code pr_debug()}/{@code dev_dbg()} call site emits (Linux 6.x {@code include/linux/dynamic_debug.h}).
 *
 * <p>Layout of one 56-byte, 8-aligned descriptor on x86-64:
 * <pre>
 *   0  const char *modname     (not needed: the module name comes from .modinfo)
 *   8  const char *function
 *  16  const char *filename
 *  24  const char *format
 *  32  u32: lineno:18 | class_id:6 | flags:8   (GCC packs bit-fields from bit 0 on little-endian)
 *  36  padding
 *  40  static key (16 bytes; runtime state, ignored)
 * </pre>
 * The four pointers are zero in the file; their values exist only as relocations in
 * {@code .rela__dyndbg}.
 */
final class DyndbgSiteDecoder {
    static final String SECTION = "__dyndbg";
    static final int DESCRIPTOR_SIZE = 56;

    private static final int FUNCTION = 8;
    private static final int FILENAME = 16;
    private static final int FORMAT = 24;
    private static final int BITFIELDS = 32;
    private static final int LINE_MASK = (1 << 18) - 1;
    private static final int CLASS_SHIFT = 18;
    private static final int CLASS_MASK = (1 << 6) - 1;
    private static final int FLAGS_SHIFT = 24;

    private DyndbgSiteDecoder() {
    }

    /** The call sites in descriptor order, which is the order the kernel lists them in {@code control}. */
    static List<SiteRecord> decode(ElfObject elf, PointerResolver pointers) throws MalformedModuleException {
        ElfBytes bytes = elf.bytes();
        ElfSection section = elf.nonEmptySection(SECTION);
        if (section == null) {
            return List.of();
        }
        if (section.size() % DESCRIPTOR_SIZE != 0) {
            throw bytes.fail(SECTION + " size " + section.size() + " is not a multiple of " + DESCRIPTOR_SIZE);
        }
        int count = section.size() / DESCRIPTOR_SIZE;
        RelocationTable relocations = elf.relocationsFor(section);
        if (relocations == null) {
            throw bytes.fail(SECTION + " holds " + count + " call sites but there is no .rela" + SECTION
                    + " relocation section, so their strings cannot be found");
        }
        List<SiteRecord> sites = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int base = i * DESCRIPTOR_SIZE;
            String where = "call site " + i + " (" + SECTION + " offset 0x" + Integer.toHexString(base) + ")";
            String function = pointers.string(relocations, base + FUNCTION, where + " function pointer");
            String file = pointers.string(relocations, base + FILENAME, where + " filename pointer");
            String format = pointers.string(relocations, base + FORMAT, where + " format pointer");
            long word = bytes.u32(section.offset() + base + BITFIELDS);
            int line = (int) (word & LINE_MASK);
            int classId = (int) ((word >>> CLASS_SHIFT) & CLASS_MASK);
            // Bits the kernel may add later mean nothing to this table; drop them rather than reject.
            int flags = (int) (word >>> FLAGS_SHIFT) & Flags.ALL;
            sites.add(new SiteRecord(file, function, format, line, classId, flags));
        }
        return sites;
    }
}
