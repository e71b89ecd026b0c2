package dev.dyndbgd.mount;

import dev.dyndbgd.client.protocol.Frames;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import dev.dyndbgd.elf.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything at once against a real mounted daemon, for {@code dyndbgd.soakSeconds} (default 60):
 * 8 writers and 8 readers on control, programs registering and leaving, a module file loaded and
 * unloaded. Checked: no torn or malformed line in any read, no lost update (each writer owns its
 * module; the final control shows each writer's last acknowledged flags), no deadlock (a watchdog
 * dumps the daemon's threads and fails if any worker stops making progress for 20 s).
 */
@Timeout(600)
class SoakTest {
    private static final int WRITERS = 8;
    private static final int READERS = 8;
    private static final int SITES = 16;
    /** header, or file:line [module]function =flags "format" [class:NAME] */
    private static final Pattern LINE = Pattern.compile(
            "# filename:lineno \\[module\\]function flags format|[^ ]+:\\d+ \\[[A-Za-z0-9_-]+\\][^ ]+ =[pmflst_]+ \".*\"( class:[^ ]+| class unknown, _id:\\d+)?");

    @TempDir
    Path work;

    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> progress = new ConcurrentHashMap<>();

    private void fail(String what) {
        if (failures.size() < 20) {
            failures.add(what);
        }
    }

    private Thread worker(String name, AtomicBoolean stop, Runnable step) {
        AtomicLong count = new AtomicLong();
        progress.put(name, count);
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    fail(name + ": " + e);
                }
                count.incrementAndGet();
            }
        }, name);
        t.start();
        return t;
    }

    private static Reply call(Path socket, Request r) throws Exception {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Frames.write(ch, r.frame());
            ByteBuffer body = Frames.read(ch);
            return body == null ? null : Reply.decode(body);
        }
    }

    @Test
    void writersReadersProgramsAndModuleLoadsTogether() throws Exception {
        FuseRequirements.check();
        long seconds = Long.getLong("dyndbgd.soakSeconds", 60);
        Path modules = Files.createDirectories(work.resolve("modules"));
        for (int w = 0; w < WRITERS; w++) {
            Fixtures.generatedModule(modules, "w" + w, SITES);
        }
        Path extra = Fixtures.generatedModule(Files.createDirectories(work.resolve("extra")), "gamma", 40);
        try (DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString())) {
            Path socket = DaemonProcess.socketOf(work);
            String control0 = DaemonProcess.sh("cat " + d.control()).out();
            // each writer's module: line of site i
            int[][] lines = new int[WRITERS][];
            for (int w = 0; w < WRITERS; w++) {
                String tag = "[w" + w + "]";
                lines[w] = control0.lines().filter(l -> l.contains(tag))
                        .mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1, l.indexOf(' ')))).sorted().toArray();
                assertEquals(SITES, lines[w].length);
            }
            String[][] last = new String[WRITERS][SITES];
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            String[] choices = {"p", "pm", "_", "pfl", "t", "pmfslt", "s"};
            for (int w = 0; w < WRITERS; w++) {
                int me = w;
                Random r = new Random(1000 + w);
                threads.add(worker("writer-" + w, stop, () -> {
                    int i = r.nextInt(SITES);
                    String flags = choices[r.nextInt(choices.length)];
                    // a small batch: the change plus a query that matches nothing
                    String batch = "module w" + me + " line " + lines[me][i] + " =" + flags + "; module nosuch -p\n";
                    try (FileOutputStream out = new FileOutputStream(d.control().toFile())) {
                        out.write(batch.getBytes(StandardCharsets.US_ASCII));
                        last[me][i] = flags;
                    } catch (IOException e) {
                        fail("writer " + me + ": " + e);
                    }
                }));
            }
            AtomicLong linesRead = new AtomicLong();
            for (int r = 0; r < READERS; r++) {
                int me = r;
                threads.add(worker("reader-" + r, stop, () -> {
                    try (FileInputStream in = new FileInputStream(d.control().toFile())) {
                        String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                        if (!text.endsWith("\n")) {
                            fail("reader " + me + ": read does not end with a newline");
                        }
                        for (String l : text.split("\n")) {
                            if (!LINE.matcher(l).matches()) {
                                fail("reader " + me + ": torn or malformed line: " + l);
                            }
                        }
                        linesRead.addAndGet(text.length() - text.replace("\n", "").length());
                    } catch (IOException e) {
                        fail("reader " + me + ": " + e);
                    }
                }));
            }
            AtomicLong registrations = new AtomicLong();
            threads.add(worker("programs", stop, () -> {
                String name = "soak" + (registrations.get() % 5);
                List<Register.Site> sites = List.of(new Register.Site("soak.c", "run", "tick\n", 7, 63),
                        new Register.Site("soak.c", "run", "tock\n", 9, 63));
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    Frames.write(c, new Register(name, List.of(), sites).frame());
                    if (!(Reply.decode(Frames.read(c)) instanceof Reply.Registered)) {
                        fail("program " + name + " not registered");
                    }
                    registrations.incrementAndGet();
                } catch (Exception e) {
                    fail("program: " + e);
                }
            }));
            AtomicLong loads = new AtomicLong();
            threads.add(worker("modules", stop, () -> {
                try {
                    Reply l = call(socket, new Request.Load(List.of(extra.toString())));
                    Reply u = call(socket, new Request.Unload("gamma"));
                    if (!(l instanceof Reply.Result lr && lr.errno() == 0) || !(u instanceof Reply.Result ur && ur.errno() == 0)) {
                        fail("load/unload: " + l + " " + u);
                    }
                    loads.incrementAndGet();
                } catch (Exception e) {
                    fail("modules: " + e);
                }
            }));
            // Watchdog: every worker must keep moving.
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            Map<String, Long> seen = new ConcurrentHashMap<>();
            long lastMove = System.nanoTime();
            while (System.nanoTime() < end && failures.isEmpty()) {
                Thread.sleep(1000);
                boolean allMoved = true;
                for (var e : progress.entrySet()) {
                    long now = e.getValue().get();
                    Long before = seen.put(e.getKey(), now);
                    if (before != null && before == now) {
                        allMoved = false;
                    }
                }
                if (allMoved) {
                    lastMove = System.nanoTime();
                } else if (System.nanoTime() - lastMove > 20_000_000_000L) {
                    String dump = DaemonProcess.run(List.of("jcmd", Long.toString(d.pid()), "Thread.print")).out();
                    fail("no progress for 20 s (" + progress + "); daemon threads:\n" + dump);
                    break;
                }
                if (!d.process().isAlive()) {
                    fail("the daemon died:\n" + d.logText());
                    break;
                }
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
                if (t.isAlive()) {
                    fail("worker " + t.getName() + " stuck after stop");
                }
            }
            assertEquals(List.of(), failures);
            // No lost update: each writer's last acknowledged flags are what control shows.
            String finalControl = DaemonProcess.sh("cat " + d.control()).out();
            for (int w = 0; w < WRITERS; w++) {
                for (int i = 0; i < SITES; i++) {
                    String expect = last[w][i] == null ? "_" : last[w][i];
                    String key = ":" + lines[w][i] + " [w" + w + "]";
                    String line = finalControl.lines().filter(l -> l.contains(key)).findFirst().orElseThrow();
                    assertEquals(expect, line.substring(line.indexOf(" =") + 2, line.indexOf(' ', line.indexOf(" =") + 2)), line);
                }
            }
            long writes = 0;
            for (int w = 0; w < WRITERS; w++) {
                writes += progress.get("writer-" + w).get();
            }
            System.out.printf("soak: %d s, %d writes, %d control reads (%d lines), %d registrations, %d load/unload cycles%n",
                    seconds, writes, READERS == 0 ? 0 : progress.entrySet().stream().filter(e -> e.getKey().startsWith("reader")).mapToLong(e -> e.getValue().get()).sum(),
                    linesRead.get(), registrations.get(), loads.get());
        }
    }
}
