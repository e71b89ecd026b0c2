package dev.dyndbgd.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The daemon's equivalent of the kernel's {@code pr_err}/{@code pr_warn}/{@code vpr_info} family for
 * dynamic debug: every message carries the kernel's {@code dyndbg: } prefix, errors are always logged,
 * and informational messages only at or above their {@code verbose} level (0 off, 1 module add/rm,
 * 2 control summary, 3 parsing, 4 per-site changes), which can change at run time.
 *
 * <p>Listeners see exactly the lines logged (with the prefix), which lets tests and the mount's log
 * view observe what a user would read in the journal.
 */
public final class DyndbgLog {
    public static final String PREFIX = "dyndbg: ";
    public static final int MAX_VERBOSE = 4;

    public enum Level { ERROR, WARN, INFO }

    private final Logger logger = LoggerFactory.getLogger("dyndbg");
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile int verbose;

    /** Receives each logged line. */
    @FunctionalInterface
    public interface Listener {
        void logged(Level level, String line);
    }

    public DyndbgLog(int verbose) {
        setVerbose(verbose);
    }

    public int verbose() {
        return verbose;
    }

    public void setVerbose(int level) {
        if (level < 0 || level > MAX_VERBOSE) {
            throw new IllegalArgumentException("verbose must be 0.." + MAX_VERBOSE + ", not " + level);
        }
        this.verbose = level;
    }

    public boolean enabled(int level) {
        return verbose >= level;
    }

    public void error(String message) {
        emit(Level.ERROR, message);
    }

    public void warn(String message) {
        emit(Level.WARN, message);
    }

    public void info(String message) {
        emit(Level.INFO, message);
    }

    /** An informational message shown only at {@code verbose >= level}. */
    public void verbose(int level, String message) {
        if (verbose >= level) {
            emit(Level.INFO, message);
        }
    }

    /** Adds a listener; returns a handle whose {@code run()} removes it. */
    public Runnable addListener(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Convenience for tests and tools: every line, whatever its level. */
    public Runnable addLineListener(Consumer<String> lines) {
        return addListener((level, line) -> lines.accept(line));
    }

    private void emit(Level level, String message) {
        String line = PREFIX + message;
        switch (level) {
            case ERROR -> logger.error(line);
            case WARN -> logger.warn(line);
            default -> logger.info(line);
        }
        for (Listener l : listeners) {
            l.logged(level, line);
        }
    }
}
