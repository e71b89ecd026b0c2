package dev.dyndbgd.program;

import dev.dyndbgd.client.protocol.Frames;
import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Reply;

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

/** A protocol client written against docs/protocol.md for tests: raw frames, raw bytes. */
final class RawClient implements AutoCloseable {
    final SocketChannel channel;

    RawClient(Path socket) throws IOException {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    void send(ByteBuffer frame) throws IOException {
        Frames.write(channel, frame);
    }

    void sendRaw(byte[] bytes) throws IOException {
        Frames.write(channel, ByteBuffer.wrap(bytes));
    }

    /** The next reply; null if the daemon closed without one. */
    Reply reply() throws IOException, ProtocolException {
        ByteBuffer body = Frames.read(channel);
        return body == null ? null : Reply.decode(body);
    }

    /** True when the daemon has closed this connection (read sees end of stream). */
    boolean closedByDaemon() throws IOException {
        return channel.read(ByteBuffer.allocate(1)) < 0;
    }

    static Register module(String name, int sites) {
        List<Register.Site> list = new ArrayList<>();
        for (int i = 0; i < sites; i++) {
            list.add(new Register.Site("src/" + name + ".c", "fn" + (i % 7), "message " + i + " of " + name + "\n", 10 + i, 63));
        }
        return new Register(name, List.of(), list);
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
