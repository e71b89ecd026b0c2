package dev.dyndbgd.mount;

import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Frames;
import dev.dyndbgd.elf.Fixtures;
import dev.dyndbgd.fuse.MountTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments while control is being written and programs register and leave; then a
 * restart: the stale mount and socket are recovered, the state file is valid, and every write that
 * was acknowledged is there (the one in flight at the kill may or may not be).
 */
@Timeout(300)
class CrashRecoveryTest {
    private static final int ROUNDS = 6;
    private static final int SITES = 12;

    @TempDir
    Path work;

    /** One acknowledged or in-flight write: module, line, flags. */
    record Write(String module, int line, String flags) {
    }

    private static Map<String, String> flagsByKey(String control) {
        Map<String, String> out = new HashMap<>();
        for (String l : control.lines().toList()) {
            int bracket = l.indexOf(" [");
            if (bracket < 0 || !(l.contains("[beta]") || l.contains("[prog]"))) {
                continue;
            }
            String module = l.substring(bracket + 2, l.indexOf(']', bracket));
            int line = Integer.parseInt(l.substring(l.lastIndexOf(':', bracket) + 1, bracket));
            int eq = l.indexOf(" =", bracket);
            out.put(module + ":" + line, l.substring(eq + 2, l.indexOf(' ', eq + 2)));
        }
        return out;
    }

    private static Register program() {
        List<Register.Site> sites = new ArrayList<>();
        for (int i = 0; i < SITES; i++) {
            sites.add(new Register.Site("prog.c", "step", "step " + i + "\n", 100 + i, 63));
        }
        return new Register("prog", List.of(), sites);
    }

    /** Registers module prog and holds it until closed; null if the daemon is not there. */
    private static SocketChannel register(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            Frames.write(ch, program().frame());
            ByteBuffer body = Frames.read(ch);
            if (body != null && Reply.decode(body) instanceof Reply.Registered) {
                return ch;
            }
            ch.close();
        } catch (Exception e) {
            // the daemon died under us
        }
        return null;
    }

    /** Restarts the daemon and checks it holds every acknowledged write; the in-flight one either way. */
    private DaemonProcess restartAndCheck(Path modules, Path socket, Map<String, String> acknowledged, Write maybe, int round)
            throws Exception {
        DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString());
        SocketChannel held = register(socket);
        assertTrue(held != null, "program registers with the restarted daemon");
        Map<String, String> now = flagsByKey(DaemonProcess.sh("cat " + d.control()).out());
        held.close();
        if (maybe != null) {
            String key = maybe.module() + ":" + maybe.line();
            String before = acknowledged.getOrDefault(key, "_");
            String v = now.get(key);
            assertTrue(maybe.flags().equals(v) || before.equals(v), "round " + round + ": in-flight write half-applied: " + v);
            acknowledged.put(key, v);
        }
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            assertEquals(e.getValue(), now.get(e.getKey()), "round " + round + ": " + e.getKey() + " lost its acknowledged flags");
        }
        assertTrue(!d.logText().contains("corrupt"), d.logText());
        return d;
    }

    @Test
    void killedAtRandomMomentsItComesBackWithEveryAcknowledgedWrite() throws Exception {
        FuseRequirements.check();
        Path modules = Files.createDirectories(work.resolve("modules"));
        Fixtures.generatedModule(modules, "beta", SITES);
        Path socket = DaemonProcess.socketOf(work);
        Random random = new Random(20261126);
        Map<String, String> acknowledged = new HashMap<>();
        AtomicInteger writes = new AtomicInteger();
        Write maybe = null;
        for (int round = 0; round < ROUNDS; round++) {
            DaemonProcess d = restartAndCheck(modules, socket, acknowledged, maybe, round);
            int base = flagsByKey(DaemonProcess.sh("cat " + d.control()).out()).keySet().stream()
                    .filter(k -> k.startsWith("beta:")).mapToInt(k -> Integer.parseInt(k.substring(5))).min().orElseThrow();
            SocketChannel held = register(socket); // prog is live while its flags are written
            AtomicBoolean stop = new AtomicBoolean();
            Write[] inFlight = new Write[1];
            Thread churn = new Thread(() -> { // other programs come and go while the daemon dies
                while (!stop.get()) {
                    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                        Frames.write(c, new Register("churn", List.of(), List.of(new Register.Site("c.c", "f", "x", 1, 63))).frame());
                        Frames.read(c);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            Thread writer = new Thread(() -> {
                Random r = new Random(random.nextLong());
                while (!stop.get()) {
                    boolean prog = r.nextBoolean();
                    int index = r.nextInt(SITES);
                    String flags = new String[]{"p", "pm", "_", "pfl", "t"}[r.nextInt(5)];
                    Write w = new Write(prog ? "prog" : "beta", prog ? 100 + index : base + index, flags);
                    inFlight[0] = w;
                    try (FileOutputStream out = new FileOutputStream(d.control().toFile())) {
                        out.write(("module " + w.module() + " line " + w.line() + " =" + w.flags()).getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return; // the mount died: this write is the one in flight
                    }
                    acknowledged.put(w.module() + ":" + w.line(), w.flags());
                    writes.incrementAndGet();
                    inFlight[0] = null;
                }
            });
            churn.start();
            writer.start();
            Thread.sleep(100 + random.nextInt(600));
            d.kill9();
            stop.set(true);
            writer.join(10_000);
            churn.join(10_000);
            if (held != null) {
                held.close();
            }
            assertTrue(MountTable.at(d.mount).isPresent(), "a killed daemon leaves its mount behind (to be recovered)");
            maybe = inFlight[0];
        }
        restartAndCheck(modules, socket, acknowledged, maybe, ROUNDS).close();
        assertTrue(writes.get() > ROUNDS * 10, "too few writes got in before the kills: " + writes.get());
        System.out.println("crash recovery: " + ROUNDS + " kills, " + writes.get() + " acknowledged writes, all found after restarts");
    }
}
