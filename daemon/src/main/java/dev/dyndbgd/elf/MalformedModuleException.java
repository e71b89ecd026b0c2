package dev.dyndbgd.elf;

import java.io.IOException;

/**
 * A module file that cannot be turned into call sites: not an x86-64 relocatable ELF, damaged, or
 * laid out in a way the kernel's {@code dynamic_debug.h} would not produce.
 *
 * <p>It is an {@link IOException} because callers reading a directory of modules already handle I/O
 * failures per file; a broken module is one more way a file can fail to load, and one catch covers
 * both. The message is always {@code "<source>: <reason>"}, so a log line alone tells which file and
 * why.
 */
public class MalformedModuleException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String reason;

    public MalformedModuleException(String source, String reason) {
        super(source + ": " + reason);
        this.source = source;
        this.reason = reason;
    }

    public MalformedModuleException(String source, String reason, Throwable cause) {
        super(source + ": " + reason, cause);
        this.source = source;
        this.reason = reason;
    }

    /** The file (or other name) the bytes came from. */
    public String source() {
        return source;
    }

    /** Why the module was rejected, without the source prefix. */
    public String reason() {
        return reason;
    }
}
