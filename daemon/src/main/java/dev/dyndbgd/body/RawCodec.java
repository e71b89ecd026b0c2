package dev.dyndbgd.body;

/** No compression: the bytes as laid out, which is what the 2020 diet patch stored in its pool. */
public final class RawCodec implements BodyCodec {
    @Override
    public String name() {
        return "none";
    }

    @Override
    public byte[] compress(byte[] raw) {
        return raw.clone();
    }

    @Override
    public int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength) {
        System.arraycopy(src, srcOff, dst, 0, srcLen);
        return srcLen;
    }
}
