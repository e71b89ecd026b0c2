package dev.dyndbgd.client;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * Reads a flag byte straight from the shared mapping, by address.
 *
 * <p>Why not {@link ByteBuffer#get(int)}: its bounds, read-only and scope checks double the cost of
 * the check every disabled statement makes (DisabledCheckBenchmark: 0.61 ns through the buffer,
 * 0.31 ns by address, 0.26 ns for a plain field; docs/benchmarks.md). Java 17 has no supported way to read memory by
 * address ({@code MemorySegment} is final only from Java 22), so this uses {@code sun.misc.Unsafe} from
 * the {@code jdk.unsupported} module, as Netty and Agrona do. It is safe here because every address
 * read was computed from a direct buffer that the module keeps reachable for its whole life (so the
 * mapping is never unmapped under a reader), at an index the buffer's capacity was checked against.
 */
final class FlagMemory {
    private static final sun.misc.Unsafe UNSAFE;
    private static final long BUFFER_ADDRESS;

    static {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = (sun.misc.Unsafe) f.get(null);
            BUFFER_ADDRESS = UNSAFE.objectFieldOffset(Buffer.class.getDeclaredField("address"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private FlagMemory() {
    }

    /** The address of byte 0 of a direct buffer (a mapping); the caller keeps the buffer reachable. */
    static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("shared flags must be a direct buffer or a mapping");
        }
        return UNSAFE.getLong(direct, BUFFER_ADDRESS);
    }

    /**
     * The byte at {@code address}, read with volatile semantics: another process writes it, so the JIT
     * must not keep an old value in a register (on x86 and arm64 this is still one plain load).
     */
    static int read(long address) {
        return UNSAFE.getByteVolatile(null, address);
    }
}
