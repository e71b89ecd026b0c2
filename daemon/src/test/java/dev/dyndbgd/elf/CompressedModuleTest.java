package dev.dyndbgd.elf;

import com.github.luben.zstd.ZstdOutputStream;
import dev.dyndbgd.site.ModuleImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressedModuleTest {
    @TempDir
    static Path dir;
    static Path plain;
    static byte[] plainBytes;
    static ModuleImage expected;

    @BeforeAll
    static void compile() throws Exception {
        plain = Fixtures.module(dir, Fixtures.SITES_C, "fixture.ko");
        plainBytes = Files.readAllBytes(plain);
        expected = KernelModuleReader.read(plain);
    }

    /** Compresses with the Java libraries, so these tests need no command-line tools. */
    static byte[] compress(ModuleCompression c, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = switch (c) {
            case XZ -> new XZOutputStream(out, new LZMA2Options(1));
            case ZSTD -> new ZstdOutputStream(out);
            case GZIP -> new GZIPOutputStream(out);
            case NONE -> out;
        }) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @ParameterizedTest
    @EnumSource(value = ModuleCompression.class, names = {"XZ", "ZSTD", "GZIP"})
    void compressedWithJavaLibrariesReadsTheSame(ModuleCompression c) throws Exception {
        Path file = write("java-" + c + c.suffix(), compress(c, plainBytes));
        assertEquals(expected, KernelModuleReader.read(file));
    }

    @ParameterizedTest
    @EnumSource(value = ModuleCompression.class, names = {"XZ", "ZSTD", "GZIP"})
    void compressedWithCommandLineToolsReadsTheSame(ModuleCompression c) throws Exception {
        String tool = switch (c) {
            case XZ -> "xz";
            case ZSTD -> "zstd";
            default -> "gzip";
        };
        Tools.assume(tool);
        Path copy = Files.copy(plain, dir.resolve("cli-" + c + ".ko"));
        // The kernel's own settings for xz modules: CRC32 check, 1 MiB dictionary.
        if (c == ModuleCompression.XZ) {
            Tools.run(dir, "xz", "-q", "--check=crc32", "--lzma2=dict=1MiB", copy.getFileName().toString());
        } else if (c == ModuleCompression.ZSTD) {
            Tools.run(dir, "zstd", "-q", "--rm", "-T0", copy.getFileName().toString());
        } else {
            Tools.run(dir, "gzip", "-n", copy.getFileName().toString());
        }
        assertEquals(expected, KernelModuleReader.read(dir.resolve("cli-" + c + c.suffix())));
    }

    @ParameterizedTest
    @EnumSource(value = ModuleCompression.class, names = {"XZ", "ZSTD", "GZIP"})
    void fileNameFallbackStripsCompressedSuffix(ModuleCompression c) throws Exception {
        Path ko = Fixtures.module(dir, Fixtures.NAMELESS_C, "nameless-" + c + ".ko");
        Path file = write("snd-usb-thing" + c.suffix(), compress(c, Files.readAllBytes(ko)));
        assertEquals("snd_usb_thing", KernelModuleReader.read(file).name());
    }

    @ParameterizedTest
    @EnumSource(value = ModuleCompression.class, names = {"XZ", "ZSTD", "GZIP"})
    void decompressionBombIsRejected(ModuleCompression c) throws Exception {
        Path bomb = write("bomb" + c.suffix(), compress(c, new byte[4 << 20]));
        ModuleFileLoader loader = new ModuleFileLoader(1 << 20);
        MalformedModuleException e = assertThrows(MalformedModuleException.class, () -> KernelModuleReader.read(bomb, loader));
        assertEquals(bomb + ": " + c.name().toLowerCase() + " data decompresses to more than the limit of 1048576 bytes",
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = ModuleCompression.class, names = {"XZ", "ZSTD", "GZIP"})
    void exactlyAtTheCapIsAccepted(ModuleCompression c) throws Exception {
        Path file = write("exact" + c.suffix(), compress(c, new byte[1 << 20]));
        ByteBuffer loaded = new ModuleFileLoader(1 << 20).load(file);
        assertEquals(1 << 20, loaded.remaining());
    }

    @ParameterizedTest
    @EnumSource(value = ModuleCompression.class, names = {"XZ", "ZSTD", "GZIP"})
    void corruptDataIsRejected(ModuleCompression c) throws Exception {
        byte[] good = compress(c, plainBytes);
        String kind = "corrupt " + c.name().toLowerCase() + " data: ";
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // Garbage, a truncated stream, an empty file, and damage in the middle.
            byte[] garbage = "definitely not compressed data, not even close".getBytes();
            for (byte[] bad : new byte[][]{garbage, Arrays.copyOf(good, good.length / 2), new byte[0]}) {
                Path file = write("bad" + c.suffix(), bad);
                MalformedModuleException e = assertThrows(MalformedModuleException.class, () -> KernelModuleReader.read(file));
                assertTrue(e.getMessage().startsWith(file + ": " + kind), e.getMessage());
            }
            int mismatches = 0;
            for (int i = 0; i < 50; i++) {
                byte[] bad = good.clone();
                bad[good.length / 3 + i * 3] ^= 0x55;
                Path file = write("flipped" + c.suffix(), bad);
                try {
                    // Flips inside gzip/zstd data without a content checksum may still decode to an ELF
                    // file, which is then judged on its own merits.
                    KernelModuleReader.read(file);
                    mismatches++;
                } catch (MalformedModuleException e) {
                    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                }
            }
            if (c == ModuleCompression.XZ) {
                assertEquals(0, mismatches, "xz checks every block, so any flip must be caught");
            }
        });
    }

    @Test
    void plainFileOverTheCapIsRejected() throws Exception {
        MalformedModuleException e = assertThrows(MalformedModuleException.class,
                () -> KernelModuleReader.read(plain, new ModuleFileLoader(1000)));
        assertTrue(e.getMessage().contains("more than the limit of 1000"), e.getMessage());
    }

    @Test
    void xzMemoryLimitGuardsAgainstHugeDictionaries() throws Exception {
        // Rewrite the block header to claim a 768 MiB dictionary (LZMA2 property byte 35). Without the
        // decoder's memory limit that dictionary would be allocated before a byte is decoded.
        byte[] xz = compress(ModuleCompression.XZ, plainBytes);
        int block = 12;                       // the stream header is 12 bytes
        assertEquals(0x21, xz[block + 2], "LZMA2 filter id where expected");
        assertEquals(0x01, xz[block + 3], "one property byte");
        int headerSize = ((xz[block] & 0xff) + 1) * 4;
        xz[block + 4] = 35;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(xz, block, headerSize - 4);
        ByteBuffer.wrap(xz, block + headerSize - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        Path file = write("hugedict.ko.xz", xz);
        MalformedModuleException e = assertThrows(MalformedModuleException.class, () -> KernelModuleReader.read(file));
        assertTrue(e.getMessage().contains("corrupt xz data") && e.getMessage().contains("MemoryLimitException"),
                e.getMessage());
    }

    @Test
    void missingFileIsAnIoErrorNotAMalformedModule() {
        for (String name : new String[]{"missing.ko", "missing.ko.xz"}) {
            IOException e = assertThrows(IOException.class, () -> KernelModuleReader.read(dir.resolve(name)));
            assertTrue(e instanceof NoSuchFileException, e.toString());
        }
    }

    @Test
    void loaderRejectsNonsenseCaps() {
        assertThrows(IllegalArgumentException.class, () -> new ModuleFileLoader(0));
        assertThrows(IllegalArgumentException.class, () -> new ModuleFileLoader(1L << 40));
    }
}
