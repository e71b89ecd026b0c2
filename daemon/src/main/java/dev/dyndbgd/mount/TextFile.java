package dev.dyndbgd.mount;

import dev.dyndbgd.fuse.FileNode;
import dev.dyndbgd.fuse.FsException;
import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.Errno;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A read-only file whose text is produced when it is opened (like a debugfs statistics file): every
 * reader of one open sees one consistent text, whatever its read sizes and offsets.
 */
public final class TextFile extends FileNode {
    private final Supplier<byte[]> content;

    private TextFile(String name, Supplier<byte[]> content) {
        super(name, 0444, true, false);
        this.content = content;
    }

    /** A file whose text (one char per byte) is made at each open. */
    public static TextFile generated(String name, Supplier<String> text) {
        return new TextFile(name, () -> text.get().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A file that always holds the same bytes. */
    public static TextFile fixed(String name, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new TextFile(name, () -> copy);
    }

    @Override
    public OpenFile open(int flags) {
        byte[] bytes = content.get();
        return new OpenFile() {
            @Override
            public int read(long offset, byte[] dst) {
                return OpenFile.readAt(bytes, offset, dst);
            }

            @Override
            public int write(long offset, byte[] data) throws FsException {
                throw new FsException(Errno.EACCES, name() + " is read-only");
            }
        };
    }
}
