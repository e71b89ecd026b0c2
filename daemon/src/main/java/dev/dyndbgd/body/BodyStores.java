package dev.dyndbgd.body;

import dev.dyndbgd.pool.ZsPool;

/** Makes the pooled body store a configuration asks for. */
public final class BodyStores {
    /** zstd level for blocks: compression runs at load time only, reading is what must be fast. */
    static final int ZSTD_LEVEL = 19;
    /** zstd level of a first pass that a trained dictionary will replace (see {@link ZstdDictCodec#untilTrained}). */
    static final int ZSTD_FIRST_PASS_LEVEL = 1;

    private BodyStores() {
    }

    public static PooledBodies pooled(String codec) {
        return pooled(codec, PooledBodies.DEFAULT_SITES_PER_BLOCK);
    }

    public static PooledBodies pooled(String codec, int sitesPerBlock) {
        return new PooledBodies(new ZsPool("dyndbgd"), codec(codec), sitesPerBlock);
    }

    /**
     * As {@link #pooled(String, int)}, for a load that {@link PooledBodies#trainDictionary} will
     * follow: zstd's first pass is fast, since every block is compressed again with the dictionary.
     */
    public static PooledBodies pooledUntilTrained(String codec, int sitesPerBlock) {
        BodyCodec first = codec.equals("zstd") ? ZstdDictCodec.untilTrained(ZSTD_FIRST_PASS_LEVEL, ZSTD_LEVEL) : codec(codec);
        return new PooledBodies(new ZsPool("dyndbgd"), first, sitesPerBlock);
    }

    public static BodyCodec codec(String name) {
        return switch (name) {
            case "zstd" -> new ZstdDictCodec(ZSTD_LEVEL, null);
            case "lz4" -> new Lz4Codec(false);
            case "lz4hc" -> new Lz4Codec(true);
            case "lz4dict" -> new Lz4DictCodec(null);
            case "none" -> new RawCodec();
            default -> throw new IllegalArgumentException("unknown codec " + name);
        };
    }
}
