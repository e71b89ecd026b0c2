package dev.dyndbgd.memory;

import jnr.ffi.LibraryLoader;

/**
 * Gives the C heap's free memory back to the kernel. glibc keeps what is freed inside its arenas
 * for reuse; after a burst (zstd's level-19 compressor and dictionary trainer while loading, the
 * JIT's arenas) tens of megabytes stay resident although nothing uses
 * them. {@code malloc_trim(0)} releases the top of each arena and every whole free page inside.
 */
public final class NativeHeap {
    /** glibc's entry point; absent on other C libraries, where trimming is skipped. */
    public interface LibC {
        int malloc_trim(long pad);
    }

    private static final LibC LIBC = load();

    private NativeHeap() {
    }

    private static LibC load() {
        try {
            LibC libc = LibraryLoader.create(LibC.class).load("c");
            libc.malloc_trim(0); // resolves the symbol now: a C library without it fails here, once
            return libc;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Releases free C-heap memory; false where the C library cannot (not glibc). */
    public static boolean trim() {
        if (LIBC == null) {
            return false;
        }
        LIBC.malloc_trim(0);
        return true;
    }
}
