package dev.dyndbgd.elf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Produces the ELF bytes of a module file: plain {@code .ko} files are memory-mapped, compressed ones
 * decompressed into memory, with a cap on the size either may have.
 *
 * <p>Mapping rather than reading a plain file matters because a module's call sites need only a few
 * percent of it (section headers, {@code __dyndbg}, a few relocation, symbol and string sections);
 * the pages never touched are never read. A compressed file has to be decompressed whole anyway.
 *
 * <p>The limits exist for decompression bombs: a few KiB of xz or zstd can claim gigabytes, and the
 * loader must say so rather than run the daemon out of memory. A compressed file may decompress to
 * the cap, and to no more than {@link #MAX_RATIO} times its own size (or {@link #RATIO_FLOOR}, for
 * small files): without the ratio a 19 KB .ko.zst made the reader allocate 1.1 GB and hold 768 MB at
 * once before the cap stopped it, which a JVM with a 1 GB heap answers with OutOfMemoryError. The
 * buffer grows by doubling and never past the limit, so memory use is bounded by the limit no matter
 * what the stream claims.
 */
public final class ModuleFileLoader {
    /** Default cap: the largest real modules (amdgpu, i915 with debug info stripped) are tens of MiB. */
    public static final long DEFAULT_MAX_BYTES = 512L * 1024 * 1024;

    /**
     * Largest ratio of decompressed to compressed size accepted above {@link #RATIO_FLOOR}. Real
     * modules compress at most about 120:1 (Debian 6.1's test_bpf.ko with xz -9e; 106:1 with zstd -22,
     * 68:1 with gzip -9), a bomb of zeros 1000:1 with gzip and a million to one with xz or zstd.
     * 1024:1 leaves real modules eight times the room they need and keeps what a file can cost
     * proportional to its size.
     */
    public static final int MAX_RATIO = 1024;
    /** What any compressed file may decompress to whatever its ratio (within the cap): every small module. */
    public static final long RATIO_FLOOR = 16L * 1024 * 1024;

    private static final int MIN_BUFFER = 64 * 1024;
    /** The largest array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final long maxBytes;

    public ModuleFileLoader() {
        this(DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes largest (decompressed) module size accepted, 1 .. 2^31-9 bytes */
    public ModuleFileLoader(long maxBytes) {
        if (maxBytes <= 0 || maxBytes > MAX_ARRAY) {
            throw new IllegalArgumentException("maxBytes must be 1.." + MAX_ARRAY + ", not " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The module's ELF image. The compression is chosen by file name; a name without a module suffix
     * is treated as a plain ELF file.
     *
     * @throws MalformedModuleException if the compressed data is corrupt or the result exceeds the cap
     * @throws IOException              if the file cannot be opened or read
     */
    public ByteBuffer load(Path file) throws IOException {
        ModuleCompression compression = ModuleCompression.ofFileName(String.valueOf(file.getFileName()));
        if (compression == null || compression == ModuleCompression.NONE) {
            return map(file);
        }
        return decompress(file, compression);
    }

    private ByteBuffer map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > maxBytes) {
                throw new MalformedModuleException(file.toString(), "file is " + size + " bytes, more than the limit of "
                        + maxBytes);
            }
            // The mapping outlives the channel; it is released when the buffer is garbage collected.
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
    }

    private ByteBuffer decompress(Path file, ModuleCompression compression) throws IOException {
        String source = file.toString();
        long compressedSize = Files.size(file);
        if (compressedSize == 0) {
            // Some decoders read an empty input as an empty stream; for a module it is plainly damaged.
            throw new MalformedModuleException(source, "corrupt " + compression.name().toLowerCase()
                    + " data: the file is empty");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            // Opening is outside the try below: a missing or unreadable file is an I/O error, not a
            // malformed module. Everything the decoder throws from here on is about the data.
            try (InputStream in = compression.decoder(raw)) {
                return readCapped(in, source, compression, compressedSize);
            } catch (MalformedModuleException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // RuntimeException too: zstd-jni reports some stream errors as unchecked ZstdException.
                throw new MalformedModuleException(source, "corrupt " + compression.name().toLowerCase()
                        + " data: " + describe(e), e);
            }
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : message + " (" + kind + ")";
    }

    /** The most a compressed file of {@code compressedSize} bytes may decompress to. */
    long limitFor(long compressedSize) {
        long byRatio = compressedSize > maxBytes / MAX_RATIO ? maxBytes : compressedSize * MAX_RATIO;
        return Math.min(maxBytes, Math.max(RATIO_FLOOR, byRatio));
    }

    private ByteBuffer readCapped(InputStream in, String source, ModuleCompression compression, long compressedSize)
            throws IOException {
        long limit = limitFor(compressedSize);
        // Modules compress about 3-5x; start near the likely size so most files need no regrowth.
        long guess = Math.max(MIN_BUFFER, Math.min(compressedSize * 4, limit));
        byte[] buf = new byte[(int) Math.min(guess, limit)];
        int n = 0;
        while (true) {
            if (n == buf.length) {
                if (n >= limit) {
                    // Full at the limit: one more byte means the stream is over it.
                    if (in.read() < 0) {
                        return ByteBuffer.wrap(buf);
                    }
                    String kind = compression.name().toLowerCase();
                    throw new MalformedModuleException(source, limit == maxBytes
                            ? kind + " data decompresses to more than the limit of " + maxBytes + " bytes"
                            : kind + " data decompresses to more than " + limit + " bytes, the most a file of "
                            + compressedSize + " bytes may (" + MAX_RATIO + " times its size, at least " + RATIO_FLOOR
                            + "): a decompression bomb, not a module");
                }
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                // Wrapped, not trimmed: a trimming copy would briefly need twice the memory.
                return ByteBuffer.wrap(buf, 0, n);
            }
            n += r;
        }
    }
}
