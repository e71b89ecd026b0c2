package dev.dyndbgd.fuse;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FUSE operations over a {@link VirtualDirectory} tree: lookups, attributes, directory listing,
 * and open/read/write/truncate/release routed to each file's {@link OpenFile}.
 *
 * <p>libfuse calls these on several threads at once ({@code fuse_loop_mt}); the tree is immutable and
 * open handles live in a concurrent map keyed by the {@code fh} number handed to the kernel.
 */
final class VirtualFs extends FuseStubFS {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualFs.class);
    private static final int ACCESS_MODE = 3; // O_ACCMODE
    private static final int READ_ONLY = 0;    // O_RDONLY
    private static final int WRITE_ONLY = 1;   // O_WRONLY

    private final VirtualDirectory root;
    private final long ownerUid;
    private final long ownerGid;
    private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    /** Per FUSE thread, a read buffer re-used across requests (a request is at most max_read bytes). */
    private final ThreadLocal<byte[]> readBuffers = ThreadLocal.withInitial(() -> new byte[0]);
    /** Every node shows the time the tree was mounted: its shape never changes afterwards. */
    private final long mountedAt = System.currentTimeMillis() / 1000;

    VirtualFs(VirtualDirectory root, long ownerUid, long ownerGid) {
        this.root = root;
        this.ownerUid = ownerUid;
        this.ownerGid = ownerGid;
    }

    int openHandles() {
        return handles.size();
    }

    /** Opens served so far (every open takes the next handle number). */
    long opens() {
        return nextHandle.get() - 1;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        VirtualNode node = root.resolve(path);
        if (node == null) {
            return -Errno.ENOENT.intValue();
        }
        if (node instanceof VirtualDirectory dir) {
            stat.st_mode.set(FileStat.S_IFDIR | dir.permissions());
            stat.st_nlink.set(2 + dir.entries().values().stream().filter(n -> n instanceof VirtualDirectory).count());
        } else {
            stat.st_mode.set(FileStat.S_IFREG | node.permissions());
            stat.st_nlink.set(1);
            stat.st_size.set(0); // generated on read, like /proc: readers read to EOF
        }
        stat.st_atim.tv_sec.set(mountedAt);
        stat.st_mtim.tv_sec.set(mountedAt);
        stat.st_ctim.tv_sec.set(mountedAt);
        stat.st_uid.set(ownerUid);
        stat.st_gid.set(ownerGid);
        return 0;
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        VirtualNode node = root.resolve(path);
        if (!(node instanceof VirtualDirectory dir)) {
            return node == null ? -Errno.ENOENT.intValue() : -Errno.ENOTDIR.intValue();
        }
        filler.apply(buf, ".", null, 0);
        filler.apply(buf, "..", null, 0);
        for (String name : dir.entries().keySet()) {
            filler.apply(buf, name, null, 0);
        }
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        VirtualNode node = root.resolve(path);
        if (node == null) {
            return -Errno.ENOENT.intValue();
        }
        if (!(node instanceof VirtualFile file)) {
            return -Errno.EISDIR.intValue();
        }
        int flags = fi.flags.intValue();
        int access = flags & ACCESS_MODE;
        if ((access != READ_ONLY && !file.writable()) || (access != WRITE_ONLY && !file.readable())) {
            return -Errno.EACCES.intValue();
        }
        try {
            OpenFile open = file.open(flags);
            if ((flags & OpenFlags.O_TRUNC.intValue()) != 0) {
                open.truncate(0);
            }
            long fh = nextHandle.getAndIncrement();
            handles.put(fh, open);
            fi.fh.set(fh);
            return 0;
        } catch (FsException e) {
            return fail(path, "open", e);
        }
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        OpenFile open = handles.get(fi.fh.get());
        if (open == null) {
            return -Errno.EBADF.intValue();
        }
        try {
            int want = (int) Math.min(size, Integer.MAX_VALUE);
            byte[] dst = readBuffers.get();
            if (dst.length != want) {
                dst = new byte[want];
                readBuffers.set(dst);
            }
            int n = open.read(offset, dst);
            buf.put(0, dst, 0, n);
            return n;
        } catch (FsException e) {
            return fail(path, "read", e);
        }
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        OpenFile open = handles.get(fi.fh.get());
        if (open == null) {
            return -Errno.EBADF.intValue();
        }
        try {
            byte[] data = new byte[(int) Math.min(size, Integer.MAX_VALUE)];
            buf.get(0, data, 0, data.length);
            return open.write(offset, data);
        } catch (FsException e) {
            return fail(path, "write", e);
        }
    }

    @Override
    public int truncate(String path, @off_t long size) {
        VirtualNode node = root.resolve(path);
        if (node == null) {
            return -Errno.ENOENT.intValue();
        }
        if (!(node instanceof VirtualFile file) || !file.writable()) {
            return -Errno.EACCES.intValue();
        }
        return 0; // generated files have nothing to cut; "echo > control" opens with O_TRUNC
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        OpenFile open = handles.get(fi.fh.get());
        if (open == null) {
            return -Errno.EBADF.intValue();
        }
        try {
            open.truncate(size);
            return 0;
        } catch (FsException e) {
            return fail(path, "truncate", e);
        }
    }

    // flush is deliberately not implemented: libfuse answers ENOSYS once and the kernel stops sending
    // it, saving a round trip on every close (there is nothing buffered to flush).

    @Override
    public int release(String path, FuseFileInfo fi) {
        OpenFile open = handles.remove(fi.fh.get());
        if (open != null) {
            open.release();
        }
        return 0;
    }

    private static int fail(String path, String op, FsException e) {
        if (e.getMessage() != null) {
            LOG.debug("{} {}: {}", op, path, e.getMessage());
        }
        return -e.errno().intValue();
    }
}
