package dev.dyndbgd.mount;

import dev.dyndbgd.control.ControlReader;
import dev.dyndbgd.control.ControlSnapshots;
import dev.dyndbgd.fuse.FsException;
import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.FileNode;
import dev.dyndbgd.query.BatchResult;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.state.StateSaveException;
import dev.dyndbgd.fuse.Errno;

/**
 * {@code control} on the mount, as debugfs has it: reading gives the listing (see {@link ControlSnapshots}),
 * each write(2) is one batch of queries answered with the kernel's result: the byte
 * count, EINVAL if a query failed, E2BIG if the write was longer than 4095 bytes.
 */
public final class ControlFile extends FileNode {
    private final ControlSnapshots snapshots;
    private final QueryEngine engine;

    public ControlFile(ControlSnapshots snapshots, QueryEngine engine) {
        super("control", 0644, true, true);
        this.snapshots = snapshots;
        this.engine = engine;
    }

    @Override
    public OpenFile open(int flags) {
        return new Handle();
    }

    /** One open of control: reads come from a snapshot or a fresh rendering, writes are batches. */
    private final class Handle implements OpenFile {
        private ControlReader reader;

        @Override
        public synchronized int read(long offset, byte[] dst) {
            // Chosen at the first read, not at open, so the text is as of reading, as with seq_file.
            if (reader == null) {
                reader = snapshots.open();
            }
            return reader.read(offset, dst);
        }

        @Override
        public int write(long offset, byte[] data) throws FsException {
            // The file offset is ignored, as the kernel does: every write is a batch of its own.
            BatchResult r = engine.write(data, data.length);
            return switch (r.status()) {
                case OK -> data.length;
                case EINVAL -> throw new FsException(Errno.EINVAL, r.errors() + " of " + r.queries() + " queries failed");
                case E2BIG -> throw new FsException(Errno.E2BIG, data.length + " bytes is more than " + QueryEngine.MAX_WRITE);
                case NOT_SAVED -> throw new FsException(
                        r.notSavedBecause() instanceof StateSaveException s && !s.noSpace() ? Errno.EIO : Errno.ENOSPC,
                        "the batch could not be saved and was undone: " + r.notSavedBecause().getMessage());
            };
        }
    }
}
