package dev.dyndbgd.mount;

import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.fuse.FsException;
import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.VirtualFile;
import dev.dyndbgd.query.BatchResult;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.table.TableRegistry;
import jnr.constants.platform.Errno;

/**
 * {@code control} on the mount, as debugfs has it: reading streams the listing (a seq_file-like cursor
 * per open file), each write(2) is one batch of queries answered with the kernel's result: the byte
 * count, EINVAL if a query failed, E2BIG if the write was longer than 4095 bytes.
 */
public final class ControlFile implements VirtualFile {
    private final TableRegistry registry;
    private final QueryEngine engine;

    public ControlFile(TableRegistry registry, QueryEngine engine) {
        this.registry = registry;
        this.engine = engine;
    }

    @Override
    public String name() {
        return "control";
    }

    @Override
    public int permissions() {
        return 0644;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public OpenFile open(int flags) {
        return new Handle();
    }

    /** One open of control. Reads continue a cursor; a read elsewhere restarts it, like seq_file. */
    private final class Handle implements OpenFile {
        private ControlStream cursor;

        @Override
        public synchronized int read(long offset, byte[] dst) {
            if (cursor == null || offset < cursor.position()) {
                cursor = new ControlStream(registry);
            }
            if (offset > cursor.position()) {
                cursor.skip(offset - cursor.position());
            }
            int total = 0;
            while (total < dst.length) {
                int n = cursor.read(dst, total, dst.length - total);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public int write(long offset, byte[] data) throws FsException {
            // The file offset is ignored, as the kernel does: every write is a batch of its own.
            BatchResult r = engine.write(data, data.length);
            return switch (r.status()) {
                case OK -> data.length;
                case EINVAL -> throw new FsException(Errno.EINVAL, r.errors() + " of " + r.queries() + " queries failed");
                case E2BIG -> throw new FsException(Errno.E2BIG, data.length + " bytes is more than " + QueryEngine.MAX_WRITE);
            };
        }
    }
}
