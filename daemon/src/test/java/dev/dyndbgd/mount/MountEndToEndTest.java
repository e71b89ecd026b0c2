package dev.dyndbgd.mount;

import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.fuse.MountTable;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.table.HeapBodyStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.dyndbgd.mount.DaemonProcess.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** control on a real FUSE mount, driven by real shell processes, as a user would drive debugfs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class MountEndToEndTest {
    @TempDir
    static Path work;
    private Path modules;
    private DaemonProcess daemon;

    @BeforeAll
    void start() throws Exception {
        FuseRequirements.check();
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        modules = Files.createDirectories(work.resolve("modules"));
        Fixtures.generatedModule(modules, "alpha", 40);
        Fixtures.sitesModule(modules);
        daemon = DaemonProcess.start(work, "--load", modules.toString());
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private String control() throws Exception {
        return sh("cat " + daemon.control()).out();
    }

    @Test
    void goodQueryReturnsZeroAndChangesControl() throws Exception {
        // printf, not echo: dash's echo would turn the \n into a real newline, which splits the query.
        var r = sh("printf '%s\\n' 'module alpha format \"site 7\\n\" +pf' > " + daemon.control());
        assertEquals(0, r.exit(), r.err());
        assertTrue(control().contains(" [alpha]fn_7 =pf \"alpha site 7\\n\"\n"));
        sh("echo 'module alpha -pf' > " + daemon.control());
    }

    @Test
    void badQueryFailsWithInvalidArgumentAndChangesNothing() throws Exception {
        String before = control();
        var r = sh("echo 'module alpha +x' > " + daemon.control());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("write error: Invalid argument"), r.err());
        assertEquals(before, control());
        assertTrue(daemon.logText().contains("dyndbg: unknown flag 'x'"));
    }

    @Test
    void writesOverOnePageAreRefusedWholeWithE2big() throws Exception {
        String before = control();
        // 4095 bytes: one valid query padded with blanks, accepted in one piece.
        var ok = sh("{ printf 'module alpha func fn_3 +t'; head -c 4070 /dev/zero | tr '\\0' ' '; } | dd of=" + daemon.control()
                + " bs=4095 count=1 iflag=fullblock status=none");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(control().contains("=t \"alpha site"));
        var big = sh("{ printf 'module alpha +p'; head -c 4081 /dev/zero | tr '\\0' ' '; } | dd of=" + daemon.control()
                + " bs=4096 count=1 iflag=fullblock status=none");
        assertEquals(1, big.exit());
        assertTrue(big.err().contains("Argument list too long"), big.err());
        sh("echo 'module alpha -t' > " + daemon.control());
        assertEquals(before, control());
    }

    @Test
    void appendTruncateAndTools() throws Exception {
        assertEquals(0, sh("echo 'module fixture_mod +m' >> " + daemon.control()).exit());
        assertEquals(0, sh("truncate -s 0 " + daemon.control()).exit());
        String text = control();
        assertEquals(text.length() + "", sh("wc -c < " + daemon.control()).out().trim());
        assertEquals(text.lines().count() + "", sh("wc -l < " + daemon.control()).out().trim());
        assertEquals(text.lines().limit(3).toList(), sh("head -n 3 " + daemon.control()).out().lines().toList());
        assertEquals(text.lines().filter(l -> l.contains("[fixture_mod]")).toList(),
                sh("LC_ALL=C grep -a '\\[fixture_mod\\]' " + daemon.control()).out().lines().toList());
        // Reads at odd sizes and offsets see the same bytes.
        String tail = sh("dd if=" + daemon.control() + " bs=7 skip=13 status=none").out();
        assertEquals(text.substring(91), tail);
        sh("echo 'module fixture_mod -m' > " + daemon.control());
    }

    @Test
    void catEqualsTheInProcessViewOfTheSameInputs() throws Exception {
        Daemon same = new Daemon(new DyndbgLog(0), HeapBodyStore.factory());
        same.load(List.of(modules));
        same.registerSelf(); // in Daemon.start's order: the daemon's own table after the loaded ones
        String batch = "=_\nmodule alpha func fn_1 +pmf\nfile fixture.c +l";
        same.engine().write(batch);
        assertEquals(0, sh("printf '" + batch.replace("\n", "\\n") + "' > " + daemon.control()).exit());
        assertEquals(ControlStream.snapshot(same.registry()), control());
    }

    @Test
    void controlIsRootOwned0644AndOthersMayReadButNotWrite() throws Exception {
        var ls = sh("stat -c '%a %U' " + daemon.control());
        assertEquals("644 root", ls.out().trim());
        var read = sh("setpriv --reuid=65534 --regid=65534 --clear-groups cat " + daemon.control() + " | wc -l");
        assertEquals(control().lines().count() + "", read.out().trim(), read.err());
        var write = sh("setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \"echo +p > " + daemon.control() + "\"");
        assertEquals(2, write.exit() == 0 ? 0 : 2, "non-root write must fail");
        assertTrue(write.err().contains("Permission denied"), write.err());
    }

    @Test
    void secondDaemonRefusesALiveMount() throws Exception {
        var second = DaemonProcess.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.dyndbgd.daemon.Main", "--mount", daemon.mount.toString(),
                "--state-file", work.resolve("state2").toString(), "--load", modules.toString()));
        assertEquals(1, second.exit());
        assertTrue(second.err().contains("already mounted and answering"), second.err() + second.out());
        assertTrue(MountTable.at(daemon.mount).isPresent());
        assertTrue(control().startsWith("# filename:lineno"));
    }

    @Test
    void poolFilesShowTheLivePoolAndCompactOnDemand() throws Exception {
        Path zs = daemon.mount.resolve("zsmalloc");
        String classes = sh("cat " + zs.resolve("classes")).out();
        String header = String.format(" %5s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %13s %10s %10s %16s %8s",
                "class", "size", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "99%", "100%",
                "obj_allocated", "obj_used", "pages_used", "pages_per_zspage", "freeable");
        assertEquals(header, classes.lines().findFirst().orElseThrow());
        assertEquals(119 + 3, classes.lines().count(), "header, 119 classes, blank line, Total");
        String total = classes.lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(total.startsWith(" Total"), total);
        String[] mm = sh("cat " + zs.resolve("mm_stat")).out().trim().split(" +");
        assertEquals(9, mm.length);
        assertTrue(Long.parseLong(mm[0]) > Long.parseLong(mm[1]), "bodies are stored compressed");
        assertTrue(Long.parseLong(mm[2]) > 0);
        var compact = sh("echo 1 > " + zs.resolve("compact"));
        assertEquals(0, compact.exit(), compact.err());
        assertTrue(daemon.logText().contains("reclaim: compacted"), daemon.logText());
        assertEquals(1, sh("cat " + zs.resolve("compact")).exit(), "compact is write-only");
        sh("cat " + daemon.mount.resolve("control") + " > /dev/null"); // leaves the rendered text cached
        String stats = sh("cat " + daemon.mount.resolve("stats")).out();
        assertTrue(stats.contains("call sites") && stats.contains("total resident bytes per site"), stats);
        double perSite = statValue(stats, "total resident bytes per site");
        double atRest = statValue(stats, "  at rest (no control cache)");
        double cached = statValue(stats, "bytes in cached control text");
        double sites = statValue(stats, "call sites");
        assertTrue(cached > 0, "control was just read: its text is cached\n" + stats);
        assertEquals(perSite - cached / sites, atRest, 0.02, "at rest leaves out exactly the cached control text\n" + stats);
        assertEquals("444 444 200", sh("stat -c %a " + zs.resolve("classes") + " " + zs.resolve("mm_stat") + " "
                + zs.resolve("compact") + " | tr '\\n' ' '").out().trim());
    }

    /** The number on the stats line that starts with {@code name}. */
    private static double statValue(String stats, String name) {
        return stats.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length()).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no line " + name + " in\n" + stats));
    }

    @Test
    void verboseIsReadAndSetLikeTheKernelParameter() throws Exception {
        Path verbose = daemon.mount.resolve("verbose");
        assertEquals("0\n", sh("cat " + verbose).out());
        assertEquals(0, sh("echo 1 > " + verbose).exit());
        assertEquals("1\n", sh("cat " + verbose).out());
        sh("echo 'module nosuch +p' > " + daemon.control());
        assertTrue(daemon.logText().contains("dyndbg: query 0: \"module nosuch +p\" mod:*"), daemon.logText());
        assertTrue(daemon.logText().contains("dyndbg: no matches for query"));
        var bad = sh("echo 7 > " + verbose);
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("Invalid argument"), bad.err());
        assertEquals(0, sh("echo 0 > " + verbose).exit());
    }
}
