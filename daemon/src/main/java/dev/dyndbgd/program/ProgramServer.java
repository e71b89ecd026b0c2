package dev.dyndbgd.program;

import dev.dyndbgd.client.protocol.Frames;
import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import dev.dyndbgd.log.DyndbgLog;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's Unix socket for programs and {@code dyndbgctl} ({@code docs/protocol.md}).
 *
 * <p>One thread runs a selector over every connection: a connection costs a few hundred bytes until
 * it sends something, a slow or silent peer holds no thread, and requests are handled one at a time,
 * so registrations never race each other for a name. Every connection must finish its first request
 * within {@link #deadlineMillis}; a registered program then sends nothing more and stays connected
 * for as long as it holds its module. A peer that breaks the protocol gets an ERROR frame and is
 * disconnected; nobody else notices.
 */
public final class ProgramServer implements AutoCloseable {
    /** Connections served at once; one more is told EMFILE and closed. */
    public static final int MAX_CONNECTIONS = 1024;
    private static final long DEFAULT_DEADLINE_MILLIS = 10_000;
    /** How long accepting pauses when the process is out of file descriptors. */
    private static final long ACCEPT_BACKOFF_MILLIS = 100;

    private final Path socket;
    private final ProgramModules programs;
    private final AdminRequests admin;
    private final DyndbgLog log;
    private final long deadlineMillis;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectionKey acceptKey;
    private final Thread loop;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private int connections;
    /** When accepting resumes (System.nanoTime) after accept(2) failed, or 0 while accepting. */
    private long acceptPausedUntil;
    private int acceptFailures;
    private volatile boolean closed;

    private ProgramServer(Path socket, ProgramModules programs, AdminRequests admin, DyndbgLog log, long deadlineMillis)
            throws IOException {
        this.socket = socket;
        this.programs = programs;
        this.admin = admin;
        this.log = log;
        this.deadlineMillis = deadlineMillis;
        this.server = bind(socket);
        this.selector = Selector.open();
        server.configureBlocking(false);
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = new Thread(this::run, "dyndbgd-programs");
        loop.setDaemon(true);
    }

    /** Listens on {@code socket} (its directory is created) and serves until closed. */
    public static ProgramServer start(Path socket, ProgramModules programs, AdminRequests admin, DyndbgLog log) throws IOException {
        return start(socket, programs, admin, log, DEFAULT_DEADLINE_MILLIS);
    }

    public static ProgramServer start(Path socket, ProgramModules programs, AdminRequests admin, DyndbgLog log,
                                      long deadlineMillis) throws IOException {
        ProgramServer s = new ProgramServer(socket, programs, admin, log, deadlineMillis);
        s.loop.start();
        return s;
    }

    private static ServerSocketChannel bind(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (Files.exists(socket)) {
            // A socket file outlives a daemon killed with -9. Connecting tells a live one from a dead one.
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new IOException(socket + " is in use by a running daemon");
            } catch (IOException refused) {
                if (refused.getMessage() != null && refused.getMessage().endsWith("by a running daemon")) {
                    throw refused;
                }
                Files.delete(socket);
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket), 128);
        // Anyone may connect: what a peer may do is decided per request from its credentials.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        return ch;
    }

    public Path socket() {
        return socket;
    }

    /** One connection's state. */
    private final class Session {
        final SocketChannel channel;
        final PeerCredentials peer;
        final Frames.Assembler frames = new Frames.Assembler();
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        long deadline;
        ProgramModules.Registration registration;
        boolean closeAfterWrite;

        Session(SocketChannel channel, PeerCredentials peer) {
            this.channel = channel;
            this.peer = peer;
            this.deadline = System.currentTimeMillis() + deadlineMillis;
        }
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(selectTimeout());
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                        } else {
                            Session s = (Session) key.attachment();
                            if (key.isWritable()) {
                                flush(key, s);
                            }
                            if (key.isValid() && key.isReadable()) {
                                read(key, s);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        if (key.attachment() instanceof Session s) {
                            log.warn("program connection " + s.peer + " dropped: " + e);
                            close(key, s);
                        } else {
                            log.error("accepting a program connection failed: " + e);
                        }
                    }
                }
                selector.selectedKeys().clear();
                expireDeadlines();
                if (acceptPausedUntil != 0 && System.nanoTime() - acceptPausedUntil >= 0) {
                    acceptPausedUntil = 0;
                    acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                log.error("program socket stopped: " + e);
            }
        }
    }

    private long selectTimeout() {
        if (acceptPausedUntil == 0) {
            return 250;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(acceptPausedUntil - System.nanoTime());
        return Math.max(1, Math.min(250, millis));
    }

    private void accept() throws IOException {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            // Out of file descriptors (EMFILE, ENFILE) below MAX_CONNECTIONS: the connection stays in
            // the backlog and the socket stays acceptable, so retrying at once would spin and log
            // without end (hundreds of thousands of lines a second). Pause accepting instead, log once.
            if (acceptFailures++ == 0) {
                log.error("accepting a program connection failed: " + e + "; retrying every " + ACCEPT_BACKOFF_MILLIS
                        + " ms");
            }
            acceptKey.interestOps(0);
            acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACCEPT_BACKOFF_MILLIS);
            return;
        }
        if (ch == null) {
            return;
        }
        if (acceptFailures > 0) {
            log.warn("accepting program connections again after " + acceptFailures + " failed attempts");
            acceptFailures = 0;
        }
        Session s;
        SelectionKey key;
        try {
            PeerCredentials peer;
            try {
                peer = PeerCredentials.of(ch);
            } catch (IOException e) {
                peer = PeerCredentials.UNKNOWN;
            }
            ch.configureBlocking(false);
            s = new Session(ch, peer);
            key = ch.register(selector, SelectionKey.OP_READ, s);
        } catch (IOException | RuntimeException e) {
            ch.close();   // not yet a session: nothing else would ever close it
            throw e;
        }
        PeerCredentials peer = s.peer;
        connections++;
        if (connections > MAX_CONNECTIONS) {
            log.warn("refused program connection from " + peer + ": " + MAX_CONNECTIONS + " connections already");
            fail(key, s, new ProtocolException(Protocol.EMFILE, "the daemon serves " + MAX_CONNECTIONS + " connections at most"));
        }
    }

    private void read(SelectionKey key, Session s) throws IOException {
        // One request at a time: while an answer is still on its way out, the next request stays in
        // the socket (flush reads again once the answer is out). A client that pipelines requests and
        // never reads the answers then stalls itself instead of making the daemon queue answers
        // without bound, and one that sends requests and shuts its side down gets every answer before
        // the end of stream closes the connection.
        while (key.isValid() && !s.closeAfterWrite && s.out.isEmpty()) {
            if (s.registration != null) {
                // "After REGISTERED the client sends nothing more": any byte at all (a partial or
                // malformed frame too) is answered EPROTO; the end of stream is the program leaving.
                // What arrived is read whole and dropped: closing with it unread would make the
                // kernel reset the connection, and the client would see ECONNRESET, not the end of
                // stream, after its ERROR.
                int n = s.channel.read(scratch.clear());
                if (n < 0) {
                    close(key, s);
                } else if (n > 0) {
                    fail(key, s, new ProtocolException(Protocol.EPROTO, "a registered program sends nothing more"));
                }
                return;
            }
            ByteBuffer body;
            try {
                body = s.frames.readFrom(s.channel, scratch);
            } catch (EOFException e) {
                close(key, s);
                return;
            } catch (ProtocolException e) {
                fail(key, s, e);
                return;
            }
            if (body == null) {
                return;
            }
            handle(key, s, body);
        }
    }

    private void handle(SelectionKey key, Session s, ByteBuffer body) throws IOException {
        try {
            Request request = Request.decode(body);
            if (request instanceof Register register) {
                s.registration = programs.register(register, s.peer);
                s.deadline = Long.MAX_VALUE;
                send(key, s, new Reply.Registered(register.sites().size(), s.registration.flags().file().toString()).frame());
            } else {
                send(key, s, admin.handle(request, s.peer).frame());
                s.deadline = System.currentTimeMillis() + deadlineMillis;
            }
        } catch (ProtocolException e) {
            fail(key, s, e);
        }
    }

    /** Answers ERROR with the reason, logs it, and closes once the frame is out. */
    private void fail(SelectionKey key, Session s, ProtocolException e) throws IOException {
        log.warn("program " + s.peer + ": " + Protocol.errnoName(e.errno()) + ": " + e.getMessage() + "; disconnected");
        s.closeAfterWrite = true;
        send(key, s, new Reply.Failure(e.errno(), e.getMessage()).frame());
    }

    private void send(SelectionKey key, Session s, ByteBuffer frame) throws IOException {
        s.out.add(frame);
        flush(key, s);
    }

    private void flush(SelectionKey key, Session s) throws IOException {
        while (!s.out.isEmpty()) {
            ByteBuffer b = s.out.peek();
            s.channel.write(b);
            if (b.hasRemaining()) {
                // Not reading meanwhile: see read().
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            s.out.poll();
        }
        if (s.closeAfterWrite) {
            close(key, s);
        } else if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void expireDeadlines() {
        long now = System.currentTimeMillis();
        List<SelectionKey> late = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Session s && now > s.deadline) {
                late.add(key);
            }
        }
        for (SelectionKey key : late) {
            Session s = (Session) key.attachment();
            if (s.closeAfterWrite) {
                close(key, s); // the peer does not even read its error: just go
                continue;
            }
            try {
                s.deadline = now + deadlineMillis;
                fail(key, s, new ProtocolException(Protocol.ETIMEDOUT, "no complete request within " + deadlineMillis + " ms"));
            } catch (IOException e) {
                close(key, s);
            }
        }
    }

    private void close(SelectionKey key, Session s) {
        if (!key.isValid() && !s.channel.isOpen()) {
            return;
        }
        key.cancel();
        connections--;
        try {
            s.channel.close();
        } catch (IOException ignored) {
            // closing a socket whose peer is gone
        }
        if (s.registration != null) {
            programs.release(s.registration);
            s.registration = null;
        }
    }

    /** Stops serving: every program's module is removed, the socket file deleted. */
    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Session s) {
                close(key, s);
            }
        }
        selector.close();
        server.close();
        Files.deleteIfExists(socket);
    }
}
