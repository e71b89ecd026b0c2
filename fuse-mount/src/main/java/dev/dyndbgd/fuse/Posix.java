package dev.dyndbgd.fuse;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

import java.nio.ByteBuffer;

/**
 * The few system calls the FUSE engine makes, through jnr-ffi (the design's native bridge). Reads
 * and writes go straight between a direct buffer and the device: Java's FileChannel would
 * serialise every read and write of one descriptor on a lock, so a worker blocked reading the
 * next request would hold up another worker's reply.
 */
final class Posix {
    static final int O_RDWR = 02;
    static final int O_CLOEXEC = 02000000;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final int MNT_DETACH = 2;

    /** libc, as jnr-ffi binds it. */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        long read(int fd, @Out ByteBuffer buf, long count);

        @SaveError
        long write(int fd, @In ByteBuffer buf, long count);

        @SaveError
        int close(int fd);

        @SaveError
        int mount(String source, String target, String type, long flags, String data);

        @SaveError
        int umount2(String target, int flags);
    }

    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Posix() {
    }

    /** The errno of this thread's last failed call above. */
    static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    /** errno's text, as strerror gives it for the numbers the engine meets. */
    static String describe(int errno) {
        for (Errno e : Errno.values()) {
            if (e.intValue() == errno) {
                return e.name();
            }
        }
        return "errno " + errno;
    }
}
