package dev.dyndbgd.fuse;

/**
 * Numbers of the kernel's FUSE protocol ({@code include/uapi/linux/fuse.h}) that this engine uses:
 * opcodes, INIT flags, open flags and the fixed sizes of the structures it reads and writes. All
 * structures are little-endian on the machines this runs on and laid out without holes.
 */
final class FuseProtocol {
    private FuseProtocol() {
    }

    static final int KERNEL_VERSION = 7;
    /** The newest minor version whose structures this engine speaks; newer kernels are answered with it. */
    static final int MINOR = 31;
    /** The oldest minor accepted: 7.23 fixed fuse_init_out at 64 bytes with max_pages' place reserved. */
    static final int MIN_MINOR = 23;

    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int ACCESS = 34;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;

    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;
    static final int ATTR = 88;
    static final int ENTRY_OUT = 40 + ATTR;
    static final int ATTR_OUT = 16 + ATTR;
    static final int OPEN_OUT = 16;
    static final int WRITE_OUT = 8;
    static final int STATFS_OUT = 80;
    static final int INIT_OUT = 64;
    static final int INIT_IN_MIN = 16;
    static final int GETATTR_IN = 16;
    static final int SETATTR_IN = 88;
    static final int OPEN_IN = 8;
    static final int READ_IN = 40;
    static final int WRITE_IN = 40;
    static final int RELEASE_IN = 24;
    static final int DIRENT_HEADER = 24;

    static final int INIT_ATOMIC_O_TRUNC = 1 << 3;
    static final int INIT_BIG_WRITES = 1 << 5;
    static final int INIT_MAX_PAGES = 1 << 22;

    static final int FOPEN_DIRECT_IO = 1;

    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_FH = 1 << 6;

    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int DT_DIR = 4;
    static final int DT_REG = 8;

    static final int O_ACCMODE = 3;
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_TRUNC = 01000;
}
