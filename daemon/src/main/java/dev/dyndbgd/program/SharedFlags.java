package dev.dyndbgd.program;

import dev.dyndbgd.table.FlagMirror;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A registered program's flags, one byte per call site, in a file the daemon maps read-write and the
 * program maps read-only. The file is the daemon's and mode 0644: any user may read flags (as anyone
 * may read {@code control}), only the daemon may change them. It lives in the runtime directory
 * (tmpfs under /run), so the mapping is plain shared memory; it is deleted when the program's module
 * is removed, while the program's own mapping stays valid until it unmaps it.
 */
public final class SharedFlags implements FlagMirror, AutoCloseable {
    private final Path file;
    private final MappedByteBuffer bytes;

    private SharedFlags(Path file, MappedByteBuffer bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** Creates {@code file} (which must not exist) holding {@code sites} zero bytes. */
    public static SharedFlags create(Path file, int sites) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            // Mode set explicitly: the process umask must not decide who can read the flags.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, sites);
            return new SharedFlags(file, map);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    @Override
    public void write(int index, int flags) {
        bytes.put(index, (byte) flags);
    }

    public Path file() {
        return file;
    }

    /** Deletes the file; the mapping itself is released when this object is collected. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The directory is emptied at the next start; nothing else holds this name.
        }
    }
}
