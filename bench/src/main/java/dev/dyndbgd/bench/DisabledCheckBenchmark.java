package dev.dyndbgd.bench;

import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.client.DynamicDebug;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * What a disabled debug statement costs a program: {@link DebugSite#enabled()} and a disabled
 * {@link DebugSite#printf} against flags mapped read-only from a file, exactly as a registered
 * program maps the daemon's shared flags, next to the baseline the issue names: reading a plain
 * boolean field.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3)
public class DisabledCheckBenchmark {
    static final DynamicDebug DEBUG = DynamicDebug.inProcess("bench");
    static final DebugSite SITE = DEBUG.site("request %d took %d us\n");

    /** The baseline: a flag in an ordinary object. Not final, so the JIT must load it each time. */
    boolean plainFlag;
    int argument = 42;
    String text = "order";
    private Path file;
    /** The same mapping read through ByteBuffer.get: the design FlagMemory replaced. */
    private java.nio.ByteBuffer mapped;

    @Setup(Level.Trial)
    public void mapFlags() throws IOException {
        file = Files.createTempFile("dyndbg-flags", ".bin");
        Files.write(file, new byte[Math.max(1, DEBUG.table().size())]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.max(1, DEBUG.table().size()));
            DEBUG.attach(mapped);
        }
        if (!DEBUG.attached() || DEBUG.table().isEmpty()) {
            throw new IllegalStateException("the bench statement was not found by the scan");
        }
    }

    @TearDown(Level.Trial)
    public void removeFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public boolean plainFieldRead() {
        return plainFlag;
    }

    @Benchmark
    public boolean disabledEnabledCheck() {
        return SITE.enabled();
    }

    /** Two int arguments: the cost above the check is Java boxing them (Integer.valueOf), as for any logger. */
    @Benchmark
    public void disabledPrintf() {
        SITE.printf(argument, argument);
    }

    @Benchmark
    public void disabledPrintfObjects() {
        SITE.printf(text, text);
    }

    @Benchmark
    public boolean byteBufferGet() {
        return (mapped.get(0) & 1) != 0;
    }
}
