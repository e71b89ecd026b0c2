package dev.dyndbgd.mount;

import dev.dyndbgd.fuse.FsException;
import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.VirtualFile;
import jnr.constants.platform.Errno;

/**
 * A write-only file where any write runs an action, like zram's {@code compact}: {@code echo 1 >
 * zsmalloc/compact}. The written bytes are not interpreted.
 */
public final class TriggerFile implements VirtualFile {
    private final String name;
    private final Runnable action;

    public TriggerFile(String name, Runnable action) {
        this.name = name;
        this.action = action;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int permissions() {
        return 0200;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public boolean readable() {
        return false;
    }

    @Override
    public OpenFile open(int flags) {
        return new OpenFile() {
            @Override
            public int read(long offset, byte[] dst) throws FsException {
                throw new FsException(Errno.EACCES, name + " is write-only");
            }

            @Override
            public int write(long offset, byte[] data) {
                action.run();
                return data.length;
            }
        };
    }
}
