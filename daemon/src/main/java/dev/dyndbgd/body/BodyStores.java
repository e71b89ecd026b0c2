package dev.dyndbgd.body;

import dev.dyndbgd.pool.ZsPool;

/** Makes the pooled body store a configuration asks for. */
public final class BodyStores {
    /** zstd level for blocks: compression runs at load time only, reading is what must be fast. */
    static final int ZSTD_LEVEL = 19;

    private BodyStores() {
    }

    public static PooledBodies pooled(String codec) {
        return pooled(codec, PooledBodies.DEFAULT_SITES_PER_BLOCK);
    }

    public static PooledBodies pooled(String codec, int sitesPerBlock) {
        return new PooledBodies(new ZsPool("dyndbgd"), codec(codec), sitesPerBlock);
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
