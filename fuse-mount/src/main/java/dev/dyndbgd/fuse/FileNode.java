package dev.dyndbgd.fuse;

/**
 * The fixed facts of a {@link VirtualFile} (name, mode, whether it reads and writes) kept in one
 * place, so a file class only says what opening it does.
 */
public abstract class FileNode implements VirtualFile {
    private final String name;
    private final int permissions;
    private final boolean readable;
    private final boolean writable;

    protected FileNode(String name, int permissions, boolean readable, boolean writable) {
        this.name = name;
        this.permissions = permissions;
        this.readable = readable;
        this.writable = writable;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int permissions() {
        return permissions;
    }

    @Override
    public final boolean readable() {
        return readable;
    }

    @Override
    public final boolean writable() {
        return writable;
    }
}
