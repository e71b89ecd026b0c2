package dev.dyndbgd.elf;

import java.nio.charset.StandardCharsets;

/**
 * Reads the module name from {@code .modinfo}: a run of NUL-terminated {@code key=value} strings
 * (from {@code MODULE_INFO()}; modpost adds {@code name=} for every module it builds), possibly
 * with extra NUL padding between them.
 */
final class ModuleInfo {
    static final String SECTION = ".modinfo";
    private static final byte[] NAME_KEY = "name=".getBytes(StandardCharsets.US_ASCII);

    private ModuleInfo() {
    }

    /** The value of the first {@code name=} entry, or null when there is none or it is empty. */
    static String name(ElfObject elf) throws MalformedModuleException {
        ElfBytes bytes = elf.bytes();
        ElfSection section = elf.sections().findAllocated(SECTION);
        if (section == null || !section.hasContents()) {
            return null;
        }
        int end = section.end();
        for (int p = section.offset(); p < end; ) {
            int nul = bytes.indexOfNul(p, end);
            if (nul < 0) {
                throw bytes.fail(SECTION + " entry at offset 0x" + Integer.toHexString(p - section.offset())
                        + " is not NUL-terminated inside the section");
            }
            if (nul - p >= NAME_KEY.length && bytes.startsWith(p, NAME_KEY)) {
                String name = bytes.text(p + NAME_KEY.length, nul);
                return name.isEmpty() ? null : name;
            }
            p = nul + 1;   // empty strings (padding) just advance one byte
        }
        return null;
    }
}
