package dev.dyndbgd.bench;

import dev.dyndbgd.body.BodyStores;
import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.elf.ModuleFileFinder;
import dev.dyndbgd.load.ModuleLoader;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.table.HeapBodyStore;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loading the whole real module tree into a fresh registry (what start-up does), next to the floor
 * it cannot beat: reading the same files' bytes and nothing else.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class LoadBenchmark {
    @Param("")
    public String modules;

    private Path tree;
    private List<Path> files;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        tree = RealModules.directory(modules);
        files = ModuleFileFinder.find(tree);
    }

    /** Start-up's load: walk, parse every file, build the tables (2 reader threads on this machine). */
    @Benchmark
    public int loadAllModules() {
        DyndbgLog log = new DyndbgLog(0);
        TableRegistry registry = new TableRegistry(HeapBodyStore.factory(), log);
        ModuleLoader.Summary s = new ModuleLoader(registry, log).load(List.of(tree));
        return s.sites();
    }

    /**
     * The daemon's default start-up load: the same, with bodies compressed into the pool (zstd level
     * 19), then a dictionary trained on them and every block recompressed with it.
     */
    @Benchmark
    public int loadAllModulesIntoThePool() {
        DyndbgLog log = new DyndbgLog(0);
        try (PooledBodies bodies = BodyStores.pooled("zstd")) {
            TableRegistry registry = new TableRegistry(bodies, log);
            ModuleLoader.Summary s = new ModuleLoader(registry, log).load(List.of(tree));
            bodies.trainDictionary(16 * 1024);
            bodies.releaseWorkingMemory();
            return s.sites();
        }
    }

    /** The floor: read every module file's bytes, single thread, no parsing. */
    @Benchmark
    public long readAllBytesOnly() throws IOException {
        long total = 0;
        for (Path f : files) {
            total += Files.readAllBytes(f).length;
        }
        return total;
    }
}
