package dev.dyndbgd.selfdebug;

import dev.dyndbgd.query.SourcePaths;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.table.ModuleTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The daemon's own {@code pr_debug}: each {@code DBG.printf("format", args)} in the daemon's code is a
 * call site of module {@value SelfSites#MODULE}, listed in {@code control} with its real source file,
 * method and line (found by {@link SelfSites} in the bytecode), and printed to the log only while its
 * {@code p} flag is set, with the kernel's prefix decorations.
 *
 * <p>Declare one per class: {@code private static final SelfDebug DBG = SelfDebug.forClass(Foo.class);}
 * and pass the format as a string literal, so the scanner can see it.
 */
public final class SelfDebug {
    private static final Logger OUT = LoggerFactory.getLogger("dyndbgd");
    private static final List<Consumer<String>> LISTENERS = new CopyOnWriteArrayList<>();

    private final Class<?> owner;
    /** Set once the module is registered: format literal -> site index in that table. */
    private volatile Binding binding;

    record Binding(ModuleTable table, Map<String, Integer> sites) {
    }

    private SelfDebug(Class<?> owner) {
        this.owner = owner;
    }

    public static SelfDebug forClass(Class<?> owner) {
        return SelfSites.instanceFor(owner, () -> new SelfDebug(owner));
    }

    Class<?> owner() {
        return owner;
    }

    void bind(Binding b) {
        this.binding = b;
    }

    /** Whether the site with this format literal is enabled (its {@code p} flag is set). */
    public boolean enabled(String format) {
        Binding b = binding;
        if (b == null || !b.table().isLive()) {
            return false;
        }
        Integer index = b.sites().get(format);
        return index != null && (b.table().flags(index) & Flags.PRINT) != 0;
    }

    /** Prints through the log when this call site is enabled; otherwise costs one map lookup. */
    public void printf(String format, Object... args) {
        Binding b = binding;
        if (b == null || !b.table().isLive()) {
            return;
        }
        Integer index = b.sites().get(format);
        if (index == null) {
            return;
        }
        int flags = b.table().flags(index);
        if ((flags & Flags.PRINT) == 0) {
            return;
        }
        StringBuilder line = new StringBuilder();
        DecorationPrefix.append(line, flags, b.table(), index);
        String message = args.length == 0 ? format : String.format(format, args);
        // Formats end in \n like the kernel's; the logger adds its own line end.
        int end = message.length();
        while (end > 0 && message.charAt(end - 1) == '\n') {
            end--;
        }
        line.append(message, 0, end);
        String text = line.toString();
        OUT.info(text);
        for (Consumer<String> l : LISTENERS) {
            l.accept(text);
        }
    }

    /** Observes every printed debug line (tests, and later the mount's log view); returns a remover. */
    public static Runnable addListener(Consumer<String> listener) {
        LISTENERS.add(listener);
        return () -> LISTENERS.remove(listener);
    }

    /** The kernel's {@code __dynamic_emit_prefix}: t, m, f, s, l in that order, then one space. */
    static final class DecorationPrefix {
        private DecorationPrefix() {
        }

        static void append(StringBuilder out, int flags, ModuleTable table, int index) {
            if ((flags & Flags.INCL_TID) != 0) {
                out.append('[').append(Thread.currentThread().getId()).append("] ");
            }
            int before = out.length();
            if ((flags & (Flags.INCL_MODNAME | Flags.INCL_FUNCNAME | Flags.INCL_SOURCENAME | Flags.INCL_LINENO)) == 0) {
                return;
            }
            var body = table.body(index);
            if ((flags & Flags.INCL_MODNAME) != 0) {
                out.append(table.name()).append(':');
            }
            if ((flags & Flags.INCL_FUNCNAME) != 0) {
                out.append(body.function()).append(':');
            }
            if ((flags & Flags.INCL_SOURCENAME) != 0) {
                out.append(SourcePaths.trim(body.file())).append(':');
            }
            if ((flags & Flags.INCL_LINENO) != 0) {
                out.append(body.line()).append(':');
            }
            if (out.length() > before) {
                out.append(' ');
            }
        }
    }
}
