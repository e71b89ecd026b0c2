package dev.dyndbgd.client;

import java.nio.ByteBuffer;

/**
 * One debug statement: a call site of its module, listed in {@code control} at the place where the
 * program prints through it (its real source file, enclosing method and line, found in the compiled
 * class), and printed only while its {@code p} flag is set.
 *
 * <p>Declare one per place you print, as a constant next to the module handle:
 * <pre>{@code
 * private static final DynamicDebug DEBUG = DynamicDebug.module("orders");
 * private static final DebugSite SHIPPED = DEBUG.site("order %d shipped to %s\n");
 * ...
 * SHIPPED.printf(id, address);   // control: orders/Shop.java:42 [orders]ship =_ "order %d shipped to %s\n"
 * }</pre>
 *
 * <p>A disabled statement costs one read of the site's flag byte in memory the daemon shares with
 * the program ({@link FlagMemory}). The byte's address is a volatile field, swapped when the module
 * is (re)registered or loses its daemon, so a program sees a flag change and a new mapping without
 * any lock.
 */
public final class DebugSite {
    private final DynamicDebug module;
    private final String format;
    private final String className;
    /**
     * Index of this site in the module's table once the scan has found it; -1 before (or never). Written
     * before {@link #address} points into a table-sized buffer, so a reader that sees the flags sees it.
     */
    private int index = -1;
    /** Address of this site's byte in the module's current flags (a mapping the module keeps alive). */
    private volatile long address;

    DebugSite(DynamicDebug module, String format, String className, ByteBuffer zero) {
        this.module = module;
        this.format = format;
        this.className = className;
        this.address = FlagMemory.addressOf(zero);
    }

    /** Whether the daemon has set this statement's {@code p} flag. */
    public boolean enabled() {
        return (FlagMemory.read(address) & Flags.PRINT) != 0;
    }

    /** This statement's flag bits as the daemon last wrote them (see {@link Flags}). */
    public int flags() {
        return FlagMemory.read(address) & 0xFF;
    }

    /**
     * Prints the formatted message ({@link String#format} rules) with the decorations the flags ask
     * for, when enabled; otherwise returns after reading the flag byte.
     */
    public void printf(Object... args) {
        int f = FlagMemory.read(address);
        if ((f & Flags.PRINT) != 0) {
            module.emit(this, f & 0xFF, args);
        }
    }

    // Fixed-arity forms: a call with up to three arguments builds no varargs array while disabled.

    /** {@link #printf(Object...)} with no arguments. */
    public void printf() {
        int f = FlagMemory.read(address);
        if ((f & Flags.PRINT) != 0) {
            module.emit(this, f & 0xFF, new Object[0]);
        }
    }

    /** {@link #printf(Object...)} with one argument. */
    public void printf(Object a) {
        int f = FlagMemory.read(address);
        if ((f & Flags.PRINT) != 0) {
            module.emit(this, f & 0xFF, new Object[]{a});
        }
    }

    /** {@link #printf(Object...)} with two arguments. */
    public void printf(Object a, Object b) {
        int f = FlagMemory.read(address);
        if ((f & Flags.PRINT) != 0) {
            module.emit(this, f & 0xFF, new Object[]{a, b});
        }
    }

    /** {@link #printf(Object...)} with three arguments. */
    public void printf(Object a, Object b, Object c) {
        int f = FlagMemory.read(address);
        if ((f & Flags.PRINT) != 0) {
            module.emit(this, f & 0xFF, new Object[]{a, b, c});
        }
    }

    /** Gives the site its table index and points it at its byte in {@code flags}. */
    void bind(int tableIndex, ByteBuffer flags) {
        this.index = tableIndex;
        useFlags(flags);
    }

    /** Points this site at its byte in {@code shared}, which must hold more than {@link #index} bytes. */
    void useFlags(ByteBuffer shared) {
        if (index >= shared.capacity()) {
            throw new IllegalArgumentException("flags of " + shared.capacity() + " bytes for site " + index);
        }
        this.address = FlagMemory.addressOf(shared) + index;
    }

    public String format() {
        return format;
    }

    /** The class this statement belongs to (a {@code class NAME} query selects it), or null. */
    public String className() {
        return className;
    }

    int index() {
        return index;
    }

    public DynamicDebug module() {
        return module;
    }
}
