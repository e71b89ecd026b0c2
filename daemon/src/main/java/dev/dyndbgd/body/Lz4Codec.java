package dev.dyndbgd.body;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 blocks through lz4-java (the maintained at.yawk.lz4 fork, with its decoder bounds fixes), fast
 * or high-compression. No dictionary: lz4-java has no dictionary API, so each block compresses only
 * against itself.
 */
public final class Lz4Codec implements BodyCodec {
    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor;
    private final String name;

    public Lz4Codec(boolean high) {
        LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = high ? factory.highCompressor() : factory.fastCompressor();
        this.decompressor = factory.safeDecompressor();
        this.name = high ? "lz4hc" : "lz4";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public byte[] compress(byte[] raw) {
        return compressor.compress(raw);
    }

    @Override
    public int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength) {
        return decompressor.decompress(src, srcOff, srcLen, dst, 0, rawLength);
    }
}
