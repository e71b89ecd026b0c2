package dev.dyndbgd.bench;

import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.SiteBody;
import dev.dyndbgd.table.TableRegistry;
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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reading bodies back: mapping one disabled site's body (decompress its block, decode its record)
 * and a query that must look at every format, each next to the same work over plain Java objects
 * with String fields, in the same run.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class BodyBenchmark {
    /** The latency profile: lz4dict with smaller blocks (codec = lz4dict, block_sites = 24). */
    static final int LATENCY_BLOCK_SITES = 24;
    private static final byte[] FORMAT_QUERY = "format \"xyz\" +p\n".getBytes();
    /**
     * A text many formats have (about one block in five holds it: scripts/pool-limits), so skipping blocks by their text
     * helps less: the honest worst case next to "xyz". "-p" keeps the flags as they are after the
     * first run.
     */
    private static final byte[] COMMON_FORMAT_QUERY = "format \"failed\" -p\n".getBytes();

    @Param("")
    public String modules;

    private TableRegistry heap;
    private TableRegistry pooled;
    private TableRegistry pooledLz4;
    private QueryEngine pooledLz4Engine;
    private ModuleTable[] lz4SiteTable;
    private QueryEngine heapEngine;
    private QueryEngine pooledEngine;
    private ModuleTable[] siteTable;
    private int[] siteIndex;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        var images = LoadedSets.images(RealModules.directory(modules));
        heap = LoadedSets.heap(images);
        pooled = LoadedSets.pooled(images, "zstd", new PooledBodies[1]);
        pooledLz4 = LoadedSets.pooled(images, "lz4dict", LATENCY_BLOCK_SITES, new PooledBodies[1]);
        pooledLz4Engine = new QueryEngine(pooledLz4, new DyndbgLog(0));
        heapEngine = new QueryEngine(heap, new DyndbgLog(0));
        pooledEngine = new QueryEngine(pooled, new DyndbgLog(0));
        LoadedSets.DisabledSites disabled = LoadedSets.disabledSites(pooled);
        siteTable = disabled.tables();
        siteIndex = disabled.indexes();
        // The same sites in the lz4dict registry (same load order, so same table positions).
        List<ModuleTable> all = pooled.tables();
        lz4SiteTable = new ModuleTable[siteTable.length];
        for (int k = 0; k < siteTable.length; k++) {
            lz4SiteTable[k] = pooledLz4.tables().get(all.indexOf(siteTable[k]));
        }
        random = new SplittableRandom(42);
    }

    /** Map one random disabled site's body from the compressed pool (p99 is the number to watch). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public SiteBody mapOneBodyPooled() {
        int k = random.nextInt(siteIndex.length);
        return siteTable[k].body(siteIndex[k]);
    }

    /** The latency profile: lz4dict codec (LZ4 against a trained dictionary) in 24-site blocks. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public SiteBody mapOneBodyPooledLz4Dict() {
        int k = random.nextInt(siteIndex.length);
        return lz4SiteTable[k].body(siteIndex[k]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object formatQueryPooledLz4Dict() {
        return pooledLz4Engine.write(FORMAT_QUERY, FORMAT_QUERY.length);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object formatQueryPooled() {
        return pooledEngine.write(FORMAT_QUERY, FORMAT_QUERY.length);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object formatQueryPlainObjects() {
        return heapEngine.write(FORMAT_QUERY, FORMAT_QUERY.length);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object commonFormatQueryPooled() {
        return pooledEngine.write(COMMON_FORMAT_QUERY, COMMON_FORMAT_QUERY.length);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object commonFormatQueryPlainObjects() {
        return heapEngine.write(COMMON_FORMAT_QUERY, COMMON_FORMAT_QUERY.length);
    }
}
