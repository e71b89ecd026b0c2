package dev.dyndbgd.fuse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static dev.dyndbgd.fuse.FuseProtocol.*;

/**
 * The FUSE operations over a {@link VirtualDirectory} tree, one decoded request in, one reply
 * out: what libfuse's low-level API would call, without libfuse. Node ids are fixed when mounted
 * (the tree never changes shape; the root is 1), so lookups cost a map read and FORGET has
 * nothing to count. Open files are kept by handle number for the kernel to name in later requests.
 *
 * <p>Requests arrive on several worker threads at once; the tree is immutable and the handles
 * live in a concurrent map, as before with libfuse's multi-threaded loop.
 */
final class FuseFileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(FuseFileSystem.class);
    /** Names never change while mounted: the kernel may keep its lookups for an hour. */
    private static final long ENTRY_VALID_SECONDS = 3600;
    /**
     * How long the kernel may keep a node's attributes. A directory's never change: cached, an
     * "echo > control" skips a GETATTR of the root for the permission walk. A file's are asked
     * every time (FILE_ATTR_SECONDS): after a write the kernel takes the write's end as the file's
     * size, and a concurrent reader's fstat saw that size and stopped there (Java's readAllBytes);
     * asked, a generated file always reports size 0, as debugfs and /proc do.
     */
    static final long DIR_ATTR_SECONDS = 3600;
    static final long FILE_ATTR_SECONDS = 0;

    private static long attrSeconds(VirtualNode node) {
        return node instanceof VirtualDirectory ? DIR_ATTR_SECONDS : FILE_ATTR_SECONDS;
    }

    /** What cat and friends size their reads by (st_blksize): one request per MiB instead of 128 KiB. */
    static final int BLOCK_SIZE = 1 << 20;

    private final List<VirtualNode> nodes = new ArrayList<>();
    private final Map<VirtualNode, Long> ids = new IdentityHashMap<>();
    private final Map<Long, Long> parents = new ConcurrentHashMap<>();
    private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final long ownerUid;
    private final long ownerGid;
    private final int maxWrite;
    private final int maxPagesLimit;
    private final long mountedAt = System.currentTimeMillis() / 1000;
    private volatile boolean destroyed;

    /**
     * @param maxWrite      the largest write the kernel may hand over in one request
     * @param maxPagesLimit pages a READ may ask for at most, as this machine allows
     *                      ({@code /proc/sys/fs/fuse/max_pages_limit})
     */
    FuseFileSystem(VirtualDirectory root, long ownerUid, long ownerGid, int maxWrite, int maxPagesLimit) {
        this.ownerUid = ownerUid;
        this.ownerGid = ownerGid;
        this.maxWrite = maxWrite;
        this.maxPagesLimit = maxPagesLimit;
        nodes.add(null); // node id 0 is not a node
        number(root, 1);
    }

    private void number(VirtualNode node, long parent) {
        long id = nodes.size();
        nodes.add(node);
        ids.put(node, id);
        parents.put(id, parent);
        if (node instanceof VirtualDirectory dir) {
            for (VirtualNode child : dir.entries().values()) {
                number(child, id);
            }
        }
    }

    /** Opens served so far (every open takes the next handle number). */
    long opens() {
        return nextHandle.get() - 1;
    }

    int openHandles() {
        return handles.size();
    }

    /** True once the kernel said DESTROY: the workers stop. */
    boolean destroyed() {
        return destroyed;
    }

    /** Serves one request; FORGET, BATCH_FORGET and INTERRUPT get no reply, as the protocol has it. */
    void handle(FuseRequest r, FuseReply reply) {
        reply.start(r.unique);
        try {
            switch (r.opcode) {
                case INIT -> init(r, reply);
                case LOOKUP -> lookup(r, reply);
                case GETATTR -> getattr(r, reply);
                case SETATTR -> setattr(r, reply);
                case OPEN -> open(r, reply);
                case READ -> read(r, reply);
                case WRITE -> write(r, reply);
                case RELEASE -> release(r, reply);
                case OPENDIR -> opendir(r, reply);
                case READDIR -> readdir(r, reply);
                case RELEASEDIR -> reply.ok();
                case STATFS -> statfs(reply);
                case DESTROY -> {
                    destroyed = true;
                    reply.ok();
                }
                // Nothing is counted per lookup (ids are fixed); an interrupted request is always
                // short and is answered anyway, which the protocol allows.
                case FORGET, BATCH_FORGET, INTERRUPT -> {
                }
                // FLUSH and ACCESS answered ENOSYS once are never sent again: nothing is buffered,
                // and without default_permissions access(2) is then allowed as it was with libfuse.
                default -> reply.error(Errno.ENOSYS.intValue());
            }
        } catch (FuseRequest.Malformed e) {
            LOG.warn("malformed FUSE request (opcode {}, unique {}): {}", r.opcode, r.unique, e.getMessage());
            reply.error(Errno.EINVAL.intValue());
        } catch (FsException e) {
            if (e.getMessage() != null) {
                LOG.debug("opcode {} on node {}: {}", r.opcode, r.nodeId, e.getMessage());
            }
            reply.error(e.errno().intValue());
        } catch (RuntimeException | Error e) {
            // Whatever went wrong (a bug in a file, a class that could not be loaded because the
            // process ran out of descriptors), the request is answered: an unanswered request
            // would leave its caller blocked in the kernel for good. The caller gets EIO, the log
            // the reason.
            LOG.error("opcode {} on node {} failed", r.opcode, r.nodeId, e);
            reply.error(Errno.EIO.intValue());
        }
    }

    private void init(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        r.requireBody(INIT_IN_MIN);
        int major = r.u32(0);
        int minor = r.u32(4);
        int maxReadahead = r.u32(8);
        int kernelFlags = r.u32(12);
        if (major < KERNEL_VERSION || (major == KERNEL_VERSION && minor < MIN_MINOR)) {
            throw new FsException(Errno.EPROTO, "kernel FUSE " + major + "." + minor + " is older than 7." + MIN_MINOR);
        }
        ByteBuffer out = reply.payload(INIT_OUT);
        int base = out.position();
        out.putInt(base, KERNEL_VERSION);
        // A newer kernel speaks our version; an older 7.x (>= 7.23) is answered in its own.
        out.putInt(base + 4, major > KERNEL_VERSION ? MINOR : Math.min(minor, MINOR));
        out.putInt(base + 8, maxReadahead);
        int flags = kernelFlags & (INIT_ATOMIC_O_TRUNC | INIT_BIG_WRITES | INIT_MAX_PAGES);
        out.putInt(base + 12, flags);
        out.putShort(base + 16, (short) 16); // max_background
        out.putShort(base + 18, (short) 12); // congestion_threshold
        out.putInt(base + 20, maxWrite);
        out.putInt(base + 24, 1); // time_gran: whole seconds are all the tree keeps
        out.putShort(base + 28, (short) ((flags & INIT_MAX_PAGES) != 0 ? maxPagesLimit : 0));
        for (int i = 30; i < INIT_OUT; i++) {
            out.put(base + i, (byte) 0);
        }
        out.position(base + INIT_OUT);
        LOG.debug("FUSE {}.{} from the kernel; serving 7.{}, max_write {}, max_pages {}", major, minor,
                out.getInt(base + 4), maxWrite, (flags & INIT_MAX_PAGES) != 0 ? maxPagesLimit : 32);
        reply.ok();
    }

    private VirtualNode node(long id) throws FsException {
        if (id <= 0 || id >= nodes.size()) {
            throw new FsException(Errno.ENOENT, "no node " + id);
        }
        return nodes.get((int) id);
    }

    private void lookup(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        String name = r.name(0);
        if (!(node(r.nodeId) instanceof VirtualDirectory dir)) {
            throw new FsException(Errno.ENOTDIR, null);
        }
        VirtualNode child = dir.entries().get(name);
        if (child == null) {
            throw new FsException(Errno.ENOENT, null);
        }
        long id = ids.get(child);
        ByteBuffer out = reply.payload(ENTRY_OUT);
        out.putLong(id).putLong(0).putLong(ENTRY_VALID_SECONDS).putLong(attrSeconds(child)).putInt(0).putInt(0);
        putAttr(out, id, child);
        reply.ok();
    }

    private void getattr(FuseRequest r, FuseReply reply) throws FsException {
        VirtualNode node = node(r.nodeId);
        attrReply(reply, r.nodeId, node);
    }

    private void attrReply(FuseReply reply, long id, VirtualNode node) {
        ByteBuffer out = reply.payload(ATTR_OUT);
        out.putLong(attrSeconds(node)).putInt(0).putInt(0);
        putAttr(out, id, node);
        reply.ok();
    }

    private void putAttr(ByteBuffer out, long id, VirtualNode node) {
        int mode;
        int nlink;
        if (node instanceof VirtualDirectory dir) {
            mode = S_IFDIR | dir.permissions();
            nlink = 2 + (int) dir.entries().values().stream().filter(n -> n instanceof VirtualDirectory).count();
        } else {
            mode = S_IFREG | node.permissions();
            nlink = 1;
        }
        out.putLong(id).putLong(0).putLong(0); // ino, size (generated on read, like /proc), blocks
        out.putLong(mountedAt).putLong(mountedAt).putLong(mountedAt).putInt(0).putInt(0).putInt(0);
        out.putInt(mode).putInt(nlink).putInt((int) ownerUid).putInt((int) ownerGid).putInt(0); // rdev
        out.putInt(BLOCK_SIZE).putInt(0); // blksize, flags
    }

    private void setattr(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        r.requireBody(SETATTR_IN);
        int valid = r.u32(0);
        VirtualNode node = node(r.nodeId);
        if ((valid & (FATTR_MODE | FATTR_UID | FATTR_GID)) != 0) {
            throw new FsException(Errno.EPERM, "mode and owner are fixed");
        }
        if ((valid & FATTR_SIZE) != 0) {
            if (!(node instanceof VirtualFile file) || !file.writable()) {
                throw new FsException(Errno.EACCES, "truncate of a read-only node");
            }
            if ((valid & FATTR_FH) != 0) {
                handle(r.u64(8)).truncate(r.u64(16));
            }
            // Without a handle (truncate(2) by name) there is nothing to cut in a generated file.
        }
        // Times are accepted and not kept (touch works), as with the generated files before.
        attrReply(reply, r.nodeId, node);
    }

    private OpenFile handle(long fh) throws FsException {
        OpenFile open = handles.get(fh);
        if (open == null) {
            throw new FsException(Errno.EBADF, "no open file " + fh);
        }
        return open;
    }

    private void open(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        r.requireBody(OPEN_IN);
        int flags = r.u32(0);
        VirtualNode node = node(r.nodeId);
        if (!(node instanceof VirtualFile file)) {
            throw new FsException(Errno.EISDIR, null);
        }
        int access = flags & O_ACCMODE;
        if ((access != O_RDONLY && !file.writable()) || (access != O_WRONLY && !file.readable())) {
            throw new FsException(Errno.EACCES, null);
        }
        OpenFile open = file.open(flags);
        if ((flags & O_TRUNC) != 0) {
            open.truncate(0);
        }
        long fh = nextHandle.getAndIncrement();
        handles.put(fh, open);
        ByteBuffer out = reply.payload(OPEN_OUT);
        // Direct I/O: every read and write reaches the file as issued (generated content has no size).
        out.putLong(fh).putInt(FOPEN_DIRECT_IO).putInt(0);
        reply.ok();
    }

    /** Reads up to this size use the worker's own array; larger ones borrow from {@link #large}. */
    private static final int OWN_READ = FuseReply.OWN_CAPACITY;
    private final ThreadLocal<byte[][]> smallReads = ThreadLocal.withInitial(() -> new byte[][]{new byte[0], new byte[0]});
    final LargeBuffers large = new LargeBuffers(FuseMount.WORKERS);

    /**
     * The array a small read goes into. Two a worker, because reads come in two sizes: a reader's
     * buffer rarely starts on a page, so the kernel cuts each read(2) into a request of the size
     * less a few bytes and one of those few bytes; with one array, every other request allocated.
     */
    private byte[] smallReadArray(int size) {
        byte[][] two = smallReads.get();
        if (two[0].length == size) {
            return two[0];
        }
        if (two[1].length != size) {
            two[1] = new byte[size];
        }
        byte[] b = two[1]; // most recently used first
        two[1] = two[0];
        two[0] = b;
        return b;
    }

    private void read(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        r.requireBody(READ_IN);
        OpenFile open = handle(r.u64(0));
        long offset = r.u64(8);
        int size = r.u32(16);
        if (size < 0 || size > maxPagesLimit * 4096 + 4096 || offset < 0) {
            throw new FuseRequest.Malformed("read of " + Integer.toUnsignedString(size) + " bytes at " + offset);
        }
        boolean borrowed = size > OWN_READ;
        byte[] dst = borrowed ? large.array(size) : smallReadArray(size);
        try {
            int n = open.read(offset, dst);
            reply.payload(n).put(dst, 0, n);
        } finally {
            if (borrowed) {
                large.giveBack(dst);
            }
        }
        reply.ok();
    }

    private void write(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        r.requireBody(WRITE_IN);
        long offset = r.u64(8);
        int size = r.u32(16);
        byte[] data = r.bytes(WRITE_IN, size);
        if (data.length != r.bodyLength() - WRITE_IN) {
            throw new FuseRequest.Malformed("write of " + size + " bytes carries " + (r.bodyLength() - WRITE_IN));
        }
        OpenFile open = handle(r.u64(0));
        int accepted = open.write(offset, data);
        reply.payload(WRITE_OUT).putInt(accepted).putInt(0);
        reply.ok();
    }

    private void release(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed {
        r.requireBody(RELEASE_IN);
        OpenFile open = handles.remove(r.u64(0));
        if (open != null) {
            open.release();
        }
        reply.ok();
    }

    private void opendir(FuseRequest r, FuseReply reply) throws FsException {
        if (!(node(r.nodeId) instanceof VirtualDirectory)) {
            throw new FsException(Errno.ENOTDIR, null);
        }
        reply.payload(OPEN_OUT).putLong(0).putInt(0).putInt(0);
        reply.ok();
    }

    private void readdir(FuseRequest r, FuseReply reply) throws FuseRequest.Malformed, FsException {
        r.requireBody(READ_IN);
        long offset = r.u64(8);
        int size = r.u32(16);
        if (!(node(r.nodeId) instanceof VirtualDirectory dir)) {
            throw new FsException(Errno.ENOTDIR, null);
        }
        List<String> names = new ArrayList<>(dir.entries().size() + 2);
        List<Long> inos = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        names.add(".");
        inos.add(r.nodeId);
        types.add(DT_DIR);
        names.add("..");
        inos.add(parents.getOrDefault(r.nodeId, 1L));
        types.add(DT_DIR);
        for (VirtualNode child : dir.entries().values()) {
            names.add(child.name());
            inos.add(ids.get(child));
            types.add(child instanceof VirtualDirectory ? DT_DIR : DT_REG);
        }
        ByteBuffer out = reply.payload(Math.max(0, size));
        int used = 0;
        for (long i = Math.max(0, offset); i < names.size(); i++) {
            byte[] name = names.get((int) i).getBytes(StandardCharsets.UTF_8);
            int entry = (DIRENT_HEADER + name.length + 7) & ~7;
            if (used + entry > size) {
                break;
            }
            out.putLong(inos.get((int) i)).putLong(i + 1).putInt(name.length).putInt(types.get((int) i)).put(name);
            for (int pad = DIRENT_HEADER + name.length; pad < entry; pad++) {
                out.put((byte) 0);
            }
            used += entry;
        }
        reply.ok();
    }

    private void statfs(FuseReply reply) {
        ByteBuffer out = reply.payload(STATFS_OUT);
        out.putLong(0).putLong(0).putLong(0).putLong(nodes.size() - 1).putLong(0); // blocks .. ffree
        out.putInt(4096).putInt(255).putInt(4096).putInt(0); // bsize, namelen, frsize, padding
        for (int i = 0; i < 6; i++) {
            out.putInt(0);
        }
        reply.ok();
    }
}
