package dev.dyndbgd.fuse;

/**
 * One open(2) of a {@link VirtualFile}. Calls for one open file may arrive on different FUSE threads
 * but never at the same time for reads of one handle unless the caller shares the descriptor, so
 * implementations synchronise what they keep per handle.
 */
public interface OpenFile {
    /** Copies up to {@code dst.length} bytes from {@code offset} into {@code dst}; returns the count (0 at end). */
    int read(long offset, byte[] dst) throws FsException;

    /** Acts on one write(2); returns the bytes accepted. */
    int write(long offset, byte[] data) throws FsException;

    /** {@code O_TRUNC}, {@code truncate(2)}: accepted and ignored by generated files. */
    default void truncate(long size) throws FsException {
    }

    /** The last close of this open file. */
    default void release() {
    }

    /** A read of fixed content: copies from {@code offset} as much as fits; 0 at or past the end. */
    static int readAt(byte[] content, long offset, byte[] dst) {
        if (offset >= content.length) {
            return 0;
        }
        int n = (int) Math.min(dst.length, content.length - offset);
        System.arraycopy(content, (int) offset, dst, 0, n);
        return n;
    }
}
