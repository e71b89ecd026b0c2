package dev.dyndbgd.client;

import dev.dyndbgd.client.protocol.Frames;
import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Wire;
import dev.dyndbgd.client.scan.ScannedSite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps one module registered with the daemon, on a daemon thread: connect, send REGISTER, map the
 * flags file read-only, attach it, then wait on the socket. The daemon never writes to a registered
 * program, so the wait ends only when the daemon goes away (or refuses); the module then reads as
 * off and the loop tries again, with a delay that doubles from 100 ms to 2 s while nobody answers.
 */
final class Connector implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
    private static final long FIRST_DELAY_MS = 100;
    private static final long MAX_DELAY_MS = 2000;

    private final DynamicDebug module;
    private final Path socket;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile SocketChannel channel;
    private volatile int registrations;
    private volatile String lastRefusal;

    private Connector(DynamicDebug module, Path socket) {
        this.module = module;
        this.socket = socket;
        this.thread = new Thread(this, "dyndbg-" + module.name());
        thread.setDaemon(true);
    }

    static Connector start(DynamicDebug module, Path socket) {
        Connector c = new Connector(module, socket);
        c.thread.start();
        return c;
    }

    /** {@code -Ddyndbgd.socket}, else {@code $DYNDBGD_SOCKET}, else the default path. */
    static Path socketPath() {
        String p = System.getProperty("dyndbgd.socket");
        if (p == null || p.isEmpty()) {
            p = System.getenv("DYNDBGD_SOCKET");
        }
        return Path.of(p == null || p.isEmpty() ? Protocol.DEFAULT_SOCKET : p);
    }

    @Override
    public void run() {
        if (module.table().isEmpty()) { // waits for the scan
            LOG.debug("dyndbg: module {} has no statements; not registering", module.name());
            return;
        }
        long delay = FIRST_DELAY_MS;
        while (!stopped) {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                channel = ch;
                if (stopped) {
                    return;
                }
                Frames.write(ch, registration().frame());
                Reply reply = Reply.decode(orEof(Frames.read(ch)));
                if (reply instanceof Reply.Registered r) {
                    module.attach(mapReadOnly(Path.of(r.flagsPath()), module.table().size()));
                    registrations++;
                    lastRefusal = null;
                    delay = FIRST_DELAY_MS;
                    LOG.debug("dyndbg: module {} registered ({} statements)", module.name(), r.sites());
                    // Nothing more comes on this connection; a read returns when the daemon goes.
                    Frames.read(ch);
                } else if (reply instanceof Reply.Failure f) {
                    refused(Protocol.errnoName(f.errno()) + ": " + f.message());
                }
            } catch (IOException | ProtocolException | RuntimeException e) {
                if (!stopped && lastRefusal == null && registrations > 0) {
                    LOG.debug("dyndbg: module {} lost the daemon: {}", module.name(), e.toString());
                }
            } finally {
                channel = null;
                module.detach();
            }
            sleep(delay);
            delay = Math.min(MAX_DELAY_MS, delay * 2);
        }
    }

    private static ByteBuffer orEof(ByteBuffer b) throws IOException {
        if (b == null) {
            throw new IOException("the daemon closed the connection without a reply");
        }
        return b;
    }

    private void refused(String why) {
        // Said once per reason, not once per retry: a name held elsewhere may stay held for long.
        if (!why.equals(lastRefusal)) {
            LOG.warn("dyndbg: the daemon refused module {}: {}", module.name(), why);
        }
        lastRefusal = why;
    }

    private Register registration() {
        List<String> classes = new ArrayList<>();
        List<Register.Site> sites = new ArrayList<>();
        for (ScannedSite s : module.table()) {
            int cls = Protocol.CLASS_NONE;
            if (s.className() != null) {
                cls = classes.indexOf(s.className());
                if (cls < 0 && classes.size() < Protocol.MAX_CLASSES) {
                    classes.add(s.className());
                    cls = classes.size() - 1;
                }
                cls = cls < 0 ? Protocol.CLASS_NONE : cls;
            }
            sites.add(new Register.Site(Wire.of(s.file()), Wire.of(s.function()), Wire.of(s.format()),
                    Math.min(s.line(), Protocol.MAX_LINE), cls));
        }
        return new Register(module.name(), classes.stream().map(Wire::of).toList(), sites);
    }

    private static MappedByteBuffer mapReadOnly(Path file, int sites) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, sites);
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            stopped = true;
        }
    }

    void stop() {
        stopped = true;
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing to wake the reader
            }
        }
        thread.interrupt();
    }
}
