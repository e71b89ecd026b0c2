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
}
