package dev.dyndbgd.client;

import dev.dyndbgd.client.scan.ScannedSite;
import dev.dyndbgd.client.scan.SiteScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A module of debug statements: the program-side half of a dyndbgd table.
 *
 * <p>{@link #module(String)} returns the module of that name, creating it on first use: the classes
 * of the caller's jar (or classes directory) are scanned for the module's statements, which become
 * its call-site table, and a background thread registers the table with the daemon, maps the flags
 * the daemon shares and keeps that registration alive: when the daemon is absent or restarts, every
 * statement reads as off and the thread reconnects and registers again on its own.
 *
 * <p>The scan runs on a background thread too, so a program's start does not wait for it (a big
 * jar takes 0.1-0.2 s to read). Statements declared before it finishes read a zero byte until it
 * does; they could not have been enabled any earlier, since nothing is registered before the scan.
 *
 * <p>{@link #inProcess(String)} makes a module that does not connect; whoever hosts the flags (the
 * daemon itself, for its own statements) reads {@link #table()} and hands them over with
 * {@link #attach(ByteBuffer)}.
 */
public final class DynamicDebug {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicDebug.class);
    private static final Map<String, DynamicDebug> MODULES = new ConcurrentHashMap<>();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    /** Scans of code sources, started once each: a jar declaring several modules is read once. */
    private static final Map<Path, CompletableFuture<List<ScannedSite>>> SCANS = new ConcurrentHashMap<>();
    /** The byte statements read while unbound or not found by the scan: always zero, never freed. */
    private static final ByteBuffer NOWHERE = ByteBuffer.allocateDirect(1).asReadOnlyBuffer();

    private final String name;
    /** The statements found for this module, in table (flags byte) order; completes when the scan does. */
    private final CompletableFuture<List<ScannedSite>> table;
    /** Indexes into the table not yet claimed by a {@link DebugSite}, by declaring class and format. */
    private final Map<String, ArrayDeque<Integer>> unclaimed = new HashMap<>();
    /** Statements bound to a table index: the ones an attach re-points. */
    private final List<DebugSite> sites = new ArrayList<>();
    /** Statements made before the scan finished, with their declaring class, in creation order. */
    private final List<Map.Entry<String, DebugSite>> pending = new ArrayList<>();
    /** What bound statements read while no daemon flags are attached: all zero. */
    private ByteBuffer off = NOWHERE;
    private ByteBuffer flags = NOWHERE;
    /** Set (under this object's lock) when the scan's result has been indexed and pending sites bound. */
    private boolean scanned;
    /**
     * Every buffer ever attached: statements read them by address, so none may be unmapped while a
     * thread might still be reading it. A reconnect adds one page; programs reconnect rarely.
     */
    private final Set<ByteBuffer> keptAlive = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile Connector connector;

    private DynamicDebug(String name, Class<?> caller) {
        this.name = name;
        this.table = scanOf(caller).handle((all, failure) -> {
            if (failure != null) {
                LOG.warn("dyndbg: cannot scan the classes of {} for module {}: {}; its statements stay off",
                        caller.getName(), name, failure.toString());
                return List.of();
            }
            List<ScannedSite> mine = new ArrayList<>();
            for (ScannedSite s : all) {
                if (s.module().equals(name)) {
                    mine.add(s);
                }
            }
            // The daemon lists a table from its last site to its first; keep the last line first so
            // that control reads top to bottom.
            Collections.reverse(mine);
            bindAll(mine);
            return List.copyOf(mine);
        });
    }

    private static CompletableFuture<List<ScannedSite>> scanOf(Class<?> caller) {
        Path source;
        try {
            source = Path.of(caller.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return SCANS.computeIfAbsent(source, s -> {
            CompletableFuture<List<ScannedSite>> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(SiteScanner.scanCodeSource(s));
                } catch (Exception | Error e) {
                    f.completeExceptionally(e);
                }
            }, "dyndbg-scan");
            t.setDaemon(true);
            t.start();
            return f;
        });
    }

    private static String key(String declaringClass, String format) {
        return declaringClass + '\0' + format;
    }

    /** The module {@code name}, registered with the daemon in the background. */
    public static DynamicDebug module(String name) {
        Class<?> caller = WALKER.getCallerClass();
        return MODULES.computeIfAbsent(name, n -> {
            DynamicDebug m = new DynamicDebug(n, caller);
            m.connector = Connector.start(m, Connector.socketPath());
            return m;
        });
    }

    /** The module {@code name}, whose flags are attached in this process (see {@link #attach}). */
    public static DynamicDebug inProcess(String name) {
        Class<?> caller = WALKER.getCallerClass();
        return MODULES.computeIfAbsent(name, n -> new DynamicDebug(n, caller));
    }

    /** A debug statement of this module with a {@link String#format} format (see {@link DebugSite}). */
    public DebugSite site(String format) {
        return siteOf(WALKER.getCallerClass(), format, null);
    }

    /** A statement in class {@code className} (selected by {@code class NAME} queries). */
    public DebugSite site(String format, String className) {
        return siteOf(WALKER.getCallerClass(), format, className);
    }

    private synchronized DebugSite siteOf(Class<?> caller, String format, String className) {
        DebugSite site = new DebugSite(this, format, className, NOWHERE);
        if (scanned) {
            bind(caller.getName(), site);
        } else {
            pending.add(Map.entry(caller.getName(), site));
        }
        return site;
    }

    /** The scan is in: index the table and bind the statements made so far. */
    private synchronized void bindAll(List<ScannedSite> found) {
        for (int i = 0; i < found.size(); i++) {
            ScannedSite s = found.get(i);
            unclaimed.computeIfAbsent(key(s.declaringClass(), s.format()), k -> new ArrayDeque<>()).add(i);
        }
        off = ByteBuffer.allocateDirect(Math.max(1, found.size())).asReadOnlyBuffer();
        keptAlive.add(off);
        flags = off;
        for (Map.Entry<String, DebugSite> p : pending) {
            bind(p.getKey(), p.getValue());
        }
        pending.clear();
        scanned = true;
    }

    private void bind(String declaringClass, DebugSite site) {
        ArrayDeque<Integer> free = unclaimed.get(key(declaringClass, site.format()));
        Integer index = free == null ? null : free.poll();
        if (index == null) {
            // Not found by the scan (made outside a static initialiser, or the format is not a
            // literal): it can never be enabled, so it keeps reading the zero byte.
            LOG.debug("dyndbg: statement \"{}\" of {} was not found in the compiled classes; it stays off",
                    site.format(), declaringClass);
            return;
        }
        site.bind(index, flags);
        sites.add(site);
    }

    public String name() {
        return name;
    }

    /** The statements this module registers, in flags-byte order (waits for the scan to finish). */
    public List<ScannedSite> table() {
        return table.join();
    }

    /** Whether daemon flags are attached now. */
    public synchronized boolean attached() {
        return flags != off;
    }

    /**
     * Makes every statement read {@code shared} (byte i = site i's flags, at least {@code table().size()}
     * bytes). Called when a registration succeeds; an in-process host calls it directly.
     */
    public void attach(ByteBuffer shared) {
        int size = table().size();
        if (!shared.isDirect()) {
            throw new IllegalArgumentException("shared flags must be a mapping or a direct buffer");
        }
        if (shared.capacity() < size) {
            throw new IllegalArgumentException("flags of " + shared.capacity() + " bytes for " + size + " sites");
        }
        synchronized (this) {
            keptAlive.add(shared);
            flags = shared;
            for (DebugSite s : sites) {
                s.useFlags(shared);
            }
        }
    }

    /** Every statement reads as off again (the daemon went away). */
    public synchronized void detach() {
        if (flags != off) {
            attach(off);
        }
    }

    void emit(DebugSite site, int flagBits, Object[] args) {
        ScannedSite where = table().get(site.index());
        String message = args.length == 0 ? site.format() : String.format(site.format(), args);
        DebugOutput.print(name, where.function(), where.file(), where.line(), flagBits, message);
    }

    /** Stops the background registration (tests, and programs that want to leave early). */
    public void disconnect() {
        Connector c = connector;
        if (c != null) {
            c.stop();
        }
    }
}
