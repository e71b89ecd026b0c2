package dev.dyndbgd.mount;

import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.VirtualFile;
import jnr.constants.platform.Errno;
import dev.dyndbgd.fuse.FsException;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A read-only file whose text is produced when it is opened (like a debugfs statistics file): every
 * reader of one open sees one consistent text, whatever its read sizes and offsets.
 */
public final class TextFile implements VirtualFile {
    private final String name;
    private final Supplier<byte[]> content;

    /** A file whose text (one char per byte) is made at each open. */
    public TextFile(String name, Supplier<String> text) {
        this(text, name);
    }

    private TextFile(Supplier<String> text, String name) {
        this.name = name;
        this.content = () -> text.get().getBytes(StandardCharsets.ISO_8859_1);
    }

    private TextFile(String name, byte[] bytes) {
        this.name = name;
        this.content = () -> bytes;
    }

    /** A file that always holds the same bytes. */
    public static TextFile fixed(String name, byte[] bytes) {
        return new TextFile(name, bytes.clone());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public boolean writable() {
        return false;
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
                throw new FsException(Errno.EACCES, name + " is read-only");
            }
        };
    }
}
