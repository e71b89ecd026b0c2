package dev.dyndbgd.elf;

import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.SiteRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a module's {@code __dyndbg_classes} section: the {@code struct ddebug_class_map} records
 * that {@code DECLARE_DYNDBG_CLASSMAP()} emits.
 *
 * <p>Two layouts exist in the wild:
 * <pre>
 *   Linux 6.1 .. 6.x (56 bytes)          newer (40 bytes, no list_head)
 *    0  struct list_head link (16)         0  struct module *mod
 *   16  struct module *mod                 8  const char *mod_name
 *   24  const char *mod_name              16  const char **class_names
 *   32  const char **class_names          24  int length
 *   40  int length                        28  int base
 *   44  int base                          32  enum class_map_type map_type
 *   48  enum class_map_type map_type      36  padding
 *   52  padding
 * </pre>
 * Nothing in the file says which one it is, but relocations do: {@code mod_name} always points at a
 * string, so the first record's {@code mod_name} relocation sits at offset 24 in the old layout and
 * at offset 8 in the new one, and neither layout ever relocates the other offset (offset 8 is the
 * list_head's {@code prev}, zero until load, in the old layout; offset 24 is the int {@code length}
 * in the new one).
 *
 * <p>{@code class_names} points at an array of {@code length} string pointers in some data section,
 * each patched by that section's own relocation section (e.g. {@code .rela.data}).
 */
final class DyndbgClassMapDecoder {
    static final String SECTION = "__dyndbg_classes";

    /** One layout: record size and field offsets. */
    private record Layout(int size, int modName, int classNames, int length, int base, int mapType) {
    }

    static final int OLD_RECORD_SIZE = 56;
    static final int NEW_RECORD_SIZE = 40;
    private static final Layout OLD = new Layout(OLD_RECORD_SIZE, 24, 32, 40, 44, 48);
    private static final Layout NEW = new Layout(NEW_RECORD_SIZE, 8, 16, 24, 28, 32);
    private static final int POINTER_SIZE = 8;

    private DyndbgClassMapDecoder() {
    }

    static List<ClassMap> decode(ElfObject elf, PointerResolver pointers) throws MalformedModuleException {
        ElfBytes bytes = elf.bytes();
        ElfSection section = elf.nonEmptySection(SECTION);
        if (section == null) {
            return List.of();
        }
        RelocationTable relocations = elf.relocationsFor(section);
        if (relocations == null) {
            throw bytes.fail(SECTION + " is not empty but there is no .rela" + SECTION
                    + " relocation section, so its names cannot be found");
        }
        Layout layout = layoutOf(bytes, section, relocations);
        if (section.size() % layout.size() != 0) {
            throw bytes.fail(SECTION + " size " + section.size() + " is not a multiple of " + layout.size()
                    + " (the record size its relocations indicate)");
        }
        int count = section.size() / layout.size();
        List<ClassMap> maps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            maps.add(decodeOne(elf, pointers, section, relocations, layout, i));
        }
        return maps;
    }

    private static Layout layoutOf(ElfBytes bytes, ElfSection section, RelocationTable relocations)
            throws MalformedModuleException {
        boolean old = relocations.has(OLD.modName());
        boolean neu = relocations.has(NEW.modName());
        if (old == neu) {
            throw bytes.fail("cannot tell the " + SECTION + " layout: the first record's module name pointer should "
                    + "be relocated at offset 24 (" + OLD_RECORD_SIZE + "-byte records) or 8 (" + NEW_RECORD_SIZE
                    + "-byte records), but " + (old ? "both are" : "neither is"));
        }
        return old ? OLD : NEW;
    }

    private static ClassMap decodeOne(ElfObject elf, PointerResolver pointers, ElfSection section,
                                      RelocationTable relocations, Layout layout, int i) throws MalformedModuleException {
        ElfBytes bytes = elf.bytes();
        int rec = i * layout.size();
        String where = "class map " + i + " (" + SECTION + " offset 0x" + Integer.toHexString(rec) + ")";
        String moduleName = pointers.string(relocations, rec + layout.modName(), where + " module name pointer");
        int length = bytes.s32(section.offset() + rec + layout.length());
        int base = bytes.s32(section.offset() + rec + layout.base());
        int mapType = bytes.s32(section.offset() + rec + layout.mapType());
        // Class ids are 6 bits and 63 means "no class", so a map can cover at most ids 0..62.
        if (length < 0 || base < 0 || (long) base + length > SiteRecord.CLASS_DEFAULT) {
            throw bytes.fail(where + " covers class ids " + base + " to " + ((long) base + length - 1)
                    + ", outside 0.." + (SiteRecord.CLASS_DEFAULT - 1));
        }
        ClassMap.Type[] types = ClassMap.Type.values();
        if (mapType < 0 || mapType >= types.length) {
            throw bytes.fail(where + " has map type " + mapType + ", expected 0.." + (types.length - 1));
        }
        List<String> names = new ArrayList<>(length);
        PointerResolver.Target array = pointers.target(relocations, rec + layout.classNames(), where + " class names pointer");
        if (length > 0) {
            if (array == null) {
                throw bytes.fail(where + " has " + length + " classes but its class names pointer has no relocation");
            }
            ElfSection arraySection = array.section();
            if ((long) array.offset() + (long) length * POINTER_SIZE > arraySection.size()) {
                throw bytes.fail(where + " class names array of " + length + " pointers at offset 0x"
                        + Integer.toHexString(array.offset()) + " runs past the end of " + arraySection);
            }
            RelocationTable arrayRelocations = elf.relocationsFor(arraySection);
            if (arrayRelocations == null) {
                throw bytes.fail(where + " class names array lies in " + arraySection
                        + ", which has no relocation section");
            }
            for (int n = 0; n < length; n++) {
                names.add(pointers.string(arrayRelocations, array.offset() + (long) n * POINTER_SIZE,
                        where + " class name " + n));
            }
        }
        return new ClassMap(moduleName, names, base, types[mapType]);
    }
}
