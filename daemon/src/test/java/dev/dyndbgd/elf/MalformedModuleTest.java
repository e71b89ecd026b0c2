package dev.dyndbgd.elf;

import dev.dyndbgd.site.ModuleImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged modules: every one must end in a {@link MalformedModuleException} that names the file and
 * the reason, never another exception and never a hang.
 */
class MalformedModuleTest {
    private static final String SOURCE = "drivers/foo.ko";

    @TempDir
    static Path dir;
    static byte[] good;
    static byte[] classy;

    @BeforeAll
    static void compileFixtures() throws Exception {
        good = Files.readAllBytes(Fixtures.module(dir, Fixtures.SITES_C, "fixture.ko"));
        classy = Files.readAllBytes(Fixtures.module(dir, Fixtures.CLASS_MAP_56_C, "classy56.ko"));
    }

    static ModuleImage parse(byte[] bytes) throws MalformedModuleException {
        return KernelModuleReader.parse(ByteBuffer.wrap(bytes), SOURCE, "foo");
    }

    /** Asserts the bytes are rejected with a message naming the file and containing each fragment. */
    static MalformedModuleException rejected(byte[] bytes, String... fragments) {
        MalformedModuleException e = assertThrows(MalformedModuleException.class, () -> parse(bytes));
        assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
        return e;
    }

    /** Parsing either succeeds or fails with a well-formed MalformedModuleException; nothing else. */
    static void survives(byte[] bytes, String what) {
        try {
            parse(bytes);
        } catch (MalformedModuleException e) {
            if (!e.getMessage().startsWith(SOURCE + ": ") || e.reason().isBlank()) {
                fail(what + ": bad message " + e.getMessage());
            }
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    @Test
    void fixtureIsGood() throws Exception {
        assertEquals(5, parse(good).sites().size());
        assertEquals(1, parse(classy).classMaps().size());
    }

    @Test
    void readNamesThePath() throws Exception {
        Path broken = dir.resolve("broken-mod.ko");
        Files.write(broken, Arrays.copyOf(good, 40));
        MalformedModuleException e = assertThrows(MalformedModuleException.class, () -> KernelModuleReader.read(broken));
        assertEquals(broken.toString(), e.source());
        assertEquals(broken + ": file is 40 bytes, too short for an ELF header (64 bytes)", e.getMessage());
    }

    @Test
    void notElf() {
        rejected("this is not an ELF file at all, just text that is long enough to be one".getBytes(), "not an ELF file");
        rejected(new byte[0], "file is 0 bytes");
    }

    @Test
    void wrongMachine() {
        rejected(new ElfPatch(good).putU16(18, 3).bytes, "ELF machine 3 is not x86-64 (62)");
    }

    @Test
    void thirtyTwoBitClass() {
        rejected(new ElfPatch(good).putU8(4, 1).bytes, "ELF class 1 (32-bit) is not ELFCLASS64");
    }

    @Test
    void bigEndian() {
        rejected(new ElfPatch(good).putU8(5, 2).bytes, "big-endian");
    }

    @Test
    void notRelocatable() {
        rejected(new ElfPatch(good).putU16(16, 3).bytes, "ELF type 3 is not a relocatable object");
    }

    @Test
    void sectionTableOutsideFile() {
        rejected(new ElfPatch(good).putU64(40, good.length - 10).bytes, "lies outside the file");
        rejected(new ElfPatch(good).putU64(40, -1L).bytes, "lies outside the file");
        rejected(new ElfPatch(good).putU16(60, 0xfff0).bytes, "section headers cannot fit");
    }

    @Test
    void sectionContentsOutsideFile() {
        rejected(new ElfPatch(good).setSectionField("__dyndbg", ElfPatch.SH_OFFSET, good.length).bytes,
                "(__dyndbg)", "lies outside the file");
        rejected(new ElfPatch(good).setSectionField(".rodata", ElfPatch.SH_SIZE, Long.MAX_VALUE).bytes,
                "(.rodata)", "lies outside the file");
    }

    @Test
    void sizeNotMultipleOf56() {
        rejected(new ElfPatch(good).setSectionField("__dyndbg", ElfPatch.SH_SIZE, 100).bytes,
                SOURCE + ": __dyndbg size 100 is not a multiple of 56");
    }

    @Test
    void strayObjectInDyndbg() throws Exception {
        byte[] odd = Files.readAllBytes(Fixtures.module(dir, Fixtures.ODD_SIZE_C, "odd.ko"));
        rejected(odd, "__dyndbg size 64 is not a multiple of 56");
    }

    @Test
    void relocationOutOfRange() {
        ElfPatch p = new ElfPatch(good);
        rejected(p.putU64(p.relocation(".rela__dyndbg", 0), 0x10000).bytes, "at offset 0x10000 lies outside __dyndbg");
        ElfPatch q = new ElfPatch(good);
        int dyndbgSize = (int) q.sectionField("__dyndbg", ElfPatch.SH_SIZE);
        rejected(q.putU64(q.relocation(".rela__dyndbg", 0), dyndbgSize - 4).bytes, "lies outside __dyndbg");
    }

    @Test
    void relocationSymbolOutOfRange() {
        ElfPatch p = new ElfPatch(good);
        int entry = p.relocation(".rela__dyndbg", 1);
        rejected(p.putU32(entry + 12, 5000).bytes, "refers to symbol 5000, but the symbol table has");
    }

    @Test
    void relocationOfWrongType() {
        ElfPatch p = new ElfPatch(good);
        rejected(p.putU32(p.relocationAt(".rela__dyndbg", 8) + 8, 2).bytes,
                "call site 0 (__dyndbg offset 0x0) function pointer has relocation type 2, expected R_X86_64_64 (1)");
    }

    @Test
    void siteWithoutFormatRelocation() {
        ElfPatch p = new ElfPatch(good);
        // Move site 0's format relocation (offset 24) onto its static key (offset 48).
        rejected(p.putU64(p.relocationAt(".rela__dyndbg", 24), 48).bytes, "call site 0 (__dyndbg offset 0x0) format pointer has no relocation");
    }

    @Test
    void duplicateRelocation() {
        ElfPatch p = new ElfPatch(good);
        rejected(p.putU64(p.relocationAt(".rela__dyndbg", 24), 16).bytes, "two relocations patch offset 0x10 of __dyndbg");
    }

    @Test
    void missingRelocationSection() {
        rejected(new ElfPatch(good).setSectionField(".rela__dyndbg", ElfPatch.SH_INFO, 0).bytes,
                "__dyndbg holds 5 call sites but there is no .rela__dyndbg relocation section");
        rejected(new ElfPatch(good).setSectionField(".rela__dyndbg", ElfPatch.SH_TYPE, 1).bytes,
                "no .rela__dyndbg relocation section");
    }

    @Test
    void relocationSectionWithBadEntrySizeOrLink() {
        rejected(new ElfPatch(good).setSectionField(".rela__dyndbg", ElfPatch.SH_ENTSIZE, 16).bytes,
                "entry size 16, expected 24");
        rejected(new ElfPatch(good).setSectionField(".rela__dyndbg", ElfPatch.SH_SIZE, 25).bytes,
                "size 25 is not a multiple of 24");
        rejected(new ElfPatch(good).setSectionField(".rela__dyndbg", ElfPatch.SH_LINK, 1).bytes,
                "not the object's symbol table");
    }

    @Test
    void symbolTableProblems() {
        rejected(new ElfPatch(good).setSectionField(".symtab", ElfPatch.SH_ENTSIZE, 20).bytes, "entry size 20");
        rejected(new ElfPatch(good).setSectionField(".symtab", ElfPatch.SH_LINK, 999).bytes,
                "symbol table .symtab sh_link refers to section index 999, which does not exist");
        rejected(new ElfPatch(good).setSectionField(".symtab", ElfPatch.SH_TYPE, 1).bytes, "no symbol table");
    }

    @Test
    void unterminatedString() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.module(dir, Fixtures.UNTERMINATED_C, "unterminated.ko"));
        rejected(bytes, "format pointer points to a string at offset 0x0 of .rodata.raw that is not NUL-terminated");
    }

    @Test
    void stringSectionCutShort() {
        // Shrinking .rodata leaves the strings near its end without their NUL, or out of range.
        ElfPatch p = new ElfPatch(good);
        long size = p.sectionField(".rodata", ElfPatch.SH_SIZE);
        for (long cut = 1; cut < size; cut++) {
            p.setSectionField(".rodata", ElfPatch.SH_SIZE, size - cut);
            survives(p.bytes, "rodata cut by " + cut);
        }
        p.setSectionField(".rodata", ElfPatch.SH_SIZE, 1);
        rejected(p.bytes, "of .rodata");
    }

    @Test
    void unterminatedSectionName() {
        ElfPatch p = new ElfPatch(good);
        long size = p.sectionField(".shstrtab", ElfPatch.SH_SIZE);
        rejected(p.setSectionField(".shstrtab", ElfPatch.SH_SIZE, size - 1).bytes, "not NUL-terminated inside the section name table");
    }

    @Test
    void unterminatedModinfo() {
        ElfPatch p = new ElfPatch(good);
        long size = p.sectionField(".modinfo", ElfPatch.SH_SIZE);
        long offset = p.sectionField(".modinfo", ElfPatch.SH_OFFSET);
        // The reader stops at the first name= entry, so spoil that key to make it reach the last
        // entry, then drop that entry's NUL.
        String text = new String(p.bytes, (int) offset, (int) size, java.nio.charset.StandardCharsets.ISO_8859_1);
        int name = text.indexOf("name=");
        p.putU8((int) offset + name, 'N');
        p.setSectionField(".modinfo", ElfPatch.SH_SIZE, size - 1);
        rejected(p.bytes, ".modinfo entry at offset", "is not NUL-terminated");
    }

    @Test
    void classMapProblems() {
        rejected(new ElfPatch(classy).setSectionField(".rela__dyndbg_classes", ElfPatch.SH_INFO, 0).bytes,
                "__dyndbg_classes is not empty but there is no .rela__dyndbg_classes");
        ElfPatch p = new ElfPatch(classy);
        int mapAt = (int) p.sectionField("__dyndbg_classes", ElfPatch.SH_OFFSET);
        rejected(p.putU32(mapAt + 40, 70).bytes, "class map 0 (__dyndbg_classes offset 0x0) covers class ids 0 to 69");
        ElfPatch q = new ElfPatch(classy);
        rejected(q.putU32(mapAt + 48, 4).bytes, "map type 4, expected 0..3");
        ElfPatch r = new ElfPatch(classy);
        rejected(r.putU32(mapAt + 40, 5).bytes, "class names array of 5 pointers", "runs past the end of .data");
        ElfPatch s = new ElfPatch(classy);
        rejected(s.setSectionField("__dyndbg_classes", ElfPatch.SH_SIZE, 40).bytes,
                "__dyndbg_classes size 40 is not a multiple of 56");
        ElfPatch t = new ElfPatch(classy);
        rejected(t.putU64(t.relocationAt(".rela__dyndbg_classes", 24), 0).bytes,
                "cannot tell the __dyndbg_classes layout", "neither is");
        ElfPatch u = new ElfPatch(classy);
        rejected(u.putU64(u.relocationAt(".rela__dyndbg_classes", 16), 8).bytes,
                "cannot tell the __dyndbg_classes layout", "both are");
    }

    @Test
    void truncatedAtEveryLength() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int length = 0; length < good.length; length++) {
                byte[] cut = Arrays.copyOf(good, length);
                // gcc puts the section headers last, so every truncation must be detected.
                MalformedModuleException e = assertThrows(MalformedModuleException.class, () -> parse(cut),
                        "length " + length);
                assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
            }
        });
    }

    @Test
    void randomBitFlipsInHeaderAndSectionTable() {
        ElfPatch layout = new ElfPatch(good);
        int shoff = layout.sectionHeaderOffset();
        int shend = shoff + layout.sectionCount() * 64;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random random = new Random(0x6479_6e64_6267L);
            for (int round = 0; round < 20_000; round++) {
                byte[] bytes = good.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(64 + (shend - shoff));
                    at = at < 64 ? at : shoff + (at - 64);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
                survives(bytes, "round " + round);
            }
        });
    }

    @Test
    void randomCorruptionAnywhere() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random random = new Random(42);
            for (byte[] base : new byte[][]{good, classy}) {
                for (int round = 0; round < 20_000; round++) {
                    byte[] bytes = base.clone();
                    int changes = 1 + random.nextInt(8);
                    for (int c = 0; c < changes; c++) {
                        int at = random.nextInt(bytes.length);
                        bytes[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (bytes[at] ^ (1 << random.nextInt(8)));
                    }
                    survives(bytes, "round " + round);
                }
            }
        });
    }

    @Test
    void overlappingStringsCannotMultiplyTheWork() throws Exception {
        // 2,000 formats pointing one byte apart into a 200 kB string: 400 MB of text from a 0.5 MB file
        // unless the reader bounds what it scans.
        StringBuilder c = new StringBuilder(Fixtures.DDEBUG_STRUCT);
        c.append("static const char big[200000] = { [0 ... 199998] = 'x' };\n");
        c.append("static struct _ddebug many[2000] __attribute__((used, section(\"__dyndbg\"), aligned(8))) = {\n");
        for (int i = 0; i < 2000; i++) {
            c.append("\t{ \"m\", \"f\", \"x.c\", big + ").append(i).append(", 1, 63, 0 },\n");
        }
        c.append("};\n");
        byte[] bomb = Files.readAllBytes(Fixtures.module(dir, c.toString(), "stringbomb.ko"));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> rejected(bomb, "strings referenced by the file add up to more than twice the file's size"));
    }

    @Test
    void hugeCountsDoNotAllocate() {
        // A relocation section claiming to be enormous is caught by the file-size check before any
        // array is sized from it.
        rejected(new ElfPatch(good).setSectionField(".rela__dyndbg", ElfPatch.SH_SIZE, 24L << 40).bytes,
                "lies outside the file");
        rejected(new ElfPatch(good).setSectionField(".symtab", ElfPatch.SH_SIZE, 24L << 40).bytes,
                "lies outside the file");
    }
}
