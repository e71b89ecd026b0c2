package dev.dyndbgd.pool;

/** Deterministic object contents: the bytes of an object follow from a seed, so tests store ints. */
final class TestData {
    private TestData() {
    }

    static byte[] bytes(int seed, int len) {
        byte[] b = new byte[len];
        long x = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }
}
