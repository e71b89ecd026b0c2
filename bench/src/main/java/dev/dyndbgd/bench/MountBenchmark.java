package dev.dyndbgd.bench;

import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.fuse.FuseMount;
import dev.dyndbgd.fuse.MountOptions;
import dev.dyndbgd.fuse.VirtualDirectory;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.control.ControlSnapshots;
import dev.dyndbgd.mount.ControlFile;
import dev.dyndbgd.mount.TextFile;
import dev.dyndbgd.state.StateStore;
import dev.dyndbgd.config.DaemonConfig;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The mount as a shell uses it, next to tmpfs doing the same with plain bytes: {@code echo QUERY >
 * control} (open, one write, close) and {@code cat control} (open, read to EOF in 128 KiB reads as
 * coreutils' cat does, close), with the full real module set loaded. Needs root and libfuse2.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class MountBenchmark {
    private static final byte[] QUERY = "module usbcore +p\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TOGGLE_ON = "module usbcore +t\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TOGGLE_OFF = "module usbcore -t\n".getBytes(StandardCharsets.ISO_8859_1);
    private boolean toggle;

    @Param("")
    public String modules;

    private Path work;
    private FuseMount mount;
    private StateStore state;
    private Path control;
    private Path tmpfsWrite;
    private Path tmpfsCopy;
    private Path staticCopy;
    private final byte[] buffer = new byte[128 * 1024];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        DyndbgLog log = new DyndbgLog(0);
        work = Files.createTempDirectory("dyndbgd-bench");
        state = StateStore.open(work.resolve("state"), log);
        DaemonConfig d = DaemonConfig.defaults();
        // The daemon as it starts by default (pooled zstd bodies with a trained dictionary).
        Daemon daemon = Daemon.start(new DaemonConfig(work.resolve("mnt"), List.of(RealModules.directory(modules)), true, true, 0,
                work.resolve("state"), List.of(), java.util.Map.of(), d.codec(), d.dictionarySize(), 0, d.blockSites(), work.resolve("dyndbgd.sock")), state);
        byte[] text = ControlStream.snapshot(daemon.registry()).getBytes(StandardCharsets.ISO_8859_1);
        mount = FuseMount.mount(VirtualDirectory.of("", List.of(new ControlFile(new ControlSnapshots(daemon.registry()), daemon.engine()),
                TextFile.fixed("static-copy", text))), work.resolve("mnt"), MountOptions.defaults());
        control = mount.mountPoint().resolve("control");
        staticCopy = mount.mountPoint().resolve("static-copy");
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "dyndbgd-bench");
        tmpfsWrite = shm.resolve("write-target");
        tmpfsCopy = shm.resolve("control-copy");
        Files.write(tmpfsCopy, text);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        mount.close();
        state.close();
        Files.deleteIfExists(tmpfsWrite);
        Files.deleteIfExists(tmpfsCopy);
        Files.deleteIfExists(tmpfsCopy.getParent());
    }

    @Benchmark
    public void echoToControl() throws IOException {
        try (FileOutputStream out = new FileOutputStream(control.toFile())) {
            out.write(QUERY);
        }
    }

    @Benchmark
    public void echoToTmpfs() throws IOException {
        try (FileOutputStream out = new FileOutputStream(tmpfsWrite.toFile())) {
            out.write(QUERY);
        }
    }

    @Benchmark
    public long catControl() throws IOException {
        return readAll(control);
    }

    /** The FUSE floor: the same bytes from a plain array, through the same mount. */
    @Benchmark
    public long catStaticCopyOnMount() throws IOException {
        return readAll(staticCopy);
    }

    /** cat right after a change: the listing is rendered, not copied from the last rendering. */
    @Benchmark
    public long echoThenCatControl() throws IOException {
        toggle = !toggle;
        try (FileOutputStream out = new FileOutputStream(control.toFile())) {
            out.write(toggle ? TOGGLE_ON : TOGGLE_OFF);
        }
        return readAll(control);
    }

    @Benchmark
    public long catTmpfsCopy() throws IOException {
        return readAll(tmpfsCopy);
    }

    private long readAll(Path p) throws IOException {
        long total = 0;
        try (FileInputStream in = new FileInputStream(p.toFile())) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
            }
        }
        return total;
    }
}
