package dev.dyndbgd.robust;

import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import dev.dyndbgd.program.ProgramServer;
import dev.dyndbgd.robust.ProtocolFuzzClient.Event;
import dev.dyndbgd.robust.ProtocolFuzzFrames.Expectation;
import dev.dyndbgd.robust.ProtocolFuzzFrames.Step;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol fuzz, run against one daemon (in process or a real one): a bystander registered at the
 * start and keepers holding modules must keep getting flag updates through every phase; then garbage
 * and damaged frames by the thousand, half-open and vanishing clients, pipelined requests, very slow
 * clients beside fast ones, a flood past {@link ProgramServer#MAX_CONNECTIONS}, and thousands of
 * register/close cycles, after which only the live clients' modules and flags files remain.
 */
final class ProtocolFuzzScenario {
    /** The daemon under test, as the scenario reaches it. */
    interface Target {
        Path socket();

        /** Its per-request deadline (10 s in a real daemon). */
        long deadlineMillis();

        /** Writes a query as root would write it to control; returns when it has been applied. */
        void query(String query) throws IOException;

        /** Reads control (and fails if it cannot). */
        String control() throws IOException;

        /** Names of the modules programs hold now. */
        Set<String> programModules() throws IOException;

        /** The shared flags directory. */
        Path flagsDir();

        /** Called between phases: the daemon is still up. */
        void assertAlive() throws IOException;
    }

    static final String BYSTANDER = "bystander";
    static final int BYSTANDER_SITES = 8;
    static final int KEEPERS = 5;
    /** Generous bound for a reply that is due now. */
    static final long REPLY_MILLIS = 5_000;

    private final Target target;
    private final String label;
    private final Path loadRoot;
    private final ProtocolFuzzFrames.Context context;
    private final Set<String> held = new TreeSet<>();
    private ProtocolFuzzClient bystander;
    private MappedByteBuffer bystanderFlags;
    private final List<ProtocolFuzzClient> keepers = new ArrayList<>();
    private final List<MappedByteBuffer> keeperFlags = new ArrayList<>();
    private final Set<Path> liveFlagsFiles = new TreeSet<>();
    private final AtomicInteger bystanderChecks = new AtomicInteger();
    private final AtomicInteger controlReads = new AtomicInteger();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    ProtocolFuzzScenario(Target target, String label, Path loadRoot, List<String> loadPaths, String fileModule) {
        this.target = target;
        this.label = label;
        this.loadRoot = loadRoot;
        held.add(BYSTANDER);
        held.add("dyndbgd");
        for (int i = 0; i < KEEPERS; i++) {
            held.add("keeper" + i);
        }
        this.context = new ProtocolFuzzFrames.Context(List.copyOf(held), loadPaths, fileModule);
    }

    void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    long counted(String what) {
        AtomicLong n = counts.get(what);
        return n == null ? 0 : n.get();
    }

    private void failure(String what) {
        if (failures.size() < 40) {
            failures.add(what);
        }
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    String summary() {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(counts).forEach((k, v) -> s.append(String.format("[%s] %8d  %s%n", label, v.get(), k)));
        s.append(String.format("[%s] %8d  bystander checks (flags toggled and read back through its mapping)%n", label,
                bystanderChecks.get()));
        s.append(String.format("[%s] %8d  reads of control while clients were at work%n", label, controlReads.get()));
        return s.toString();
    }

    // ---------------------------------------------------------------------------------------------

    static Register module(String name, int sites, int formatLength) {
        List<Register.Site> list = new ArrayList<>();
        for (int i = 0; i < sites; i++) {
            String format = ("message " + i + " of " + name + " ").repeat(formatLength / 20 + 1).substring(0, formatLength) + "\n";
            list.add(new Register.Site("src/" + name + ".c", "fn" + (i % 7), format, 10 + i, Protocol.CLASS_NONE));
        }
        return new Register(name, List.of(), list);
    }

    private ProtocolFuzzClient registerHolder(String name, int sites, List<MappedByteBuffer> maps) throws IOException {
        ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket());
        assertTrue(c.write(ProtocolFuzzFrames.bytes(module(name, sites, 20).frame()), REPLY_MILLIS));
        Reply.Registered r = assertInstanceOf(Reply.Registered.class, c.expectReply(REPLY_MILLIS), name);
        assertEquals(sites, r.sites());
        maps.add(ProtocolFuzzClient.mapFlags(r.flagsPath(), sites));
        liveFlagsFiles.add(Path.of(r.flagsPath()));
        return c;
    }

    /** Registers the bystander and the keepers: they hold their modules through everything. */
    void start() throws IOException {
        List<MappedByteBuffer> one = new ArrayList<>();
        bystander = registerHolder(BYSTANDER, BYSTANDER_SITES, one);
        bystanderFlags = one.get(0);
        for (int i = 0; i < KEEPERS; i++) {
            keepers.add(registerHolder("keeper" + i, 3, keeperFlags));
        }
        checkHolders();
    }

    /** The bystander (and the keepers) see each flag change through their mappings as soon as it is made. */
    synchronized void checkHolders() throws IOException {
        target.query("module " + BYSTANDER + " +pmf");
        for (int i = 0; i < BYSTANDER_SITES; i++) {
            assertEquals(0x07, bystanderFlags.get(i), "bystander site " + i + " after +pmf");
        }
        target.query("module " + BYSTANDER + " -pm");
        for (int i = 0; i < BYSTANDER_SITES; i++) {
            assertEquals(0x04, bystanderFlags.get(i), "bystander site " + i + " after -pm");
        }
        target.query("module keeper* +t");
        for (MappedByteBuffer m : keeperFlags) {
            assertEquals(0x10, m.get(2), "keeper after +t");
        }
        target.query("module keeper* -t");
        for (MappedByteBuffer m : keeperFlags) {
            assertEquals(0, m.get(2), "keeper after -t");
        }
        bystanderChecks.incrementAndGet();
    }

    /** Runs {@code work} while checking the holders every 100 ms from this thread. */
    private void whileCheckingHolders(List<Future<?>> work) throws Exception {
        long nextControl = 0;
        while (!work.stream().allMatch(Future::isDone)) {
            checkHolders();
            if (System.nanoTime() > nextControl) {
                // And control answers (a real daemon: cat on its mount), the holders listed.
                assertTrue(target.control().contains("[" + BYSTANDER + "]"));
                controlReads.incrementAndGet();
                nextControl = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
            }
            Thread.sleep(100);
        }
        for (Future<?> f : work) {
            f.get();
        }
        checkHolders();
    }

    // ---------------------------------------------------------------------------------------------
    // (a) garbage and damaged frames, with (c) slow clients at the same time

    /**
     * {@code inputs} connections, each sent one fuzz input by one of {@code threads} workers, checked
     * against the oracle; {@code timeouts} of them are left open with an incomplete frame to be timed
     * out. Slow clients (a byte per 100 ms) register at the same time.
     */
    void fuzz(int inputs, int threads, int timeouts, long seed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads + timeouts + 4);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger timeoutsLeft = new AtomicInteger(timeouts);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random random = new Random(seed + t);
                work.add(pool.submit(() -> {
                    while (next.getAndIncrement() < inputs) {
                        one(random, timeoutsLeft, pool);
                    }
                    return null;
                }));
            }
            work.addAll(slowClients(pool, seed));
            whileCheckingHolders(work);
            // The timed-out ones were submitted to the pool by the workers; wait for them too.
            pool.shutdown();
            assertTrue(pool.awaitTermination(target.deadlineMillis() + 20_000, TimeUnit.MILLISECONDS), "timeouts answered");
        } finally {
            pool.shutdownNow();
        }
        checkHolders();
        target.assertAlive();
    }

    private void one(Random random, AtomicInteger timeoutsLeft, ExecutorService pool) throws IOException {
        byte[] input;
        Expectation expected;
        boolean halfClose = random.nextInt(100) < 80;
        while (true) {
            input = ProtocolFuzzFrames.sample(random, context);
            expected = ProtocolFuzzFrames.expect(input, halfClose, held);
            if (!ProtocolFuzzFrames.safe(expected, loadRoot)) {
                count("fuzz inputs dropped unsent: a LOAD path outside the test's directory");
                continue;
            }
            if (expected.end() == ProtocolFuzzFrames.End.TIMEOUT && timeoutsLeft.getAndDecrement() <= 0) {
                // Enough connections wait out the deadline already: shut this one's output instead.
                halfClose = true;
                expected = ProtocolFuzzFrames.expect(input, true, held);
            }
            break;
        }
        count("fuzz inputs sent");
        ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket());
        byte[] sent = input;
        Expectation e = expected;
        boolean half = halfClose;
        if (e.end() == ProtocolFuzzFrames.End.TIMEOUT) {
            count("fuzz inputs left incomplete on an open connection (must be timed out)");
            pool.submit(() -> {
                judge(c, sent, e, half);
                return null;
            });
        } else {
            judge(c, sent, e, half);
        }
    }

    /** Sends {@code sent} on {@code c} and checks each reply and the end against the oracle. */
    private void judge(ProtocolFuzzClient c, byte[] sent, Expectation e, boolean halfClose) {
        String what = hex(sent) + (halfClose ? " +shutdown" : "") + " expecting " + e.steps().stream()
                .map(s -> s.kind() + s.errnos().toString() + "(" + s.why() + ")").toList() + " then " + e.end();
        try (c) {
            boolean whole = c.write(sent, REPLY_MILLIS);
            if (halfClose && whole) {
                c.shutdownOutput();
            }
            for (Step step : e.steps()) {
                long wait = e.end() == ProtocolFuzzFrames.End.TIMEOUT ? target.deadlineMillis() + REPLY_MILLIS : REPLY_MILLIS;
                Event ev = c.next(wait);
                if (ev != Event.REPLY) {
                    failure(what + ": got " + ev + " instead of " + step.kind());
                    return;
                }
                Reply r = c.reply();
                switch (step.kind()) {
                    case REGISTERED_OR_EEXIST -> {
                        if (r instanceof Reply.Registered reg) {
                            count("fuzz replies: REGISTERED");
                            if (reg.sites() != step.sites()) {
                                failure(what + ": REGISTERED " + reg.sites() + " sites, sent " + step.sites());
                            }
                        } else if (r instanceof Reply.Failure f && f.errno() == Protocol.EEXIST) {
                            count("fuzz replies: ERROR EEXIST");
                            expectClosed(c, what);
                            return;
                        } else {
                            failure(what + ": got " + r + " for a valid REGISTER");
                            return;
                        }
                    }
                    case RESULT -> {
                        if (!(r instanceof Reply.Result res) || !step.errnos().contains(res.errno())) {
                            failure(what + ": got " + r + " instead of RESULT " + step.errnos());
                            return;
                        }
                        count("fuzz replies: RESULT " + Protocol.errnoName(res.errno()));
                    }
                    case ERROR -> {
                        if (!(r instanceof Reply.Failure f) || !step.errnos().contains(f.errno())) {
                            failure(what + ": got " + r + " instead of ERROR " + step.errnos());
                            return;
                        }
                        if (!ProtocolFuzzFrames.DOCUMENTED.contains(f.errno()) || f.message().isBlank()) {
                            failure(what + ": undocumented errno or no message: " + r);
                        }
                        count("fuzz replies: ERROR " + Protocol.errnoName(f.errno()));
                        expectClosed(c, what);
                        return;
                    }
                    default -> throw new IllegalStateException();
                }
            }
            switch (e.end()) {
                case CLOSED -> {
                    count(e.steps().isEmpty() ? "fuzz connections closed without a reply (end of stream inside a frame)"
                            : "fuzz connections closed after their replies (client shut down)");
                    expectClosed(c, what);
                }
                case OPEN -> {
                    Event ev = c.next(0);
                    if (ev != Event.SILENT) {
                        failure(what + ": expected an open, quiet connection, got " + ev + (ev == Event.REPLY ? " " + c.reply() : ""));
                    }
                    count("fuzz connections left open after their replies, then closed by the client");
                }
                default -> failure(what + ": TIMEOUT must end in an ERROR step");
            }
        } catch (IOException | RuntimeException | AssertionError ex) {
            failure(what + ": " + ex);
        }
    }

    private void expectClosed(ProtocolFuzzClient c, String what) throws IOException {
        Event ev = c.next(REPLY_MILLIS);
        if (ev != Event.CLOSED) {
            failure(what + ": expected the daemon to close, got " + ev + (ev == Event.REPLY ? " " + c.reply() : ""));
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length + " bytes ");
        for (int i = 0; i < Math.min(b.length, 48); i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.append(b.length > 48 ? "..." : "").toString();
    }

    /**
     * Four clients that send a REGISTER a byte every 100 ms (done well inside the deadline) and one
     * that would take longer than the deadline; while they dribble, fast clients register and leave,
     * and none of them waits.
     */
    private List<Future<?>> slowClients(ExecutorService pool, long seed) {
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = "slow" + i;
            work.add(pool.submit(() -> {
                byte[] frame = ProtocolFuzzFrames.bytes(module(name, 1, 1).frame());
                assertTrue(frame.length * 100L < target.deadlineMillis() - 1500, "slow frame fits the deadline");
                try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
                    for (byte b : frame) {
                        assertTrue(c.write(new byte[]{b}, REPLY_MILLIS));
                        Thread.sleep(100);
                    }
                    Reply.Registered r = assertInstanceOf(Reply.Registered.class, c.expectReply(REPLY_MILLIS), name);
                    assertEquals(1, r.sites());
                    count("slow clients (a byte per 100 ms) registered");
                }
                return null;
            }));
        }
        work.add(pool.submit(() -> {
            // Longer than the deadline at a byte per 100 ms: it is cut off with ETIMEDOUT.
            byte[] frame = ProtocolFuzzFrames.bytes(module("slowest", 3, 200).frame());
            assertTrue(frame.length * 100L > target.deadlineMillis() + 2000);
            try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
                long t0 = System.nanoTime();
                for (byte b : frame) {
                    if (!c.write(new byte[]{b}, REPLY_MILLIS) || c.next(0) != Event.SILENT) {
                        break;
                    }
                    Thread.sleep(100);
                }
                Reply r = c.reply() != null ? c.reply() : c.expectReply(REPLY_MILLIS);
                Reply.Failure f = assertInstanceOf(Reply.Failure.class, r);
                assertEquals(Protocol.ETIMEDOUT, f.errno());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= target.deadlineMillis() - 100 && ms < target.deadlineMillis() + 2000, "cut at the deadline: " + ms);
                count("slow clients over the deadline cut off with ETIMEDOUT");
            }
            return null;
        }));
        work.add(pool.submit(() -> {
            // Meanwhile others register fast.
            Thread.sleep(300);
            long worst = 0;
            for (int i = 0; i < 60; i++) {
                long t0 = System.nanoTime();
                try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
                    assertTrue(c.write(ProtocolFuzzFrames.bytes(module("fast" + (seed % 1000) + "_" + i, 5, 30).frame()), REPLY_MILLIS));
                    assertInstanceOf(Reply.Registered.class, c.expectReply(REPLY_MILLIS));
                }
                worst = Math.max(worst, System.nanoTime() - t0);
                count("fast registrations beside the slow clients");
                Thread.sleep(40);
            }
            assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(1500), "a fast registration waited " + worst / 1_000_000 + " ms");
            counts.computeIfAbsent("slowest fast registration beside the slow clients, ms", k -> new AtomicLong())
                    .set(worst / 1_000_000);
            return null;
        }));
        return work;
    }

    // ---------------------------------------------------------------------------------------------
    // (b) half-open connections, vanishing clients, pipelines

    void halfOpen() throws Exception {
        byte[] register = ProtocolFuzzFrames.bytes(module("halfopen", 4, 40).frame());
        // A partial frame, then the client shuts its output: closed, no reply, nothing registered.
        for (int cut : new int[]{1, 3, 4, 5, 7, register.length / 2, register.length - 1}) {
            try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
                assertTrue(c.write(java.util.Arrays.copyOf(register, cut), REPLY_MILLIS));
                c.shutdownOutput();
                assertEquals(Event.CLOSED, c.next(REPLY_MILLIS), "partial frame of " + cut + " bytes, then shutdown");
                count("half-open: partial frame then shutdown, closed without a reply");
            }
        }
        // Clients that vanish in the middle of a frame.
        for (int cut : new int[]{2, 6, register.length - 3}) {
            ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket());
            assertTrue(c.write(java.util.Arrays.copyOf(register, cut), REPLY_MILLIS));
            c.close();
            count("half-open: client vanished mid-frame");
        }
        // A whole REGISTER then shutdown: registered, then the end of stream releases the module.
        try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
            assertTrue(c.write(register, REPLY_MILLIS));
            c.shutdownOutput();
            assertInstanceOf(Reply.Registered.class, c.expectReply(REPLY_MILLIS));
            assertEquals(Event.CLOSED, c.next(REPLY_MILLIS));
            count("half-open: REGISTER then shutdown, registered then closed");
        }
        awaitProgramModules("halfopen released");

        // Requests pipelined, then shutdown, and replies read late: every request is answered, in
        // order, before the daemon closes ("each answered before the next is read").
        int pipelined = 3000;
        byte[] list = ProtocolFuzzFrames.bytes(new Request.ListModules().frame());
        byte[] many = new byte[list.length * pipelined];
        for (int i = 0; i < pipelined; i++) {
            System.arraycopy(list, 0, many, i * list.length, list.length);
        }
        try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
            assertTrue(c.write(many, REPLY_MILLIS));
            c.shutdownOutput();
            Thread.sleep(300);   // the replies (over a megabyte) back up in the socket meanwhile
            int answered = 0;
            Event ev;
            while ((ev = c.next(REPLY_MILLIS)) == Event.REPLY) {
                Reply.Result r = assertInstanceOf(Reply.Result.class, c.reply());
                assertEquals(0, r.errno());
                assertTrue(r.text().contains(BYSTANDER), r.text());
                answered++;
            }
            assertEquals(Event.CLOSED, ev);
            assertEquals(pipelined, answered, "pipelined LIST requests answered before the daemon closed");
            count("half-open: pipelined LIST requests answered, then closed (" + pipelined + " each)");
        }
        // A client that pipelines requests and never reads the replies cannot make the daemon queue
        // them without end: the daemon stops reading until its answers are taken.
        try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
            ByteBuffer requests = ByteBuffer.wrap(many);
            long accepted = 0;
            long stalledSince = System.nanoTime();
            long limit = 1L << 20;
            while (accepted < limit && System.nanoTime() - stalledSince < TimeUnit.MILLISECONDS.toNanos(1000)) {
                if (!requests.hasRemaining()) {
                    requests.rewind();
                }
                int n = c.writeSome(requests);
                if (n > 0) {
                    accepted += n;
                    stalledSince = System.nanoTime();
                } else {
                    Thread.sleep(5);
                }
            }
            assertTrue(accepted < limit, "the daemon kept reading requests while " + accepted
                    + " bytes of them went unanswered: it queues replies without bound");
            counts.computeIfAbsent("bytes of pipelined requests taken from a client that never reads", k -> new AtomicLong())
                    .set(accepted);
        }
        // And one that pipelines and vanishes before reading anything.
        ProtocolFuzzClient gone = new ProtocolFuzzClient(target.socket());
        assertTrue(gone.write(many, REPLY_MILLIS));
        gone.close();
        count("half-open: client vanished with " + pipelined + " replies due");
        checkHolders();
        target.assertAlive();
    }

    private void awaitProgramModules(String why) throws Exception {
        Set<String> want = new TreeSet<>(held);
        want.remove("dyndbgd");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Set<String> now;
        while (!(now = target.programModules()).equals(want)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(why + ": program modules are " + now + ", expected " + want);
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // (d) floods

    /** Connections open on the daemon besides the flood: the bystander and the keepers. */
    int live() {
        return 1 + keepers.size();
    }

    /**
     * More connections than the daemon serves: the extras are told EMFILE and closed, the ones before
     * them are served (and silent), the holders keep their modules and flags; once the flood leaves,
     * exactly {@link ProgramServer#MAX_CONNECTIONS} are served again (no connection was leaked).
     */
    void flood(int extra) throws Exception {
        int capacity = ProgramServer.MAX_CONNECTIONS - live();
        List<ProtocolFuzzClient> flood = new ArrayList<>();
        Thread.sleep(300);   // the daemon has seen every earlier client leave
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < capacity + extra; i++) {
                flood.add(new ProtocolFuzzClient(target.socket()));
            }
            for (int i = capacity; i < capacity + extra; i++) {
                Reply.Failure f = assertInstanceOf(Reply.Failure.class, flood.get(i).expectReply(REPLY_MILLIS), "connection " + i);
                assertEquals(Protocol.EMFILE, f.errno(), f.message());
                assertEquals(Event.CLOSED, flood.get(i).next(REPLY_MILLIS));
                count("flood: connections past " + ProgramServer.MAX_CONNECTIONS + " told EMFILE and closed");
            }
            for (int i = 0; i < capacity; i++) {
                assertEquals(Event.SILENT, flood.get(i).next(0), "connection " + i + " of " + capacity + " is served");
            }
            count("flood: connections served at once, holders included: " + (capacity + live()));
            // Full: the holders still get their flags; one more connection is refused.
            checkHolders();
            try (ProtocolFuzzClient more = new ProtocolFuzzClient(target.socket())) {
                assertEquals(Protocol.EMFILE, assertInstanceOf(Reply.Failure.class, more.expectReply(REPLY_MILLIS)).errno());
            }
            // control answers meanwhile (a real daemon: cat on its mount).
            assertTrue(target.control().contains("[" + BYSTANDER + "]"));
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(target.deadlineMillis() - 1000),
                    "the flood ran inside the deadline, so no connection timed out");
        } finally {
            for (ProtocolFuzzClient c : flood) {
                c.close();
            }
        }
        // The flood gone, exactly the capacity again, no more and no less.
        List<ProtocolFuzzClient> again = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                // Wait until the daemon has seen every close: a probe is served, not refused.
                try (ProtocolFuzzClient probe = new ProtocolFuzzClient(target.socket())) {
                    probe.write(ProtocolFuzzFrames.bytes(new Request.ListModules().frame()), REPLY_MILLIS);
                    if (probe.expectReply(REPLY_MILLIS) instanceof Reply.Result) {
                        break;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "connections freed after the flood");
                Thread.sleep(50);
            }
            Thread.sleep(200);
            for (int i = 0; i < capacity; i++) {
                again.add(new ProtocolFuzzClient(target.socket()));
            }
            ProtocolFuzzClient over = new ProtocolFuzzClient(target.socket());
            again.add(over);
            assertEquals(Protocol.EMFILE, assertInstanceOf(Reply.Failure.class, over.expectReply(REPLY_MILLIS)).errno(),
                    "one past the capacity");
            for (int i = 0; i < capacity; i++) {
                assertEquals(Event.SILENT, again.get(i).next(0), "after the flood, connection " + i + " is served");
            }
            count("flood: capacity after the flood left, exactly " + ProgramServer.MAX_CONNECTIONS);
        } finally {
            for (ProtocolFuzzClient c : again) {
                c.close();
            }
        }
        checkHolders();
    }

    /**
     * {@code cycles} register/close cycles on {@code threads} threads (one in five closes before
     * reading its reply). Afterwards only the holders' modules and flags files remain.
     */
    void cycles(int cycles, int threads, int sites) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicLong worst = new AtomicLong();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < cycles) {
                        long t0 = System.nanoTime();
                        byte[] frame = ProtocolFuzzFrames.bytes(module("cycle" + i, sites, 100).frame());
                        try (ProtocolFuzzClient c = new ProtocolFuzzClient(target.socket())) {
                            assertTrue(c.write(frame, REPLY_MILLIS));
                            if (i % 5 == 4) {
                                count("cycles: registered and vanished before the reply");
                                continue;
                            }
                            Reply.Registered r = assertInstanceOf(Reply.Registered.class, c.expectReply(REPLY_MILLIS));
                            assertEquals(sites, r.sites());
                            if (i % 50 == 0) {
                                assertEquals(0, ProtocolFuzzClient.mapFlags(r.flagsPath(), sites).get(sites - 1));
                            }
                            count("cycles: registered, then closed");
                        }
                        worst.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    }
                    return null;
                }));
            }
            whileCheckingHolders(work);
        } finally {
            pool.shutdownNow();
        }
        counts.computeIfAbsent("cycles: slowest register/close cycle, ms", k -> new AtomicLong()).set(worst.get() / 1_000_000);
        assertNoLeftovers();
    }

    /** Only the holders' modules are held, and only their flags files exist. */
    void assertNoLeftovers() throws Exception {
        awaitProgramModules("after the cycles");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Set<Path> files;
        while (!(files = flagsFiles()).equals(liveFlagsFiles)) {
            assertTrue(System.nanoTime() < deadline, "flags files left: " + files + ", expected " + liveFlagsFiles);
            Thread.sleep(20);
        }
    }

    Set<Path> flagsFiles() throws IOException {
        try (var s = Files.list(target.flagsDir())) {
            return new TreeSet<>(s.toList());
        }
    }

    void stop() throws IOException {
        for (ProtocolFuzzClient c : keepers) {
            c.close();
        }
        bystander.close();
    }
}
