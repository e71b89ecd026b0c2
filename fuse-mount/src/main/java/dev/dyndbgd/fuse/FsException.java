package dev.dyndbgd.fuse;


/** An error a file operation returns to the caller as an errno value. */
public final class FsException extends Exception {
    private final Errno errno;

    public FsException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
