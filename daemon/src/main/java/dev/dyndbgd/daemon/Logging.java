package dev.dyndbgd.daemon;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Log line layout for slf4j-simple, set before the first logger exists: {@code [LEVEL] message} on
 * standard error. Under systemd (stderr connected to the journal, {@code JOURNAL_STREAM} set) each
 * line also gets the {@code <N>} priority prefix journald reads (sd-daemon(3)), so
 * {@code journalctl -p err -u dyndbgd} shows exactly the errors.
 */
final class Logging {
    private Logging() {
    }

    static void configure() {
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showLogName", "false");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        if (System.getenv("JOURNAL_STREAM") != null) {
            System.setErr(new PrintStream(new JournalPriorities(System.err), true, StandardCharsets.UTF_8));
        }
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Prefixes each complete line with its journald priority, read from the {@code [LEVEL]} tag. */
    static final class JournalPriorities extends OutputStream {
        private final OutputStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

        JournalPriorities(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                emit();
            }
            try {
                out.flush();
            } catch (java.io.IOException ignored) {
                // the journal went away; nothing else to tell it
            }
        }

        private void emit() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String priority = text.startsWith("[ERROR]") ? "<3>" : text.startsWith("[WARN]") ? "<4>"
                    : text.startsWith("[DEBUG]") || text.startsWith("[TRACE]") ? "<7>" : "<6>";
            try {
                out.write((priority + text).getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException ignored) {
                // as above
            }
        }
    }
}
