package dev.dyndbgd.program;

import dev.dyndbgd.client.protocol.PayloadWriter;
import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.selfdebug.SelfModule;
import dev.dyndbgd.state.StateStore;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.ModuleTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The program socket in process: a real daemon core, a real Unix socket, raw protocol clients. */
class ProgramServerTest {
    @TempDir
    Path dir;
    Daemon daemon;
    ProgramServer server;
    Path socket;

    @BeforeEach
    void start() throws IOException {
        daemon = new Daemon(new DyndbgLog(0), HeapBodyStore.factory());
        daemon.registerSelf();
        socket = dir.resolve("sock");
        server = serve(10_000);
    }

    private ProgramServer serve(long deadlineMillis) throws IOException {
        ProgramModules programs = new ProgramModules(daemon.registry(), daemon.log(), dir.resolve("flags"));
        return ProgramServer.start(socket, programs, new AdminRequests(daemon.registry(), programs, daemon.log(), SelfModule.NAME),
                daemon.log(), deadlineMillis);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Reply.Registered register(RawClient c, Register r) throws Exception {
        c.send(r.frame());
        return assertInstanceOf(Reply.Registered.class, c.reply());
    }

    private Reply.Failure refused(RawClient c) throws Exception {
        Reply.Failure f = assertInstanceOf(Reply.Failure.class, c.reply());
        assertTrue(c.closedByDaemon(), "connection closed after ERROR");
        return f;
    }

    private String control() {
        return ControlStream.snapshot(daemon.registry());
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void registeredSitesAppearInControlAndQueriesReachTheSharedFlags() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            Reply.Registered r = register(c, RawClient.module("alpha", 3));
            assertEquals(3, r.sites());
            MappedByteBuffer flags = RawClient.mapFlags(r.flagsPath(), 3);
            assertTrue(control().contains("src/alpha.c:10 [alpha]fn0 =_ \"message 0 of alpha\\n\"\n"), control());
            assertEquals(0, flags.get(1));
            assertTrue(daemon.engine().write("module alpha +pf").ok());
            for (int i = 0; i < 3; i++) {
                assertEquals(0x01 | 0x04, flags.get(i), "site " + i); // visible as soon as the write returned
            }
            assertTrue(daemon.engine().write("format \"message 1 \" -p").ok());
            assertEquals(0x04, flags.get(1));
            assertEquals(0x05, flags.get(2));
            ModuleTable t = daemon.registry().find("alpha").orElseThrow();
            assertTrue(t.origin().startsWith("program pid " + ProcessHandle.current().pid() + " uid 0"), t.origin());
        }
    }

    @Test
    void closingTheConnectionRemovesTheModuleAndItsFlagsFile() throws Exception {
        Reply.Registered r;
        try (RawClient c = new RawClient(socket)) {
            r = register(c, RawClient.module("beta", 2));
            assertTrue(Files.exists(Path.of(r.flagsPath())));
        }
        await(() -> daemon.registry().find("beta").isEmpty(), "module beta removed");
        await(() -> !Files.exists(Path.of(r.flagsPath())), "flags file deleted");
        assertFalse(control().contains("[beta]"));
        // and the name is free again
        try (RawClient c = new RawClient(socket)) {
            register(c, RawClient.module("beta", 2));
        }
    }

    @Test
    void aNameHeldByAnotherProgramOrTheDaemonIsRefused() throws Exception {
        try (RawClient owner = new RawClient(socket); RawClient thief = new RawClient(socket);
             RawClient impostor = new RawClient(socket)) {
            Reply.Registered r = register(owner, RawClient.module("gamma", 4));
            thief.send(RawClient.module("gamma", 1).frame());
            Reply.Failure f = refused(thief);
            assertEquals(Protocol.EEXIST, f.errno());
            assertTrue(f.message().contains("program pid"), f.message());
            impostor.send(RawClient.module(SelfModule.NAME, 1).frame());
            assertEquals(Protocol.EEXIST, refused(impostor).errno());
            // the holder is untouched: still 4 sites, still obeying queries
            assertEquals(4, daemon.registry().find("gamma").orElseThrow().size());
            daemon.engine().write("module gamma +p");
            assertEquals(1, RawClient.mapFlags(r.flagsPath(), 4).get(3));
        }
    }

    /** Frames that break the protocol, each with the errno the daemon must answer. */
    private static List<Object[]> badInputs() {
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[]{"zero length", new byte[]{0, 0, 0, 0}, Protocol.EINVAL});
        cases.add(new Object[]{"2 GiB length", new byte[]{(byte) 0x80, 0, 0, 0}, Protocol.EINVAL});
        cases.add(new Object[]{"1 MiB + 1", new byte[]{0, 0x10, 0, 1}, Protocol.E2BIG});
        cases.add(new Object[]{"unknown type", frame(new PayloadWriter(0x7f).u16(1)), Protocol.EPROTO});
        cases.add(new Object[]{"reply type sent as request", frame(new PayloadWriter(Protocol.REGISTERED).u16(1)), Protocol.EPROTO});
        cases.add(new Object[]{"version 2", frame(new PayloadWriter(Protocol.REGISTER).u16(2)), Protocol.EPROTONOSUPPORT});
        cases.add(new Object[]{"slash in name", RawClient.module("a/b", 1).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"space in name", RawClient.module("a b", 1).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"newline in name", RawClient.module("a\nb", 1).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"empty name", RawClient.module("", 1).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"56-byte name", RawClient.module("n".repeat(56), 1).frame().array(), Protocol.ENAMETOOLONG});
        cases.add(new Object[]{"55-byte name of a bad char", RawClient.module("n".repeat(54) + "*", 1).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"no sites", new Register("empty", List.of(), List.of()).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"too many sites", RawClient.module("big", Protocol.MAX_SITES + 1).frame().array(), Protocol.E2BIG});
        cases.add(new Object[]{"control byte in file", new Register("ctl", List.of(), List.of(new Register.Site("a\u0001.c", "f", "x", 1, 63))).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"NUL in format", new Register("nul", List.of(), List.of(new Register.Site("a.c", "f", "x\0y", 1, 63))).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"line beyond 18 bits", new Register("ln", List.of(), List.of(new Register.Site("a.c", "f", "x", 1 << 18, 63))).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"class index beyond the names", new Register("cls", List.of("A"), List.of(new Register.Site("a.c", "f", "x", 1, 1))).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"duplicate class name", new Register("cls", List.of("A", "A"), List.of(new Register.Site("a.c", "f", "x", 1, 0))).frame().array(), Protocol.EINVAL});
        cases.add(new Object[]{"site count lies", frame(new PayloadWriter(Protocol.REGISTER).u16(1).str("liar").u8(0).u32(1000)
                .str("a.c").str("f").str("x").u32(1).u8(63)), Protocol.EINVAL});
        cases.add(new Object[]{"string length lies", frame(new PayloadWriter(Protocol.REGISTER).u16(1).u16(40).u8('a')), Protocol.EINVAL});
        cases.add(new Object[]{"bytes after the fields", frame(new PayloadWriter(Protocol.UNLOAD).u16(1).str("x").u8(0)), Protocol.EINVAL});
        cases.add(new Object[]{"format over 4096 bytes", new Register("fmt", List.of(), List.of(new Register.Site("a.c", "f", "x".repeat(4097), 1, 63))).frame().array(), Protocol.E2BIG});
        return cases;
    }

    private static byte[] frame(PayloadWriter w) {
        return w.frame().array();
    }

    @Test
    void malformedFramesGetTheirErrnoAndNobodyElseNotices() throws Exception {
        try (RawClient bystander = new RawClient(socket)) {
            Reply.Registered held = register(bystander, RawClient.module("bystander", 5));
            MappedByteBuffer flags = RawClient.mapFlags(held.flagsPath(), 5);
            int tables = daemon.registry().tables().size();
            for (Object[] c : badInputs()) {
                try (RawClient bad = new RawClient(socket)) {
                    bad.sendRaw((byte[]) c[1]);
                    Reply.Failure f = refused(bad);
                    assertEquals(Protocol.errnoName((Integer) c[2]), Protocol.errnoName(f.errno()), c[0] + ": " + f.message());
                }
                assertEquals(tables, daemon.registry().tables().size(), c[0] + " changed the tables");
            }
            daemon.engine().write("module bystander +p");
            assertEquals(1, flags.get(4));
            try (RawClient good = new RawClient(socket)) {
                register(good, RawClient.module("after", 1));
            }
        }
    }

    @Test
    void aRegisteredProgramThatSendsMoreIsDisconnectedAndLosesItsModule() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            register(c, RawClient.module("chatty", 1));
            c.send(new Request.ListModules().frame());
            assertEquals(Protocol.EPROTO, refused(c).errno());
        }
        await(() -> daemon.registry().find("chatty").isEmpty(), "chatty removed");
    }

    @Test
    void aSlowClientHoldsNoOneUpAndIsCutAtItsDeadline() throws Exception {
        server.close();
        server = serve(400);
        try (RawClient slow = new RawClient(socket); RawClient silent = new RawClient(socket)) {
            byte[] frame = RawClient.module("slow", 3).frame().array();
            slow.sendRaw(java.util.Arrays.copyOf(frame, 7)); // half a header and a bit
            long t0 = System.nanoTime();
            try (RawClient quick = new RawClient(socket)) {
                register(quick, RawClient.module("quick", 2));
            }
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(300), "a registration waited for the slow client");
            assertEquals(Protocol.ETIMEDOUT, refused(slow).errno());
            assertEquals(Protocol.ETIMEDOUT, refused(silent).errno());
        }
    }

    @Test
    void configuredQueriesAndSavedStateReachTheFlagsBeforeTheReply() throws Exception {
        try (StateStore state = StateStore.open(dir.resolve("state"), new DyndbgLog(0))) {
            daemon.useState(state);
            daemon.useModuleQueries(Map.of("delta", List.of("+t")));
            Reply.Registered r;
            try (RawClient c = new RawClient(socket)) {
                r = register(c, RawClient.module("delta", 3));
                assertEquals(0x10, RawClient.mapFlags(r.flagsPath(), 3).get(0), "delta.dyndbg=+t applied");
                assertTrue(daemon.engine().write("module delta line 11 +pm").ok());
            }
            await(() -> daemon.registry().find("delta").isEmpty(), "delta removed");
            try (RawClient again = new RawClient(socket)) {
                MappedByteBuffer flags = RawClient.mapFlags(register(again, RawClient.module("delta", 3)).flagsPath(), 3);
                assertEquals(0x10, flags.get(0));
                assertEquals(0x10 | 0x01 | 0x02, flags.get(1), "saved +pm restored for line 11");
                assertEquals(0x10, flags.get(2));
            }
        }
    }

    @Test
    void twoHundredProgramsOfAHundredSitesRegisterAtOnce() throws Exception {
        int programs = 200;
        ExecutorService pool = Executors.newFixedThreadPool(programs);
        List<RawClient> clients = Collections.synchronizedList(new ArrayList<>());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply.Registered>> replies = new ArrayList<>();
            for (int i = 0; i < programs; i++) {
                String name = "prog" + i;
                replies.add(pool.submit(() -> {
                    RawClient c = new RawClient(socket);
                    clients.add(c);
                    go.await();
                    c.send(RawClient.module(name, 100).frame());
                    return (Reply.Registered) c.reply();
                }));
            }
            go.countDown();
            List<MappedByteBuffer> maps = new ArrayList<>();
            for (Future<Reply.Registered> f : replies) {
                Reply.Registered r = f.get(60, TimeUnit.SECONDS);
                assertEquals(100, r.sites());
                maps.add(RawClient.mapFlags(r.flagsPath(), 100));
            }
            assertEquals(programs * 100 + daemon.registry().find(SelfModule.NAME).orElseThrow().size(), daemon.registry().siteCount());
            assertTrue(daemon.engine().write("module prog* +p").ok());
            for (MappedByteBuffer m : maps) {
                for (int s = 0; s < 100; s++) {
                    assertEquals(1, m.get(s));
                }
            }
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
            pool.shutdownNow();
        }
        await(() -> daemon.registry().tables().size() == 1, "all programs' modules removed");
    }

    @Test
    void modulesListsOwnersAndUnloadRefusesWhatProgramsHold() throws Exception {
        Path ko = dev.dyndbgd.elf.Fixtures.sitesModule(dir);
        try (RawClient program = new RawClient(socket); RawClient ctl = new RawClient(socket)) {
            register(program, RawClient.module("held", 1));
            ctl.send(new Request.Load(List.of(ko.toString())).frame());
            Reply.Result loaded = assertInstanceOf(Reply.Result.class, ctl.reply());
            assertEquals(0, loaded.errno(), loaded.text());
            assertTrue(loaded.text().contains("5 prdebugs in 1 modules"), loaded.text());
            ctl.send(new Request.Load(List.of(ko.toString())).frame());
            Reply.Result twice = assertInstanceOf(Reply.Result.class, ctl.reply());
            assertEquals(Protocol.EINVAL, twice.errno(), "the same module twice: " + twice.text());

            ctl.send(new Request.ListModules().frame());
            String list = assertInstanceOf(Reply.Result.class, ctl.reply()).text();
            assertTrue(list.startsWith("Module "), list);
            assertTrue(list.matches("(?s).*\\nheld +1  program pid " + ProcessHandle.current().pid() + " uid 0 \\(.*\\)\\n.*"), list);
            assertTrue(list.contains("fixture_mod       5  " + ko), list);
            assertTrue(list.contains("dyndbgd "), list);

            for (String[] c : new String[][]{{"held", "EBUSY"}, {SelfModule.NAME, "EBUSY"}, {"nosuch", "ENOENT"}, {"fixture_mod", "OK"}}) {
                ctl.send(new Request.Unload(c[0]).frame());
                Reply.Result r = assertInstanceOf(Reply.Result.class, ctl.reply());
                assertEquals(c[1], Protocol.errnoName(r.errno()), c[0] + ": " + r.text());
            }
            assertTrue(daemon.registry().find("fixture_mod").isEmpty());
            assertTrue(daemon.registry().find("held").isPresent());
        }
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveOneIsNot() throws Exception {
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, this::startSecond, "second daemon on a live socket");
        server.close();
        // A daemon killed with -9 leaves its socket file behind: bind must replace it.
        java.nio.channels.ServerSocketChannel dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        dead.bind(java.net.UnixDomainSocketAddress.of(socket));
        dead.close();
        assertTrue(Files.exists(socket));
        server = serve(10_000);
        try (RawClient c = new RawClient(socket)) {
            register(c, RawClient.module("fresh", 1));
        }
    }

    private void startSecond() throws IOException {
        ProgramModules programs = new ProgramModules(daemon.registry(), daemon.log(), dir.resolve("flags2"));
        ProgramServer.start(socket, programs, new AdminRequests(daemon.registry(), programs, daemon.log(), SelfModule.NAME), daemon.log());
    }
}
