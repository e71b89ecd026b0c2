package dev.dyndbgd.mount;

import dev.dyndbgd.fuse.FsException;
import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.FileNode;
import dev.dyndbgd.fuse.Errno;

/**
 * A write-only file where any write runs an action, like zram's {@code compact}: {@code echo 1 >
 * zsmalloc/compact}. The written bytes are not interpreted.
 */
public final class TriggerFile extends FileNode {
    private final Runnable action;

    public TriggerFile(String name, Runnable action) {
        super(name, 0200, false, true);
        this.action = action;
    }

    @Override
    public OpenFile open(int flags) {
        return new OpenFile() {
            @Override
            public int read(long offset, byte[] dst) throws FsException {
                throw new FsException(Errno.EACCES, name() + " is write-only");
            }

            @Override
            public int write(long offset, byte[] data) {
                action.run();
                return data.length;
            }
        };
    }
}
