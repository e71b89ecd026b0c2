package dev.dyndbgd.robust;

import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.mount.DaemonProcess;
import dev.dyndbgd.mount.FuseRequirements;
import dev.dyndbgd.program.AdminRequests;
import dev.dyndbgd.program.ProgramModules;
import dev.dyndbgd.program.ProgramServer;
import dev.dyndbgd.selfdebug.SelfModule;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.ModuleTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hardening, item 3: the client protocol, fuzzed (see {@link ProtocolFuzzScenario} for the phases).
 * Once against an in-process {@link ProgramServer}, where memory can be measured, and once against a
 * real daemon process whose FUSE mount must keep answering {@code cat control} throughout.
 */
class ProtocolFuzzTest {
    @TempDir
    Path dir;

    /** Soft limit on open files of a process, from /proc. */
    static long openFilesLimit(String pid) throws IOException {
        Matcher m = Pattern.compile("Max open files\\s+(\\d+|unlimited)").matcher(Files.readString(Path.of("/proc", pid, "limits")));
        assertTrue(m.find());
        return m.group(1).equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(m.group(1));
    }

    static long openFiles(String pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", pid, "fd"))) {
            return s.count();
        }
    }

    /** Log lines that say the server itself failed rather than a client misbehaving. */
    static List<String> serverTrouble(List<String> lines) {
        List<String> bad = new ArrayList<>();
        for (String l : lines) {
            boolean dropped = l.contains(" dropped: ");
            boolean peerGone = l.contains("Broken pipe") || l.contains("Connection reset by peer");
            if (l.contains("program socket stopped") || l.contains("accepting a program connection failed")
                    || (dropped && !peerGone) || l.contains("Exception in thread")) {
                bad.add(l);
            }
        }
        return bad;
    }

    private static long heapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static BufferPoolMXBean pool(String name) {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void inProcessServer() throws Exception {
        long needed = 2L * (ProgramServer.MAX_CONNECTIONS + 100) + 500;   // both ends of every connection
        long limit = openFilesLimit("self");
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(limit >= needed, "open files limit " + limit);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(limit >= needed, "open files limit " + limit + " < " + needed);

        DyndbgLog log = new DyndbgLog(0);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        log.addLineListener(lines::add);
        Daemon daemon = new Daemon(log, HeapBodyStore.factory());
        daemon.registerSelf();
        Path root = Files.createDirectories(dir.resolve("loadroot"));
        Path mods = Files.createDirectories(root.resolve("mods"));
        Path fixture = Fixtures.sitesModule(mods);
        assertEquals(1, daemon.load(List.of(mods)).modules());
        Path flags = dir.resolve("flags");
        ProgramModules programs = new ProgramModules(daemon.registry(), log, flags);
        Path socket = dir.resolve("sock");
        long deadline = 7_000;
        ProgramServer server = ProgramServer.start(socket, programs,
                new AdminRequests(daemon.registry(), programs, log, SelfModule.NAME), log, deadline);
        ProtocolFuzzScenario.Target target = new ProtocolFuzzScenario.Target() {
            public Path socket() {
                return socket;
            }

            public long deadlineMillis() {
                return deadline;
            }

            public void query(String query) {
                assertTrue(daemon.engine().write(query).ok(), query);
            }

            public String control() {
                return ControlStream.snapshot(daemon.registry());
            }

            public Set<String> programModules() {
                Set<String> names = new TreeSet<>();
                for (ModuleTable t : daemon.registry().tables()) {
                    if (programs.holding(t).isPresent()) {
                        names.add(t.name());
                    }
                }
                return names;
            }

            public Path flagsDir() {
                return flags;
            }

            public void assertAlive() throws IOException {
                assertTrue(control().contains("[" + ProtocolFuzzScenario.BYSTANDER + "]"));
                try (ProtocolFuzzClient c = new ProtocolFuzzClient(socket)) {
                    assertTrue(c.write(ProtocolFuzzFrames.bytes(new Request.ListModules().frame()), 5000));
                    assertEquals(0, assertInstanceOf(Reply.Result.class, c.expectReply(5000)).errno());
                }
            }
        };
        ProtocolFuzzScenario s = new ProtocolFuzzScenario(target, "protocol-fuzz in-process", root,
                List.of(fixture.toString(), mods.toString(), root.resolve("nosuch.ko").toString()), "fixture_mod");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // Other tests in this JVM may have left direct memory behind (NIO caches a temporary direct
        // buffer per thread as large as the largest heap buffer it wrote): growth is what counts.
        long directBefore = pool("direct").getMemoryUsed();
        try {
            long t0 = System.nanoTime();
            s.start();
            s.fuzz(4000, 8, 10, 0x5eed);
            assertEquals(List.of(), s.failures(), "fuzz inputs the daemon answered against docs/protocol.md");
            long t1 = System.nanoTime();
            s.halfOpen();
            long t2 = System.nanoTime();
            s.flood(40);
            long t3 = System.nanoTime();
            // Memory: two rounds of 1,000 register/close cycles must end where the first did.
            long before = heapAfterGc(memory);
            s.cycles(1000, 4, 200);
            long afterFirst = heapAfterGc(memory);
            s.cycles(1000, 4, 200);
            long afterSecond = heapAfterGc(memory);
            long t4 = System.nanoTime();
            assertEquals(1 + ProtocolFuzzScenario.KEEPERS, programs.count(), "registrations held");
            long mapped = pool("mapped").getCount();
            long direct = pool("direct").getMemoryUsed();
            System.out.print(s.summary());
            System.out.printf("[protocol-fuzz in-process] heap after GC: %.1f MB before the cycles, %.1f MB after 1,000,"
                            + " %.1f MB after 2,000; %d mapped buffers; %.1f MB direct (%.1f MB before); phases: fuzz %d ms, half-open %d ms,"
                            + " flood %d ms, cycles %d ms%n", before / 1048576.0, afterFirst / 1048576.0, afterSecond / 1048576.0,
                    mapped, direct / 1048576.0, directBefore / 1048576.0, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000,
                    (t4 - t3) / 1_000_000);
            assertEquals(List.of(), s.failures());
            assertTrue(afterSecond - afterFirst < 24L << 20, "heap grew by " + (afterSecond - afterFirst) + " bytes over 1,000 cycles");
            // Each registration maps its flags file; mappings of released ones go with GC, so what is
            // left is the holders' (both sides) and a few of this run's module reads.
            assertTrue(mapped < 100, mapped + " mapped buffers after 2,000 registrations");
            assertTrue(direct - directBefore < 16L << 20, "direct memory grew from " + directBefore + " to " + direct + " bytes");
            assertEquals(List.of(), serverTrouble(lines));
            assertTrue(s.counted("fuzz inputs sent") >= 4000);
        } finally {
            s.stop();
            server.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void realDaemonKeepsServingItsMount() throws Exception {
        FuseRequirements.check();
        long needed = ProgramServer.MAX_CONNECTIONS + 300;
        long limit = openFilesLimit("self");
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(limit >= needed, "open files limit " + limit);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(limit >= needed, "open files limit " + limit + " < " + needed);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path root = Files.createDirectories(dir.resolve("loadroot"));
        Path mods = Files.createDirectories(root.resolve("mods"));
        Path fixture = Fixtures.sitesModule(mods);
        // The POSIX locale, as a service started without LANG has it: file names are then ASCII to the
        // JVM, so a LOAD path with a byte above 0x7f cannot even be turned into a Path.
        try (DaemonProcess d = DaemonProcess.start(work, Map.of("LC_ALL", "C", "LANG", "C"), "--load", mods.toString())) {
            String pid = Long.toString(d.pid());
            assertTrue(openFilesLimit(pid) >= needed, "the daemon's open files limit (the JVM raises its soft limit)");
            Path socket = DaemonProcess.socketOf(work);
            ProtocolFuzzScenario.Target target = new ProtocolFuzzScenario.Target() {
                public Path socket() {
                    return socket;
                }

                public long deadlineMillis() {
                    return 10_000;
                }

                public void query(String query) throws IOException {
                    // One write(2) is one batch, applied before the write returns.
                    try (FileOutputStream out = new FileOutputStream(d.control().toFile())) {
                        out.write((query + "\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                }

                public String control() throws IOException {
                    try {
                        DaemonProcess.Shell cat = DaemonProcess.sh("cat " + d.control());
                        assertEquals(0, cat.exit(), "cat control: " + cat.err());
                        return cat.out();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }

                public Set<String> programModules() throws IOException {
                    try (ProtocolFuzzClient c = new ProtocolFuzzClient(socket)) {
                        assertTrue(c.write(ProtocolFuzzFrames.bytes(new Request.ListModules().frame()), 5000));
                        Reply.Result r = assertInstanceOf(Reply.Result.class, c.expectReply(5000));
                        Set<String> names = new TreeSet<>();
                        for (String line : r.text().split("\n")) {
                            String[] f = line.trim().split(" +", 3);
                            if (f.length == 3 && f[2].startsWith("program ")) {
                                names.add(f[0]);
                            }
                        }
                        return names;
                    }
                }

                public Path flagsDir() {
                    return work.resolve("flags");
                }

                public void assertAlive() throws IOException {
                    assertTrue(d.process().isAlive(), "daemon alive");
                    String text = control();
                    assertTrue(text.startsWith("# filename:lineno [module]function flags format\n"), text);
                    assertTrue(text.contains("[" + ProtocolFuzzScenario.BYSTANDER + "]"), "the bystander is listed");
                }
            };
            ProtocolFuzzScenario s = new ProtocolFuzzScenario(target, "protocol-fuzz daemon", root,
                    List.of(fixture.toString(), mods.toString(), root.resolve("nosuch.ko").toString(),
                            root.resolve("nosuch-\u00e9t\u00e9.ko").toString()), "fixture_mod");
            try {
                s.start();
                // A path its encoding cannot hold is a path it cannot read: answered, not dropped.
                try (ProtocolFuzzClient c = new ProtocolFuzzClient(socket)) {
                    String path = root.resolve("caf\u00e9.ko").toString();
                    assertTrue(c.write(ProtocolFuzzFrames.bytes(new Request.Load(List.of(path)).frame()), 5000));
                    Reply.Result r = assertInstanceOf(Reply.Result.class, c.expectReply(5000), "LOAD of " + path);
                    assertEquals(dev.dyndbgd.client.protocol.Protocol.EINVAL, r.errno(), r.text());
                }
                long fdsBefore = openFiles(pid);
                long t0 = System.nanoTime();
                s.fuzz(1500, 6, 6, 0xdae);
                assertEquals(List.of(), s.failures(), "fuzz inputs the daemon answered against docs/protocol.md");
                long t1 = System.nanoTime();
                s.halfOpen();
                s.flood(30);
                long t2 = System.nanoTime();
                s.cycles(2000, 4, 100);
                long t3 = System.nanoTime();
                target.assertAlive();
                long fdsAfter = 0;
                for (int i = 0; i < 100 && (fdsAfter = openFiles(pid)) > fdsBefore + 10; i++) {
                    Thread.sleep(50);
                }
                System.out.print(s.summary());
                System.out.printf("[protocol-fuzz daemon] daemon open files: %d before the fuzz, %d after; phases: fuzz %d ms,"
                                + " half-open and flood %d ms, cycles %d ms; cat control answered throughout%n", fdsBefore, fdsAfter,
                        (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
                assertEquals(List.of(), s.failures());
                assertTrue(fdsAfter <= fdsBefore + 10, "daemon open files " + fdsBefore + " -> " + fdsAfter);
                assertEquals(List.of(), serverTrouble(d.logText().lines().toList()));
            } finally {
                s.stop();
            }
        }
    }

    /** Clock ticks of CPU (user + system) a process has used. */
    static long cpuTicks(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15 of stat(5)
    }

    static long lines(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    /**
     * Below {@link ProgramServer#MAX_CONNECTIONS}, the process itself can run out of descriptors (a
     * low hard limit): accept(2) then fails while the connection waits in the backlog. The daemon must
     * pause accepting and say so once, not retry in a loop that logs each failure, while the clients
     * it has keep being served; once descriptors are free again it accepts again.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void outOfFileDescriptorsPausesAcceptingInsteadOfSpinning() throws Exception {
        FuseRequirements.check();
        boolean prlimit = DaemonProcess.sh("command -v prlimit").exit() == 0;
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(prlimit, "CI must have prlimit (util-linux)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(prlimit, "prlimit (util-linux) is not installed");
        Path work = Files.createDirectories(dir.resolve("fds"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        try (DaemonProcess d = DaemonProcess.start(work, "--load", empty.toString())) {
            String pid = Long.toString(d.pid());
            Path socket = DaemonProcess.socketOf(work);
            List<ProtocolFuzzClient> clients = new ArrayList<>();
            try (ProtocolFuzzClient bystander = new ProtocolFuzzClient(socket)) {
                assertTrue(bystander.write(ProtocolFuzzFrames.bytes(ProtocolFuzzScenario.module("bystander", 2, 10).frame()), 5000));
                Reply.Registered r = assertInstanceOf(Reply.Registered.class, bystander.expectReply(5000));
                var flags = ProtocolFuzzClient.mapFlags(r.flagsPath(), 2);
                Matcher m = Pattern.compile("Max open files\\s+(\\S+)\\s+(\\S+)").matcher(Files.readString(Path.of("/proc", pid, "limits")));
                assertTrue(m.find());
                String restore = m.group(1) + ":" + m.group(2);
                // A daemon that has served for a while has loaded the classes control needs; this one is
                // fresh, and loads classes from a directory (one open(2) each) the first time.
                // Enabling and disabling both (an enabled site's body is kept decoded: PinnedBodies).
                assertEquals(0, DaemonProcess.sh("echo 'module bystander +p' > " + d.control() + " && echo 'module bystander -p' > "
                        + d.control() + " && cat " + d.control() + " >/dev/null").exit());
                long low = openFiles(pid) + 12;
                // The soft limit only: lowering the hard one could not be undone without CAP_SYS_RESOURCE.
                assertEquals(0, DaemonProcess.sh("prlimit --pid " + pid + " --nofile=" + low + ":" + m.group(2)).exit());
                try {
                    long failedBefore = lines(d.logText(), "accepting a program connection failed");
                    long cpu0 = cpuTicks(pid);
                    for (int i = 0; i < 60; i++) {
                        clients.add(new ProtocolFuzzClient(socket));   // they wait in the backlog
                    }
                    Thread.sleep(1500);
                    long cpu = cpuTicks(pid) - cpu0;
                    long failed = lines(d.logText(), "accepting a program connection failed") - failedBefore;
                    System.out.printf("[protocol-fuzz fds] open files limited to %d: %d log lines of failed accepts and"
                            + " %d ticks of CPU in 1.5 s with 60 connections waiting%n", low, failed, cpu);
                    assertTrue(failed >= 1 && failed <= 3, failed + " log lines for one shortage");
                    assertTrue(cpu < 60, "the daemon burned " + cpu + " ticks of CPU waiting for descriptors");
                    // The mount and the registered client are served meanwhile.
                    try (FileOutputStream out = new FileOutputStream(d.control().toFile())) {
                        out.write("module bystander +p\n".getBytes(StandardCharsets.ISO_8859_1));
                    } catch (java.io.IOException e) {
                        throw new AssertionError("the write failed; the daemon's log:\n" + d.logText(), e);
                    }
                    assertEquals(1, flags.get(1));
                    assertTrue(DaemonProcess.sh("cat " + d.control()).out().contains("[bystander]"));
                } finally {
                    for (ProtocolFuzzClient c : clients) {
                        c.close();
                    }
                    assertEquals(0, DaemonProcess.sh("prlimit --pid " + pid + " --nofile=" + restore).exit());
                }
                // Descriptors back: accepting resumes by itself.
                try (ProtocolFuzzClient c = new ProtocolFuzzClient(socket)) {
                    assertTrue(c.write(ProtocolFuzzFrames.bytes(ProtocolFuzzScenario.module("after", 1, 10).frame()), 5000));
                    assertInstanceOf(Reply.Registered.class, c.expectReply(5000));
                }
                assertTrue(d.logText().contains("accepting program connections again after"), d.logText());
                assertTrue(d.process().isAlive());
            }
        }
    }
}
