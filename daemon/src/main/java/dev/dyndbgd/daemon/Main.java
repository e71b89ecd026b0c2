package dev.dyndbgd.daemon;

import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.BatchResult;
import dev.dyndbgd.query.SourcePaths;
import dev.dyndbgd.table.HeapBodyStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dyndbgd}: load call sites, run control writes, show control. */
@Command(name = "dyndbgd", mixinStandardHelpOptions = true, version = "dyndbgd 0.1.0",
        description = {"Userspace dynamic debug: call-site tables driven by the kernel's control language.",
                "Loads kernel modules (.ko, .ko.xz, .ko.zst, .ko.gz), applies each --exec as one write to control,",
                "and with --cat prints control as the kernel would."})
public final class Main implements Callable<Integer> {
    @Option(names = "--load", paramLabel = "PATH",
            description = "Module file or directory (walked recursively); repeatable. Default: /lib/modules/$(uname -r) if present.")
    private List<Path> load = new ArrayList<>();

    @Option(names = "--verbose", paramLabel = "N", defaultValue = "0",
            description = "dyndbg verbose level 0-4 (1 module add/rm, 2 control summary, 3 parsing, 4 per-site changes).")
    private int verbose;

    @Option(names = "--exec", paramLabel = "QUERIES", description = "One write to control (queries split on ';' or newline); repeatable.")
    private List<String> exec = new ArrayList<>();

    @Option(names = "--cat", description = "Print control to standard output after the writes.")
    private boolean cat;

    @Option(names = "--source-root", paramLabel = "PREFIX", defaultValue = "",
            description = "Path prefix trimmed from file names (the kernel's trim_prefix); default none.")
    private String sourceRoot;

    @Override
    public Integer call() throws IOException {
        if (verbose < 0 || verbose > DyndbgLog.MAX_VERBOSE) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--verbose must be 0.." + DyndbgLog.MAX_VERBOSE);
        }
        SourcePaths.setSourceRoot(sourceRoot);
        Daemon daemon = new Daemon(new DyndbgLog(verbose), HeapBodyStore.factory());
        daemon.load(load.isEmpty() ? dev.dyndbgd.load.ModuleLoader.defaultPaths() : load);
        int status = 0;
        for (String batch : exec) {
            BatchResult r = daemon.engine().write(batch);
            switch (r.status()) {
                case EINVAL -> {
                    System.err.println("dyndbgd: write error: Invalid argument");
                    status = 1;
                }
                case E2BIG -> {
                    System.err.println("dyndbgd: write error: Argument list too long");
                    status = 1;
                }
                default -> {
                }
            }
        }
        if (cat) {
            OutputStream out = System.out;
            try (ControlStream in = new ControlStream(daemon.registry())) {
                in.transferTo(out);
            }
            out.flush();
        }
        return status;
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.logFile", System.getProperty("org.slf4j.simpleLogger.logFile", "System.err"));
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }

    static {
        // Keep the journal/console line short: level, logger name and message, like a kernel log line.
        System.setProperty("org.slf4j.simpleLogger.showThreadName", System.getProperty("org.slf4j.simpleLogger.showThreadName", "false"));
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        System.setProperty("org.slf4j.simpleLogger.showLogName", System.getProperty("org.slf4j.simpleLogger.showLogName", "false"));
    }

}
