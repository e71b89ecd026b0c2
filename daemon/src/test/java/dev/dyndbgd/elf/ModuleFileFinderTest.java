package dev.dyndbgd.elf;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ModuleFileFinderTest {
    @TempDir
    Path dir;

    private Path touch(String relative) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[]{1});
    }

    @Test
    void fileYieldsItself() throws Exception {
        Path any = touch("whatever.bin");
        assertEquals(List.of(any), ModuleFileFinder.find(any));
    }

    @Test
    void missingPathIsAnError() {
        assertThrows(NoSuchFileException.class, () -> ModuleFileFinder.find(dir.resolve("nope")));
    }

    @Test
    void walksRecursivelyInCByteOrderAndSkipsLinks() throws Exception {
        touch("kernel/sound/snd-pcm.ko");
        touch("kernel/drivers/usb/usbcore.ko.zst");
        touch("kernel/drivers/usb/usb-common.ko.xz");
        touch("kernel/drivers/Z.ko.gz");
        touch("kernel/drivers/a.ko");
        touch("kernel/drivers/readme.txt");
        touch("kernel/drivers/x.ko.bz2");
        touch("kernel/drivers/.ko");
        Files.createDirectories(dir.resolve("kernel/dir.ko"));           // a directory, not a file
        Files.createSymbolicLink(dir.resolve("kernel/loop"), dir);       // a loop back to the top
        Files.createSymbolicLink(dir.resolve("kernel/linked.ko"), dir.resolve("kernel/drivers/a.ko"));
        List<Path> found = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ModuleFileFinder.find(dir));
        assertEquals(List.of(
                dir.resolve("kernel/drivers/Z.ko.gz"),     // 'Z' (0x5a) sorts before 'a' (0x61)
                dir.resolve("kernel/drivers/a.ko"),
                dir.resolve("kernel/drivers/usb/usb-common.ko.xz"),
                dir.resolve("kernel/drivers/usb/usbcore.ko.zst"),   // '-' (0x2d) before 'c'
                dir.resolve("kernel/sound/snd-pcm.ko")), found);
        if (Tools.onPath("find") && Tools.onPath("sort")) {
            String shell = Tools.run(dir, "sh", "-c", "find '" + dir + "' -type f \\( -name '?*.ko' -o -name '?*.ko.xz'"
                    + " -o -name '?*.ko.zst' -o -name '?*.ko.gz' \\) | LC_ALL=C sort");
            assertEquals(shell.lines().toList(), found.stream().map(Path::toString).toList());
        }
    }

    @Test
    void ordersByUtf8BytesNotUtf16() throws Exception {
        Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "file names are not UTF-8");
        // U+FF21 is EF BC A1 in UTF-8 but 0xFF21 in UTF-16; U+1D11E is F0 9D 84 9E but 0xD834 0xDD1E.
        // String.compareTo puts the clef first; byte order (LC_ALL=C sort) puts the fullwidth A first.
        Path clef = touch("m/\uD834\uDD1E.ko");
        Path fullwidth = touch("m/\uFF21.ko");
        Path ascii = touch("m/z.ko");
        assertEquals(-1, Integer.signum("\uD834\uDD1E".compareTo("\uFF21")));
        assertEquals(List.of(ascii, fullwidth, clef), ModuleFileFinder.find(dir));
        if (Tools.onPath("find")) {
            String shell = Tools.run(dir, "sh", "-c", "find '" + dir + "' -type f | LC_ALL=C sort");
            assertEquals(shell.lines().toList(), ModuleFileFinder.find(dir).stream().map(Path::toString).toList());
        }
    }

    @Test
    void symlinkedStartDirectoryIsEnteredAndReportedUnderItsOwnName() throws Exception {
        touch("real/a.ko");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        assertEquals(List.of(link.resolve("a.ko")), ModuleFileFinder.find(link));
    }
}
