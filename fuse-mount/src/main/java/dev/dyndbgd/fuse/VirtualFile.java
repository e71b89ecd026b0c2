package dev.dyndbgd.fuse;

/**
 * A file whose content is produced when read and whose writes are acted on, like a debugfs or procfs
 * file. Its size is reported as 0 and the mount uses direct I/O, so every read and write reaches
 * {@link OpenFile} as the caller issued it (as /proc files behave for cat, grep, less and wc).
 */
public non-sealed interface VirtualFile extends VirtualNode {
    /**
     * Opens the file. {@code flags} are the open(2) flags; the file system has already refused write
     * access to a file that is not {@link #writable()}.
     */
    OpenFile open(int flags) throws FsException;

    /** Whether the file accepts writes at all (a read-only file is refused EACCES on open for write). */
    boolean writable();

    /** Whether the file can be read (a trigger file such as {@code compact} may be write-only). */
    default boolean readable() {
        return true;
    }
}
