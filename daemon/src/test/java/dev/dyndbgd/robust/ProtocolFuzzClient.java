package dev.dyndbgd.robust;

import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Reply;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A raw protocol client for fuzzing: sends whatever bytes it is given, half-closes when told, and
 * reads the daemon's answer with a timeout, telling a reply, a clean close, a reset and silence
 * apart. Non-blocking underneath, so no read or write can hang a test.
 */
final class ProtocolFuzzClient implements AutoCloseable {
    /** What a read found. */
    enum Event { REPLY, CLOSED, SILENT }

    final SocketChannel channel;
    private ByteBuffer in = ByteBuffer.allocate(8192);
    private Reply last;
    private boolean closedByDaemon;

    ProtocolFuzzClient(Path socket) throws IOException {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        channel.configureBlocking(false);
    }

    /**
     * Writes {@code bytes} whole within {@code millis}; false when the daemon closed the connection
     * first (it may answer before a frame is complete, e.g. E2BIG on the length alone).
     */
    boolean write(byte[] bytes, long millis) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("daemon did not take " + b.remaining() + " more bytes within " + millis + " ms");
                    }
                    await(SelectionKey.OP_WRITE, 20);
                }
            }
            return true;
        } catch (IOException e) {
            if (isPeerGone(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Writes as much of {@code bytes} as the daemon accepts without blocking; returns how much. */
    int writeSome(ByteBuffer bytes) throws IOException {
        return channel.write(bytes);
    }

    static boolean isPeerGone(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Broken pipe") || m.contains("Connection reset") || e instanceof java.nio.channels.ClosedChannelException;
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    private void await(int ops, long millis) throws IOException {
        try (Selector s = Selector.open()) {
            channel.register(s, ops);
            s.select(Math.max(1, millis));
        }
    }

    /**
     * Waits up to {@code millis} for the next frame or the end of the stream. A reset after the daemon
     * closed (it does that when it closes with bytes of ours unread) counts as closed.
     */
    Event next(long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            Reply r = parse();
            if (r != null) {
                last = r;
                return Event.REPLY;
            }
            if (closedByDaemon) {
                return Event.CLOSED;
            }
            if (!in.hasRemaining()) {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                if (!isPeerGone(e)) {
                    throw e;
                }
                n = -1;
            }
            if (n < 0) {
                closedByDaemon = true;
                if (in.position() > 0) {
                    throw new AssertionError("daemon closed inside a frame (" + in.position() + " bytes of it)");
                }
                return Event.CLOSED;
            }
            if (n == 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return Event.SILENT;
                }
                await(SelectionKey.OP_READ, Math.min(left, 200));
            }
        }
    }

    /** The reply {@link #next} found. */
    Reply reply() {
        return last;
    }

    /** The next reply; fails unless one arrives within {@code millis}. */
    Reply expectReply(long millis) throws IOException {
        Event e = next(millis);
        if (e != Event.REPLY) {
            throw new AssertionError("expected a reply, got " + e);
        }
        return last;
    }

    /** A complete frame from the bytes received so far, decoded; null when none is complete. */
    private Reply parse() {
        if (in.position() < 4) {
            return null;
        }
        int length = in.getInt(0);
        if (length <= 0 || length > (1 << 20)) {
            throw new AssertionError("daemon sent a frame length of " + length);
        }
        if (in.position() < 4 + length) {
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        body.put(0, in, 4, length);
        in.flip().position(4 + length);
        in.compact();
        try {
            return Reply.decode(body);
        } catch (ProtocolException e) {
            throw new AssertionError("daemon sent a malformed reply: " + e.getMessage());
        }
    }

    boolean closedByDaemon() {
        return closedByDaemon;
    }

    static MappedByteBuffer mapFlags(String path, int sites) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(path), StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, sites);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
