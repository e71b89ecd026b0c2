package dev.dyndbgd.body;

/**
 * Compresses blocks of bodies for the pool, like zram's {@code comp_algorithm}. Implementations are
 * thread-safe: FUSE threads decompress concurrently.
 */
public interface BodyCodec {
    /** The name used in the config ({@code codec = ...}) and in statistics. */
    String name();

    byte[] compress(byte[] raw);

    /** Decompresses {@code src[srcOff, srcOff + srcLen)} into {@code dst}, at least {@code rawLength} long; returns the raw length. */
    int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength);

    /** Bytes the codec itself keeps (a dictionary and its digested forms). */
    default long residentBytes() {
        return 0;
    }
}
