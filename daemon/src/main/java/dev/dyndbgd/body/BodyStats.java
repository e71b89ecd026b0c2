package dev.dyndbgd.body;

/**
 * What the pooled bodies hold, for {@code stats} and the benchmarks.
 *
 * @param rawBytes        bodies as laid out in blocks, before compression
 * @param storedBytes     what the blocks take in pool objects (compressed, with their small headers)
 * @param poolPageBytes   what the pool holds: its page buffers (whole chunks, free pages in them included)
 *                        and its metadata, i.e. what it really costs, fragmentation included
 * @param indexBytes      per-table block indexes (first site and handle per block)
 * @param codecBytes      dictionary and its digested form, and working memory for reading blocks
 *                        (decompression contexts, scratch buffers)
 * @param cacheBytes      decoded bodies of enabled (pinned) sites
 * @param maps            blocks decompressed so far
 */
public record BodyStats(String codec, long tables, long sites, long blocks, long pinned, long rawBytes, long storedBytes,
                        long poolPageBytes, long indexBytes, long codecBytes, long cacheBytes, long maps) {
    public long residentBytes() {
        return poolPageBytes + indexBytes + codecBytes + cacheBytes;
    }
}
