package dev.dyndbgd.fuse;

/** An entry of the served tree: a {@link VirtualFile} or a {@link VirtualDirectory}. */
public sealed interface VirtualNode permits VirtualFile, VirtualDirectory {
    String name();

    /** Permission bits (e.g. 0644); the file type bits are added by the file system. */
    int permissions();
}
