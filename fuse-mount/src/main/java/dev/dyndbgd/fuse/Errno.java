package dev.dyndbgd.fuse;

/**
 * The errno values a file operation can answer with, as Linux numbers them (the FUSE protocol
 * carries the negated number in the reply header).
 */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), E2BIG(7), EBADF(9), EAGAIN(11), EACCES(13), ENODEV(19),
    ENOTDIR(20), EISDIR(21), EINVAL(22), ENOSPC(28), ENOSYS(38), EPROTO(71);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    public int intValue() {
        return value;
    }
}
