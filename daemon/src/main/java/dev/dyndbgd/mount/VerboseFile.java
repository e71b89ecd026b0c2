package dev.dyndbgd.mount;

import dev.dyndbgd.fuse.FsException;
import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.FileNode;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.fuse.Errno;

import java.nio.charset.StandardCharsets;

/**
 * {@code verbose}: the kernel's {@code /sys/module/dynamic_debug/parameters/verbose} on the mount.
 * Reading gives the level and a newline; writing a level 0..4 (an optional trailing newline, as
 * {@code echo} adds) changes what the query engine logs from then on; anything else is EINVAL.
 */
public final class VerboseFile extends FileNode {
    private final DyndbgLog log;

    public VerboseFile(DyndbgLog log) {
        super("verbose", 0644, true, true);
        this.log = log;
    }

    @Override
    public OpenFile open(int flags) {
        byte[] now = (log.verbose() + "\n").getBytes(StandardCharsets.ISO_8859_1);
        return new OpenFile() {
            @Override
            public int read(long offset, byte[] dst) {
                return OpenFile.readAt(now, offset, dst);
            }

            @Override
            public int write(long offset, byte[] data) throws FsException {
                String text = new String(data, StandardCharsets.ISO_8859_1);
                String value = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
                if (!value.matches("[0-9]{1,2}") || Integer.parseInt(value) > DyndbgLog.MAX_VERBOSE) {
                    throw new FsException(Errno.EINVAL, "verbose takes 0.." + DyndbgLog.MAX_VERBOSE + ", not \"" + value + "\"");
                }
                log.setVerbose(Integer.parseInt(value));
                return data.length;
            }
        };
    }
}
