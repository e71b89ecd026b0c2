package dev.dyndbgd.daemon;

import dev.dyndbgd.config.ConfigException;
import dev.dyndbgd.config.ConfigFile;
import dev.dyndbgd.config.DaemonConfig;
import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.fuse.FuseMount;
import dev.dyndbgd.fuse.MountPointState;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.BatchResult;
import dev.dyndbgd.query.SourcePaths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dyndbgd}: the daemon, and a one-shot mode for scripts ({@code --exec}/{@code --cat}). */
@Command(name = "dyndbgd", mixinStandardHelpOptions = true, version = "dyndbgd 0.1.0", sortOptions = false,
        description = {"Userspace dynamic debug: kernel-module and program call sites driven by the kernel's",
                "control language on a FUSE mount (echo 'module foo +p' > MOUNT/control; cat MOUNT/control).",
                "Runs in the foreground; SIGTERM or SIGINT unmounts and exits."},
        footer = {"", "Options given here override the config file. With --exec or --cat nothing is mounted:",
                "the queries run against the loaded modules and control is printed to standard output."})
public final class Main implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "DIR", description = "Mount point (created if missing). Default: /mnt/dyndbg.")
    private Path mount;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file. Default: /etc/dyndbgd/dyndbgd.conf when it exists.")
    private Path config;

    @Option(names = "--load", paramLabel = "PATH",
            description = "Module file or directory (walked recursively); repeatable. Default: /lib/modules/$(uname -r) if present.")
    private List<Path> load = new ArrayList<>();

    @Option(names = "--verbose", paramLabel = "N",
            description = "dyndbg verbose level 0-4 (1 module add/rm, 2 control summary, 3 parsing, 4 per-site changes).")
    private Integer verbose;

    @Option(names = "--state-file", paramLabel = "FILE", description = "Where flag changes are kept. Default: /var/lib/dyndbgd/state.")
    private Path stateFile;

    @Option(names = "--allow-other", negatable = true, paramLabel = "BOOL",
            description = "Let other users read the mount (default: yes).")
    private Boolean allowOther;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Unix socket where programs register and dyndbgctl connects. Default: /run/dyndbgd/dyndbgd.sock.")
    private Path socket;
    @Option(names = "--codec", paramLabel = "NAME",
            description = "How call-site bodies are compressed in the pool: zstd (default, with a dictionary trained on the loaded sites), lz4, lz4hc, none.")
    private String codec;

    @Option(names = "--source-root", paramLabel = "PREFIX", defaultValue = "",
            description = "Path prefix trimmed from file names (the kernel's trim_prefix); default none.")
    private String sourceRoot;

    @Option(names = "--exec", paramLabel = "QUERIES", description = "One-shot: one write to control; repeatable.")
    private List<String> exec = new ArrayList<>();

    @Option(names = "--cat", description = "One-shot: print control after the writes.")
    private boolean cat;

    @Option(names = "--detach-stale", description = "Detach a stale mount (left by a crash) at the mount point and exit.")
    private boolean detachStale;

    @Override
    public Integer call() throws IOException, ConfigException {
        SourcePaths.setSourceRoot(sourceRoot);
        DaemonConfig cfg = effectiveConfig();
        if (!DaemonConfig.CODECS.contains(cfg.codec())) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--codec must be one of " + String.join(", ", DaemonConfig.CODECS));
        }
        if (detachStale) {
            return detachStale(cfg.mountPoint());
        }
        if (cat || !exec.isEmpty()) {
            return oneShot(cfg);
        }
        return new MountedService(cfg).run();
    }

    /** The config file (if any), then the command line on top. */
    DaemonConfig effectiveConfig() throws ConfigException {
        DaemonConfig cfg = DaemonConfig.defaults();
        Path file = config != null ? config : (Files.exists(DaemonConfig.DEFAULT_FILE) ? DaemonConfig.DEFAULT_FILE : null);
        if (file != null) {
            cfg = ConfigFile.read(file, cfg);
        }
        return new DaemonConfig(mount != null ? mount : cfg.mountPoint(), load.isEmpty() ? cfg.loadPaths() : load,
                allowOther != null ? allowOther : cfg.allowOther(), cfg.defaultPermissions(),
                verbose != null ? checkVerbose(verbose) : cfg.verbose(), stateFile != null ? stateFile : cfg.stateFile(),
                cfg.bootQueries(), cfg.moduleQueries(), codec != null ? codec : cfg.codec(), cfg.dictionarySize(),
                cfg.memoryBudget(), cfg.blockSites(), socket != null ? socket : cfg.socket());
    }

    private int checkVerbose(int v) {
        if (v < 0 || v > DyndbgLog.MAX_VERBOSE) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--verbose must be 0.." + DyndbgLog.MAX_VERBOSE);
        }
        return v;
    }

    private int oneShot(DaemonConfig cfg) throws IOException {
        Daemon daemon = Daemon.start(cfg, null);
        int status = 0;
        for (String batch : exec) {
            BatchResult r = daemon.engine().write(batch);
            if (r.status() != BatchResult.Status.OK) {
                System.err.println("dyndbgd: write error: "
                        + (r.status() == BatchResult.Status.E2BIG ? "Argument list too long" : "Invalid argument"));
                status = 1;
            }
        }
        if (cat) {
            try (ControlStream in = new ControlStream(daemon.registry())) {
                in.transferTo(System.out);
            }
            System.out.flush();
        }
        return status;
    }

    private static int detachStale(Path mountPoint) throws IOException {
        MountPointState state = MountPointState.of(mountPoint);
        if (state == MountPointState.STALE) {
            boolean gone = FuseMount.detach(mountPoint);
            System.err.println("dyndbgd: " + (gone ? "detached stale mount at " : "could not detach stale mount at ") + mountPoint);
            return gone ? 0 : 1;
        }
        return 0;
    }

    public static void main(String[] args) {
        Logging.configure();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Expected failures (bad config, mount refused) get one clear line, not a stack trace.
            cmd.getErr().println("dyndbgd: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof ConfigException ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }

}
