package dev.dyndbgd.program;

import dev.dyndbgd.client.DebugOutput;
import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.selfdebug.SelfModule;
import dev.dyndbgd.state.StateStore;
import dev.dyndbgd.table.HeapBodyStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java client library against the real socket server: a module found by scanning these test
 * classes registers by itself, obeys control at once, prints with the kernel's decorations, goes
 * dark when the daemon goes, and comes back with its flags when a daemon returns.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientLibraryTest {
    @TempDir
    static Path dir;
    static Daemon daemon;
    static StateStore state;
    static ProgramServer server;
    static final List<String> printed = new CopyOnWriteArrayList<>();
    static Runnable stopListening;

    @BeforeAll
    static void start() throws IOException {
        state = StateStore.open(dir.resolve("state"), new DyndbgLog(0));
        daemon = newDaemon();
        server = serve(daemon);
        // The library reads the socket path when the module is first made.
        System.setProperty("dyndbgd.socket", dir.resolve("sock").toString());
        stopListening = DebugOutput.addListener(printed::add);
    }

    private static Daemon newDaemon() {
        Daemon d = new Daemon(new DyndbgLog(0), HeapBodyStore.factory());
        d.useState(state);
        d.registerSelf();
        return d;
    }

    private static ProgramServer serve(Daemon d) throws IOException {
        ProgramModules programs = new ProgramModules(d.registry(), d.log(), dir.resolve("flags"));
        return ProgramServer.start(dir.resolve("sock"), programs, new AdminRequests(d.registry(), programs, d.log(), SelfModule.NAME), d.log());
    }

    @AfterAll
    static void stop() throws IOException {
        stopListening.run();
        LibraryProgram.DEBUG.disconnect();
        server.close();
        state.close();
        System.clearProperty("dyndbgd.socket");
    }

    private static long await(BooleanSupplier condition, long timeoutMillis, String what) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
                throw new AssertionError("not within " + timeoutMillis + " ms: " + what);
            }
            Thread.sleep(1);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The line of the first line containing {@code text} in LibraryProgram.java. */
    private static int line(String text) throws IOException {
        List<String> src = java.nio.file.Files.readAllLines(Path.of("src/test/java/dev/dyndbgd/program/LibraryProgram.java"));
        for (int i = 0; i < src.size(); i++) {
            if (src.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text);
    }

    @Test
    @Order(1)
    void theModuleRegistersItselfWithItsRealLocations() throws Exception {
        assertEquals(2, LibraryProgram.DEBUG.table().size());
        // Registered in the daemon, and the program has mapped the flags it was handed (the table
        // exists a moment before the reply reaches the program).
        await(() -> daemon.registry().find("libtest").isPresent() && LibraryProgram.DEBUG.attached(), 5000,
                "libtest registered and its flags attached");
        String control = ControlStream.snapshot(daemon.registry());
        String file = "dev/dyndbgd/program/LibraryProgram.java";
        assertTrue(control.contains(file + ":" + line("ORDER.printf(") + " [libtest]ship =_ \"order %d shipped to %s\\n\"\n"), control);
        assertTrue(control.contains(file + ":" + line("RETRY.enabled()") + " [libtest]retrying =_ \"retry %d\\n\" class:NET\n"), control);
        // listed top to bottom, as the kernel lists a module's descriptors
        assertTrue(control.indexOf(file + ":" + line("ORDER.printf(")) < control.indexOf(file + ":" + line("RETRY.enabled()")));
    }

    @Test
    @Order(2)
    void aControlWriteReachesTheProgramAtOnceAndPrintsDecorated() throws Exception {
        LibraryProgram.ship(1, "nowhere");
        assertEquals(List.of(), printed);
        assertTrue(daemon.engine().write("module libtest +p").ok());
        assertTrue(LibraryProgram.ORDER.enabled(), "no delay: the write returned after the shared byte changed");
        assertFalse(LibraryProgram.retrying(), "class NET is protected from class-less queries, as in the kernel");
        LibraryProgram.ship(2, "Lisbon");
        assertTrue(daemon.engine().write("module libtest +mfslt").ok());
        LibraryProgram.ship(3, "Oslo");
        assertTrue(daemon.engine().write("module libtest class NET +p").ok());
        assertTrue(LibraryProgram.retrying());
        long tid = Thread.currentThread().getId();
        assertEquals(List.of("order 2 shipped to Lisbon",
                "[" + tid + "] libtest:ship:dev/dyndbgd/program/LibraryProgram.java:" + line("ORDER.printf(") + ": order 3 shipped to Oslo"), printed);
        assertTrue(daemon.engine().write("module libtest -mfslt").ok());
    }

    @Test
    @Order(3)
    void whenTheDaemonGoesTheStatementsGoDarkAndComeBackWithTheirFlags() throws Exception {
        assertTrue(LibraryProgram.ORDER.enabled());
        server.close();
        long dark = await(() -> !LibraryProgram.ORDER.enabled(), 2000, "statements off without a daemon");
        assertTrue(dark < 1000, "went dark in " + dark + " ms");
        daemon = newDaemon();
        server = serve(daemon);
        long back = await(LibraryProgram.ORDER::enabled, 5000, "re-registered with the saved +p");
        assertTrue(daemon.registry().find("libtest").isPresent());
        assertTrue(LibraryProgram.retrying(), "class NET's +p restored too");
        printed.clear();
        LibraryProgram.ship(4, "Kyiv");
        assertEquals(List.of("order 4 shipped to Kyiv"), printed);
        assertTrue(back < 3000, "reconnected in " + back + " ms");
    }

    @Test
    @Order(4)
    void aSecondHolderOfTheNameIsRefusedAndTheFirstKeepsIt() throws Exception {
        try (RawClient thief = new RawClient(dir.resolve("sock"))) {
            thief.send(RawClient.module("libtest", 1).frame());
            var f = (dev.dyndbgd.client.protocol.Reply.Failure) thief.reply();
            assertEquals(Protocol.EEXIST, f.errno());
        }
        assertTrue(LibraryProgram.ORDER.enabled());
        assertEquals(2, daemon.registry().find("libtest").orElseThrow().size());
    }
}
