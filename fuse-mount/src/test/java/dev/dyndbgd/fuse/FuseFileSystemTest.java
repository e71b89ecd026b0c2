package dev.dyndbgd.fuse;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's request handling without a kernel: requests laid out as {@code fuse.h} lays them
 * out, replies checked field by field; then random and mutated requests, which must each get a
 * well-formed reply (or none, for the opcodes that have none) and never an exception.
 */
class FuseFileSystemTest {
    private static final int MAX_PAGES = 256;

    /** A file that echoes what was written to it, and says so when read. */
    private static final class Echo extends FileNode {
        final List<String> writes = new ArrayList<>();

        Echo() {
            super("control", 0644, true, true);
        }

        @Override
        public OpenFile open(int flags) {
            return new OpenFile() {
                @Override
                public int read(long offset, byte[] dst) {
                    return OpenFile.readAt("hello world\n".getBytes(StandardCharsets.US_ASCII), offset, dst);
                }

                @Override
                public int write(long offset, byte[] data) throws FsException {
                    if (data.length > 4095) {
                        throw new FsException(Errno.E2BIG, "too long");
                    }
                    writes.add(new String(data, StandardCharsets.US_ASCII));
                    return data.length;
                }
            };
        }
    }

    private final Echo control = new Echo();
    private final FuseFileSystem fs = new FuseFileSystem(VirtualDirectory.of("", List.of(control,
            VirtualDirectory.of("zsmalloc", List.of()))), 0, 0, MountOptions.MAX_WRITE, MAX_PAGES);
    private final List<ByteBuffer> sent = new ArrayList<>();
    private final FuseReply reply = new FuseReply((b, n) -> {
        ByteBuffer copy = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(b.duplicate().position(0).limit(n)).flip();
        sent.add(copy);
    }, fs.large);
    private long unique = 100;

    /** One request buffer, as a worker has: each request overwrites the last. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(MountOptions.MAX_WRITE + 4096).order(ByteOrder.LITTLE_ENDIAN);

    private ByteBuffer request(int opcode, long node, byte[] body) {
        ByteBuffer b = in;
        b.putInt(0, FuseProtocol.IN_HEADER + body.length).putInt(4, opcode).putLong(8, ++unique).putLong(16, node);
        b.putInt(24, 0).putInt(28, 0).putInt(32, 4242);
        b.put(FuseProtocol.IN_HEADER, body);
        return b;
    }

    /** Sends one request; returns its reply (null if it got none). */
    private ByteBuffer send(int opcode, long node, byte[] body) throws FuseRequest.Malformed {
        ByteBuffer b = request(opcode, node, body);
        int before = sent.size();
        fs.handle(FuseRequest.decode(b, FuseProtocol.IN_HEADER + body.length), reply);
        if (sent.size() == before) {
            return null;
        }
        ByteBuffer r = sent.get(sent.size() - 1);
        assertEquals(r.limit(), r.getInt(0), "reply length field");
        assertEquals(unique, r.getLong(8), "reply names its request");
        return r;
    }

    private static byte[] le(Object... fields) {
        ByteBuffer b = ByteBuffer.allocate(16384).order(ByteOrder.LITTLE_ENDIAN);
        for (Object f : fields) {
            if (f instanceof Long l) {
                b.putLong(l);
            } else if (f instanceof Integer i) {
                b.putInt(i);
            } else if (f instanceof byte[] a) {
                b.put(a);
            }
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static byte[] cstring(String s) {
        byte[] a = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[a.length + 1];
        System.arraycopy(a, 0, z, 0, a.length);
        return z;
    }

    @Test
    void initNegotiatesOurVersionBigWritesAndPages() throws Exception {
        ByteBuffer r = send(FuseProtocol.INIT, 0, le(7, 45, 131072, -1, 0, 0, 0, 0));
        assertEquals(0, r.getInt(4));
        assertEquals(16 + FuseProtocol.INIT_OUT, r.limit());
        assertEquals(7, r.getInt(16));
        assertEquals(FuseProtocol.MINOR, r.getInt(20), "a newer kernel is answered with our minor");
        int flags = r.getInt(28);
        assertEquals(FuseProtocol.INIT_ATOMIC_O_TRUNC | FuseProtocol.INIT_BIG_WRITES | FuseProtocol.INIT_MAX_PAGES, flags);
        assertEquals(MountOptions.MAX_WRITE, r.getInt(36));
        assertEquals(MAX_PAGES, r.getShort(44));
        ByteBuffer old = send(FuseProtocol.INIT, 0, le(7, 26, 131072, 0));
        assertEquals(26, old.getInt(20), "an older 7.x is answered in its own minor");
        assertEquals(0, old.getInt(28), "and offered nothing, we take nothing");
        assertEquals(-Errno.EPROTO.intValue(), send(FuseProtocol.INIT, 0, le(7, 12, 0, 0)).getInt(4));
    }

    @Test
    void lookupOpenWriteReadRelease() throws Exception {
        ByteBuffer entry = send(FuseProtocol.LOOKUP, 1, cstring("control"));
        assertEquals(0, entry.getInt(4));
        long id = entry.getLong(16);
        assertEquals(3600, entry.getLong(32), "names cached for an hour");
        assertEquals(0, entry.getLong(40), "attributes never");
        int mode = entry.getInt(16 + 40 + 60);
        assertEquals(FuseProtocol.S_IFREG | 0644, mode);
        assertEquals(-Errno.ENOENT.intValue(), send(FuseProtocol.LOOKUP, 1, cstring("nosuch")).getInt(4));

        ByteBuffer open = send(FuseProtocol.OPEN, id, le(FuseProtocol.O_WRONLY | FuseProtocol.O_TRUNC, 0));
        assertEquals(0, open.getInt(4));
        long fh = open.getLong(16);
        assertEquals(FuseProtocol.FOPEN_DIRECT_IO, open.getInt(24));
        byte[] query = "module foo +p\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer w = send(FuseProtocol.WRITE, id, le(fh, 0L, query.length, 0, 0L, 0, 0, query));
        assertEquals(query.length, w.getInt(16));
        assertEquals(List.of("module foo +p\n"), control.writes);
        byte[] big = new byte[5000];
        assertEquals(-Errno.E2BIG.intValue(), send(FuseProtocol.WRITE, id, le(fh, 0L, big.length, 0, 0L, 0, 0, big)).getInt(4));

        ByteBuffer rd = send(FuseProtocol.OPEN, id, le(FuseProtocol.O_RDONLY, 0));
        long rfh = rd.getLong(16);
        ByteBuffer data = send(FuseProtocol.READ, id, le(rfh, 6L, 4096, 0, 0L, 0, 0));
        byte[] got = new byte[data.limit() - 16];
        data.get(16, got);
        assertArrayEquals("world\n".getBytes(StandardCharsets.US_ASCII), got);
        assertEquals(0, send(FuseProtocol.RELEASE, id, le(fh, 0, 0, 0L)).getInt(4));
        assertEquals(-Errno.EBADF.intValue(), send(FuseProtocol.READ, id, le(fh, 0L, 10, 0, 0L, 0, 0)).getInt(4));
        assertEquals(1, fs.openHandles());
    }

    @Test
    void largeReadsBorrowSharedBuffersThatASettleGivesBack() throws Exception {
        long id = send(FuseProtocol.LOOKUP, 1, cstring("control")).getLong(16);
        long fh = send(FuseProtocol.OPEN, id, le(FuseProtocol.O_RDONLY, 0)).getLong(16);
        for (int size : new int[]{1 << 20, (1 << 20) - 16, 16, 1 << 20}) {
            ByteBuffer data = send(FuseProtocol.READ, id, le(fh, 0L, size, 0, 0L, 0, 0));
            byte[] got = new byte[data.limit() - 16];
            data.get(16, got);
            assertArrayEquals(Arrays.copyOf("hello world\n".getBytes(StandardCharsets.US_ASCII), Math.min(size, 12)), got);
        }
        assertTrue(fs.large.bytesKept() >= 1L << 20, "the megabyte array kept for the next large read");
        fs.large.clear();
        assertEquals(0, fs.large.bytesKept());
        assertEquals(0, send(FuseProtocol.READ, id, le(fh, 6L, 1 << 20, 0, 0L, 0, 0)).getInt(4), "and reads still work");
    }

    @Test
    void attributesOfDirectoriesAreCachedOfFilesNeverAndOnlyTruncateChangesAnything() throws Exception {
        ByteBuffer root = send(FuseProtocol.GETATTR, 1, le(0, 0, 0L));
        assertEquals(3600, root.getLong(16), "a directory's attributes never change");
        assertEquals(FuseProtocol.S_IFDIR | 0755, root.getInt(32 + 60));
        assertEquals(3, root.getInt(32 + 64), "nlink: itself, its parent's entry and one subdirectory");
        long id = send(FuseProtocol.LOOKUP, 1, cstring("control")).getLong(16);
        ByteBuffer file = send(FuseProtocol.GETATTR, id, le(0, 0, 0L));
        assertEquals(0, file.getLong(16), "a file's are asked for every time");
        assertEquals(0, file.getLong(32 + 8), "size 0, as debugfs and /proc report generated files");
        assertEquals(FuseFileSystem.BLOCK_SIZE, file.getInt(32 + 80), "st_blksize: cat reads a MiB at a time");
        long fh = send(FuseProtocol.OPEN, id, le(FuseProtocol.O_WRONLY, 0)).getLong(16);
        byte[] setattr = new byte[FuseProtocol.SETATTR_IN];
        ByteBuffer.wrap(setattr).order(ByteOrder.LITTLE_ENDIAN).putInt(0, FuseProtocol.FATTR_SIZE | FuseProtocol.FATTR_FH)
                .putLong(8, fh).putLong(16, 0);
        assertEquals(0, send(FuseProtocol.SETATTR, id, setattr).getInt(4), "truncate to 0 through the handle");
        ByteBuffer.wrap(setattr).order(ByteOrder.LITTLE_ENDIAN).putInt(0, FuseProtocol.FATTR_MODE);
        assertEquals(-Errno.EPERM.intValue(), send(FuseProtocol.SETATTR, id, setattr).getInt(4), "chmod refused");
        assertEquals(-Errno.EINVAL.intValue(), send(FuseProtocol.SETATTR, id, new byte[8]).getInt(4), "short SETATTR");
    }

    @Test
    void directoriesListAndRefuseFileOperations() throws Exception {
        assertEquals(-Errno.EISDIR.intValue(), send(FuseProtocol.OPEN, 1, le(0, 0)).getInt(4));
        ByteBuffer dir = send(FuseProtocol.READDIR, 1, le(0L, 0L, 4096, 0, 0L, 0, 0));
        List<String> names = new ArrayList<>();
        int p = 16;
        while (p < dir.limit()) {
            int len = dir.getInt(p + 16);
            byte[] n = new byte[len];
            dir.get(p + 24, n);
            names.add(new String(n, StandardCharsets.UTF_8));
            p += (24 + len + 7) & ~7;
        }
        assertEquals(List.of(".", ".."), names.subList(0, 2));
        assertEquals(java.util.Set.of("control", "zsmalloc"), java.util.Set.copyOf(names.subList(2, 4)));
        ByteBuffer rest = send(FuseProtocol.READDIR, 1, le(0L, 3L, 4096, 0, 0L, 0, 0));
        assertEquals(16 + 32, rest.limit(), "from offset 3: the last entry alone");
        assertEquals(16, send(FuseProtocol.READDIR, 1, le(0L, 4L, 4096, 0, 0L, 0, 0)).limit(), "the end");
        assertEquals(-Errno.ENOSYS.intValue(), send(FuseProtocol.FLUSH, 2, le(0L, 0, 0, 0L)).getInt(4));
        assertEquals(null, send(FuseProtocol.FORGET, 2, le(1L)));
        assertEquals(0, send(FuseProtocol.STATFS, 1, new byte[0]).getInt(4));
    }

    @Test
    void shortRequestsAreRefusedNotReadPastTheirEnd() throws Exception {
        assertEquals(-Errno.EINVAL.intValue(), send(FuseProtocol.READ, 2, le(1L)).getInt(4));
        assertEquals(-Errno.EINVAL.intValue(), send(FuseProtocol.LOOKUP, 1, "unterminated".getBytes()).getInt(4));
        byte[] q = "abc".getBytes();
        assertEquals(-Errno.EINVAL.intValue(),
                send(FuseProtocol.WRITE, 2, le(1L, 0L, 1000, 0, 0L, 0, 0, q)).getInt(4), "size beyond the data");
        ByteBuffer b = request(FuseProtocol.GETATTR, 1, new byte[16]);
        assertThrows(FuseRequest.Malformed.class, () -> FuseRequest.decode(b, 39));
        assertThrows(FuseRequest.Malformed.class, () -> FuseRequest.decode(b, 60), "length field disagrees with the read");
    }

    @Test
    void randomAndMutatedRequestsGetWellFormedReplies() throws Exception {
        Random rnd = new Random(20261204);
        byte[][] seeds = {le(7, 31, 0, 0), cstring("control"), le(1, 0), le(1L, 0L, 4096, 0, 0L, 0, 0),
                le(1L, 0L, 3, 0, 0L, 0, 0, "abc".getBytes()), le(0, 0, 1L, 0L, 0L, 0L, 0L, 0L, 0, 0, 0, 0, 0, 0, 0, 0)};
        int[] opcodes = {1, 2, 3, 4, 14, 15, 16, 17, 18, 25, 26, 27, 28, 29, 34, 36, 42, 99, 0, -1};
        for (int i = 0; i < 5_000; i++) {
            byte[] body = seeds[rnd.nextInt(seeds.length)].clone();
            if (rnd.nextBoolean()) {
                body = new byte[rnd.nextInt(120)];
                rnd.nextBytes(body);
            } else {
                for (int m = rnd.nextInt(4); m >= 0 && body.length > 0; m--) {
                    body[rnd.nextInt(body.length)] = (byte) rnd.nextInt(256);
                }
            }
            int opcode = opcodes[rnd.nextInt(opcodes.length)];
            long node = rnd.nextInt(6) - 1;
            ByteBuffer r = send(opcode, node, body);
            if (r != null) {
                int error = r.getInt(4);
                assertTrue(error <= 0 && error > -4096, "errno in range: " + error);
                assertTrue(error == 0 || r.limit() == 16, "an error reply is the header alone");
            } else {
                assertTrue(opcode == FuseProtocol.FORGET || opcode == FuseProtocol.BATCH_FORGET
                        || opcode == FuseProtocol.INTERRUPT, "only the no-reply opcodes go unanswered: " + opcode);
            }
        }
        // After all that, the tree still answers as before.
        assertEquals(0, send(FuseProtocol.LOOKUP, 1, cstring("control")).getInt(4));
    }
}
