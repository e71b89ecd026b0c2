package dev.dyndbgd.client;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where enabled statements print: through SLF4J (logger {@code dyndbg.MODULE}, level INFO) when the
 * program has an SLF4J provider, else to standard error, one line per statement. Each line carries
 * the decorations its flags ask for, in the kernel's order and spelling ({@code __dynamic_emit_prefix}):
 * {@code [tid] } then {@code module:function:file:line: } for m, f, s, l.
 */
public final class DebugOutput {
    private static final boolean TO_STDERR = noProvider();
    private static final List<Consumer<String>> LISTENERS = new CopyOnWriteArrayList<>();

    private DebugOutput() {
    }

    private static boolean noProvider() {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        return f instanceof NOPLoggerFactory;
    }

    /** Observes every printed line (tests; a program mirroring its debug output); returns a remover. */
    public static Runnable addListener(Consumer<String> listener) {
        LISTENERS.add(listener);
        return () -> LISTENERS.remove(listener);
    }

    static void print(String module, String function, String file, int line, int flags, String message) {
        StringBuilder out = new StringBuilder(64 + message.length());
        appendPrefix(out, flags, module, function, file, line);
        // Formats end in \n like the kernel's; a logger adds its own line end.
        int end = message.length();
        while (end > 0 && message.charAt(end - 1) == '\n') {
            end--;
        }
        out.append(message, 0, end);
        String text = out.toString();
        if (TO_STDERR) {
            System.err.println(text);
        } else {
            Logger log = LoggerFactory.getLogger("dyndbg." + module);
            log.info(text);
        }
        for (Consumer<String> l : LISTENERS) {
            l.accept(text);
        }
    }

    static void appendPrefix(StringBuilder out, int flags, String module, String function, String file, int line) {
        if ((flags & Flags.THREAD) != 0) {
            out.append('[').append(Thread.currentThread().getId()).append("] ");
        }
        int before = out.length();
        if ((flags & Flags.MODULE) != 0) {
            out.append(module).append(':');
        }
        if ((flags & Flags.FUNCTION) != 0) {
            out.append(function).append(':');
        }
        if ((flags & Flags.SOURCE) != 0) {
            out.append(file).append(':');
        }
        if ((flags & Flags.LINE) != 0) {
            out.append(line).append(':');
        }
        if (out.length() > before) {
            out.append(' ');
        }
    }
}
