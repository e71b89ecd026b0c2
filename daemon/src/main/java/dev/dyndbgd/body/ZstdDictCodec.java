package dev.dyndbgd.body;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictTrainer;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * zstd through zstd-jni, optionally with a dictionary trained on the bodies themselves (the way zram
 * uses a zstd dictionary): small blocks share their common text (paths, "%s: ", "failed", ...) with
 * the dictionary instead of each carrying it. Frames are lean: no magic, checksum, dictionary id or
 * content size (the pool entry records sizes).
 */
public final class ZstdDictCodec implements DictionaryCodec {
    private static final long CONTEXT_RESIDENT_BYTES = 16 * 1024;
    private final int level;
    /**
     * The level once a dictionary is trained. Lower than {@link #level} only for the first pass
     * of a load that a dictionary will follow: every block is compressed again with the
     * dictionary, so the first pass need not spend level 19 on output that is thrown away.
     */
    private final int finalLevel;
    /**
     * The dictionary, once: off the heap, and zstd's digested decompression dictionary refers to it
     * rather than keeping a copy (only its entropy tables are its own). The compressor copies it out
     * when it is made, which happens during loads only.
     */
    private final ByteBuffer dictionary;
    private final ZstdDictDecompress decompressDict;
    /** One compressor, made when needed and dropped after a bulk load: at high levels it holds megabytes. */
    private ZstdCompressCtx compressor;
    /** Decompression contexts, as many as ever decompressed at the same moment. */
    private final Lender<ZstdDecompressCtx> contexts;

    public ZstdDictCodec(int level, byte[] dictionary) {
        this(level, dictionary, level);
    }

    /**
     * For a load that a dictionary will follow: compresses at {@code firstPassLevel} until
     * {@link #withDictionary} or {@link #settled()} gives the codec that compresses at {@code level}.
     */
    public static ZstdDictCodec untilTrained(int firstPassLevel, int level) {
        return new ZstdDictCodec(firstPassLevel, null, level);
    }

    private ZstdDictCodec(int level, byte[] dictionary, int finalLevel) {
        this.level = level;
        this.finalLevel = finalLevel;
        if (dictionary == null) {
            this.dictionary = null;
            this.decompressDict = null;
        } else {
            this.dictionary = ByteBuffer.allocateDirect(dictionary.length).put(dictionary).flip();
            this.decompressDict = new ZstdDictDecompress(this.dictionary, true);
        }
        this.contexts = new Lender<>(this::newContext, CONTEXT_RESIDENT_BYTES);
    }

    /** Trains a dictionary of at most {@code size} bytes on sample blocks; null if zstd finds too little to learn. */
    public static byte[] train(List<byte[]> samples, int size) {
        long total = 0;
        for (byte[] s : samples) {
            total += s.length;
        }
        if (samples.size() < 16 || total < size) {
            return null;
        }
        ZstdDictTrainer trainer = new ZstdDictTrainer((int) Math.min(Integer.MAX_VALUE - 16, total + 1024), size);
        for (byte[] s : samples) {
            trainer.addSample(s);
        }
        try {
            return trainer.trainSamples();
        } catch (RuntimeException e) {
            return null; // zstd refuses when the samples teach it nothing; work without a dictionary
        }
    }

    @Override
    public ZstdDictCodec withDictionary(byte[] dict) {
        return new ZstdDictCodec(finalLevel, dict);
    }

    @Override
    public ZstdDictCodec settled() {
        return level == finalLevel ? this : new ZstdDictCodec(finalLevel, null);
    }

    @Override
    public boolean hasDictionary() {
        return dictionary != null;
    }


    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public synchronized byte[] compress(byte[] raw) {
        if (compressor == null) {
            compressor = new ZstdCompressCtx();
            compressor.setLevel(level);
            compressor.setMagicless(true);
            compressor.setChecksum(false);
            compressor.setContentSize(false);
            compressor.setDictID(false);
            if (dictionary != null) {
                byte[] dict = new byte[dictionary.capacity()];
                dictionary.get(0, dict);
                compressor.loadDict(dict); // stays loaded for every frame this compressor makes
            }
        }
        return compressor.compress(raw);
    }

    @Override
    public synchronized void releaseCompressor() {
        if (compressor != null) {
            compressor.close();
            compressor = null;
        }
    }

    private ZstdDecompressCtx newContext() {
        ZstdDecompressCtx d = new ZstdDecompressCtx();
        d.setMagicless(true);
        if (decompressDict != null) {
            d.loadDict(decompressDict);
        }
        return d;
    }

    @Override
    public int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength) {
        ZstdDecompressCtx d = contexts.borrow();
        try {
            return d.decompressByteArray(dst, 0, rawLength, src, srcOff, srcLen);
        } finally {
            contexts.giveBack(d);
        }
    }

    @Override
    public long residentBytes() {
        // The dictionary bytes, the entropy tables of zstd's digested dictionary (which refers to the
        // bytes rather than copying them), and each decompression context's resident part: 13-17 KiB of resident
        // set per context decompressing our small frames with a dictionary (zstd-jni 1.5.7, measured
        // from VmRSS over 300 contexts).
        return (dictionary == null ? 0 : dictionary.capacity() + 27 * 1024) + contexts.bytes();
    }
}
