package dev.dyndbgd.bench;

import dev.dyndbgd.body.PooledBodies;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Mapping one random disabled body under each codec and block size a configuration can choose
 * ({@code codec}, {@code block_sites}): the latency side of the memory table in docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class MapLatencyBenchmark {
    @Param("")
    public String modules;

    /** codec:block_sites */
    @Param({"zstd:32", "zstd:12", "lz4dict:12", "lz4dict:24", "lz4dict:32"})
    public String profile;

    private LoadedSets.DisabledSites sites;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String[] p = profile.split(":");
        TableRegistry registry = LoadedSets.pooled(LoadedSets.images(RealModules.directory(modules)), p[0],
                Integer.parseInt(p[1]), new PooledBodies[1]);
        sites = LoadedSets.disabledSites(registry);
        random = new SplittableRandom(42);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public SiteBody mapOneBody() {
        int k = random.nextInt(sites.size());
        return sites.tables()[k].body(sites.indexes()[k]);
    }
}
