package dev.dyndbgd.body;

import dev.dyndbgd.memory.HeapSizes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * LZ4 block format with a shared dictionary, written here because lz4-java has no dictionary API:
 * matches may reach back into the dictionary as if it preceded the block (the layout of the C
 * library's {@code LZ4_compress_fast_continue} after {@code LZ4_loadDict}), so the common text of
 * many small blocks is stored once. Decoding is plain Java with every read and write bounds-checked,
 * and needs no context, which is what makes reading one body cheap.
 *
 * <p>The compressor is a hash-chain match finder over dictionary + block (longest match among up
 * to {@link #SEARCH_DEPTH} candidates, greedy), keeping the format's end rules: the last 5 bytes are
 * literals and no match starts within the last 12 bytes.
 */
public final class Lz4DictCodec implements DictionaryCodec {
    private static final int MIN_MATCH = 4;
    private static final int LAST_LITERALS = 5;
    private static final int MF_LIMIT = 12;
    private static final int MAX_OFFSET = 65535;
    private static final int HASH_LOG = 16;
    private static final int SEARCH_DEPTH = 64;

    /** Unaligned 8-byte access to byte arrays (bounds-checked), for the decoder's short copies. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Room past the output for the decoder's word copies to overshoot into. */
    private static final int WORK_SLACK = 32;

    private final byte[] dict;
    /** Work buffers: the dictionary followed by room for one block (see {@link #decompress}). */
    private final Lender<byte[][]> work;

    /** @param dictionary shared text matches may refer to (its last 64 KiB at most), or null */
    public Lz4DictCodec(byte[] dictionary) {
        byte[] d = dictionary == null ? new byte[0] : dictionary;
        this.dict = d.length > MAX_OFFSET ? Arrays.copyOfRange(d, d.length - MAX_OFFSET, d.length) : d.clone();
        this.work = new Lender<>(() -> new byte[][]{Arrays.copyOf(dict, dict.length + 8192)},
                HeapSizes.references(1) + HeapSizes.bytes(dict.length + 8192));
    }

    @Override
    public String name() {
        return "lz4dict";
    }

    @Override
    public Lz4DictCodec withDictionary(byte[] dictionary) {
        return new Lz4DictCodec(dictionary);
    }

    @Override
    public boolean hasDictionary() {
        return dict.length > 0;
    }

    @Override
    public long residentBytes() {
        return (dict.length == 0 ? 0 : HeapSizes.bytes(dict.length)) + work.bytes();
    }

    @Override
    public byte[] compress(byte[] raw) {
        int d = dict.length;
        int n = raw.length;
        byte[] all = new byte[d + n];
        System.arraycopy(dict, 0, all, 0, d);
        System.arraycopy(raw, 0, all, d, n);
        int[] head = new int[1 << HASH_LOG];
        Arrays.fill(head, -1);
        int[] chain = new int[all.length];
        // Index the dictionary so the block can match into it.
        for (int i = 0; i + MIN_MATCH <= d; i++) {
            insert(all, i, head, chain);
        }
        byte[] out = new byte[n + n / 255 + 16];
        int op = 0;
        int anchor = d;
        int end = d + n;
        int matchLimit = end - LAST_LITERALS;
        int searchEnd = end - MF_LIMIT;
        int ip = d;
        while (ip < searchEnd) {
            int bestLen = 0;
            int bestPos = -1;
            int candidate = head[hash(all, ip)];
            for (int depth = 0; candidate >= 0 && depth < SEARCH_DEPTH && ip - candidate <= MAX_OFFSET; depth++) {
                int len = 0;
                while (ip + len < matchLimit && all[candidate + len] == all[ip + len]) {
                    len++;
                }
                if (len > bestLen) {
                    bestLen = len;
                    bestPos = candidate;
                }
                candidate = chain[candidate];
            }
            if (bestLen < MIN_MATCH) {
                insert(all, ip, head, chain);
                ip++;
                continue;
            }
            op = writeSequence(out, op, all, anchor, ip - anchor, ip - bestPos, bestLen);
            for (int k = 0; k < bestLen && ip + k + MIN_MATCH <= end; k++) {
                insert(all, ip + k, head, chain);
            }
            ip += bestLen;
            anchor = ip;
        }
        op = writeLastLiterals(out, op, all, anchor, end - anchor);
        return Arrays.copyOf(out, op);
    }

    private static int hash(byte[] b, int i) {
        int v = (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
        return (v * -1640531535) >>> (32 - HASH_LOG);
    }

    private static void insert(byte[] b, int i, int[] head, int[] chain) {
        if (i + MIN_MATCH > b.length) {
            return;
        }
        int h = hash(b, i);
        chain[i] = head[h];
        head[h] = i;
    }

    private static int writeSequence(byte[] out, int op, byte[] src, int litStart, int litLen, int offset, int matchLen) {
        int ml = matchLen - MIN_MATCH;
        int token = op++;
        out[token] = (byte) ((Math.min(litLen, 15) << 4) | Math.min(ml, 15));
        op = writeLength(out, op, litLen);
        System.arraycopy(src, litStart, out, op, litLen);
        op += litLen;
        out[op++] = (byte) offset;
        out[op++] = (byte) (offset >>> 8);
        return writeLength(out, op, ml);
    }

    private static int writeLastLiterals(byte[] out, int op, byte[] src, int litStart, int litLen) {
        out[op++] = (byte) (Math.min(litLen, 15) << 4);
        op = writeLength(out, op, litLen);
        System.arraycopy(src, litStart, out, op, litLen);
        return op + litLen;
    }

    /** The extra length bytes of a 4-bit field that overflowed (values of 15 and up). */
    private static int writeLength(byte[] out, int op, int len) {
        if (len < 15) {
            return op;
        }
        int rest = len - 15;
        while (rest >= 255) {
            out[op++] = (byte) 255;
            rest -= 255;
        }
        out[op++] = (byte) rest;
        return op;
    }

    /**
     * Decodes into a borrowed work buffer, which holds the dictionary just before the output, so
     * every match is one copy within one array however far back it reaches (no branch between
     * dictionary and output: that branch, taken half the time at random, was the decoder's main
     * cost), then copies the output to {@code dst}.
     */
    @Override
    public int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength) {
        byte[][] lent = work.borrow();
        try {
            return decompress(src, srcOff, srcLen, dst, rawLength, workBuffer(lent, rawLength));
        } finally {
            work.giveBack(lent);
        }
    }

    private int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength, byte[] w) {
        int d = dict.length;
        int ip = srcOff;
        int srcEnd = srcOff + srcLen;
        int op = d;
        int end = d + rawLength;
        while (true) {
            if (ip >= srcEnd) {
                throw corrupt("ends before its last literals");
            }
            int token = src[ip++] & 0xFF;
            int litLen = token >>> 4;
            if (litLen == 15) {
                int b;
                do {
                    if (ip >= srcEnd) {
                        throw corrupt("ends inside a literal length");
                    }
                    b = src[ip++] & 0xFF;
                    litLen += b;
                } while (b == 255);
            }
            if (litLen > srcEnd - ip || litLen > end - op) {
                throw corrupt("literals run past the end");
            }
            if (litLen <= 16 && ip + 16 <= src.length) {
                copy16(src, ip, w, op); // most literal runs are short: two word moves beat a call
            } else {
                System.arraycopy(src, ip, w, op, litLen);
            }
            ip += litLen;
            op += litLen;
            if (ip == srcEnd) { // the last sequence has literals only
                System.arraycopy(w, d, dst, 0, op - d);
                return op - d;
            }
            if (ip + 2 > srcEnd) {
                throw corrupt("ends inside an offset");
            }
            int offset = (src[ip] & 0xFF) | (src[ip + 1] & 0xFF) << 8;
            ip += 2;
            int matchLen = token & 15;
            if (matchLen == 15) {
                int b;
                do {
                    if (ip >= srcEnd) {
                        throw corrupt("ends inside a match length");
                    }
                    b = src[ip++] & 0xFF;
                    matchLen += b;
                } while (b == 255);
            }
            matchLen += MIN_MATCH;
            int from = op - offset;
            if (offset == 0 || from < 0 || matchLen > end - op) {
                throw corrupt("match out of range");
            }
            if (offset >= 8) {
                // Word by word, overshooting by up to 15 bytes into space not yet written (the work
                // buffer has room). With the source at least 8 bytes back each word read is final
                // by the time it is read, so overlapping matches repeat correctly.
                copy16(w, from, w, op);
                for (int k = 16; k < matchLen; k += 8) {
                    LONGS.set(w, op + k, (long) LONGS.get(w, from + k));
                }
            } else { // a pattern of fewer than 8 bytes repeating: byte by byte
                for (int k = 0; k < matchLen; k++) {
                    w[op + k] = w[from + k];
                }
            }
            op += matchLen;
        }
    }

    /** A work buffer: the dictionary, then room for {@code rawLength} bytes and the copies' overshoot. */
    private byte[] workBuffer(byte[][] lent, int rawLength) {
        byte[] w = lent[0];
        int needed = dict.length + rawLength + WORK_SLACK;
        if (w.length < needed) {
            byte[] grown = new byte[Math.max(needed, dict.length + 2 * (w.length - dict.length))];
            System.arraycopy(dict, 0, grown, 0, dict.length);
            work.grew(HeapSizes.bytes(grown.length) - HeapSizes.bytes(w.length));
            lent[0] = grown;
            w = grown;
        }
        return w;
    }

    /** Copies 16 bytes; the caller has checked both arrays have them. */
    private static void copy16(byte[] src, int from, byte[] dst, int to) {
        LONGS.set(dst, to, (long) LONGS.get(src, from));
        LONGS.set(dst, to + 8, (long) LONGS.get(src, from + 8));
    }

    private static IllegalStateException corrupt(String why) {
        return new IllegalStateException("corrupt lz4 block: " + why);
    }
}
