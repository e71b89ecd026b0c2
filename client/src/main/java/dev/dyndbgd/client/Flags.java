package dev.dyndbgd.client;

/**
 * The flag bits of a shared flags byte: the kernel's {@code _DPRINTK_FLAGS_*} values, so a byte means
 * the same in a program, in the daemon and in the kernel.
 */
public final class Flags {
    /** {@code p}: print. */
    public static final int PRINT = 1;
    /** {@code m}: prefix the module name. */
    public static final int MODULE = 1 << 1;
    /** {@code f}: prefix the function name. */
    public static final int FUNCTION = 1 << 2;
    /** {@code l}: prefix the line number. */
    public static final int LINE = 1 << 3;
    /** {@code t}: prefix the thread id. */
    public static final int THREAD = 1 << 4;
    /** {@code s}: prefix the source file. */
    public static final int SOURCE = 1 << 5;

    private Flags() {
    }
}
