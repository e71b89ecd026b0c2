package dev.dyndbgd.body;

import dev.dyndbgd.elf.KernelModuleReader;
import dev.dyndbgd.elf.ModuleFileFinder;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.SiteBody;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decompressing every block of the real module set and nothing else: the floor under a query that
 * must look at every format. Blocks are laid out as the pool lays them out (32 sites of a module,
 * {@link BlockLayout}) and compressed against a 16 KiB dictionary trained on them. It lives in the
 * body package to reach the layout; it only uses what existed before the LZ4 decoder was reworked,
 * so it runs on older commits too for a before/after.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class BlockDecodeBenchmark {
    @Param("")
    public String modules;

    @Param({"zstd", "lz4dict"})
    public String codec;

    private BodyCodec decoder;
    private byte[][] compressed;
    private int[] rawLengths;
    private byte[] out;
    /** Bytes decoded by one call of the benchmark (printed once, to turn the time into a rate). */
    private long rawTotal;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path tree = Path.of(modules); // bin/bench passes the real set
        List<byte[]> raw = new ArrayList<>();
        for (Path f : ModuleFileFinder.find(tree)) {
            ModuleImage m = KernelModuleReader.read(f);
            List<SiteBody> bodies = new ArrayList<>();
            for (SiteRecord r : m.sites()) {
                bodies.add(new SiteBody(r.file(), r.function(), r.format(), r.line()));
            }
            for (int i = 0; i < bodies.size(); i += PooledBodies.DEFAULT_SITES_PER_BLOCK) {
                raw.add(BlockLayout.encode(bodies.subList(i, Math.min(bodies.size(), i + PooledBodies.DEFAULT_SITES_PER_BLOCK))));
            }
        }
        byte[] dictionary = ZstdDictCodec.train(raw, 16 * 1024);
        decoder = codec.equals("zstd") ? new ZstdDictCodec(BodyStores.ZSTD_LEVEL, dictionary) : new Lz4DictCodec(dictionary);
        compressed = new byte[raw.size()][];
        rawLengths = new int[raw.size()];
        int longest = 0;
        for (int b = 0; b < raw.size(); b++) {
            compressed[b] = decoder.compress(raw.get(b));
            rawLengths[b] = raw.get(b).length;
            rawTotal += rawLengths[b];
            longest = Math.max(longest, rawLengths[b]);
        }
        out = new byte[longest + 64];
        System.out.printf("%n%s: %d blocks, %d bytes laid out, %d compressed%n", codec, raw.size(), rawTotal,
                java.util.Arrays.stream(compressed).mapToLong(c -> c.length).sum());
    }

    /** Every block once; bytes laid out divided by this time is the decoder's rate. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long decompressEveryBlock() {
        long n = 0;
        for (int b = 0; b < compressed.length; b++) {
            n += decoder.decompress(compressed[b], 0, compressed[b].length, out, rawLengths[b]);
        }
        return n;
    }
}
