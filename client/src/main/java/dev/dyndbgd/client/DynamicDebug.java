package dev.dyndbgd.client;

import dev.dyndbgd.client.scan.ScannedSite;
import dev.dyndbgd.client.scan.SiteScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>{@link #inProcess(String)} makes a module that does not connect; whoever hosts the flags (the
 * daemon itself, for its own statements) hands them over with {@link #attach(ByteBuffer)}.
 */
public final class DynamicDebug {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicDebug.class);
    private static final Map<String, DynamicDebug> MODULES = new ConcurrentHashMap<>();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final String name;
    /** The statements found for this module, in table (flags byte) order. */
    private final List<ScannedSite> table;
    /** Indexes into {@link #table} not yet claimed by a {@link DebugSite}, by declaring class and format. */
    private final Map<String, ArrayDeque<Integer>> unclaimed = new HashMap<>();
    private final List<DebugSite> sites = new ArrayList<>();
    /** What every site reads while no daemon flags are attached: all zero. */
    private final ByteBuffer off;
    private volatile ByteBuffer flags;
    /**
     * Every buffer ever attached: statements read them by address, so none may be unmapped while a
     * thread might still be reading it. A reconnect adds one page; programs reconnect rarely.
     */
    private final java.util.Set<ByteBuffer> keptAlive = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** The byte statements the scan did not find read: always zero, alive as long as the class. */
    private static final ByteBuffer NOWHERE = ByteBuffer.allocateDirect(1).asReadOnlyBuffer();
    private Connector connector;

    private DynamicDebug(String name, List<ScannedSite> table) {
        this.name = name;
        this.table = List.copyOf(table);
        for (int i = 0; i < table.size(); i++) {
            ScannedSite s = table.get(i);
            unclaimed.computeIfAbsent(key(s.declaringClass(), s.format()), k -> new ArrayDeque<>()).add(i);
        }
        this.off = ByteBuffer.allocateDirect(Math.max(1, table.size())).asReadOnlyBuffer();
        this.flags = off;
        keptAlive.add(off);
    }

    private static String key(String declaringClass, String format) {
        return declaringClass + '\0' + format;
    }

    /** The module {@code name}, registered with the daemon in the background. */
    public static DynamicDebug module(String name) {
        Class<?> caller = WALKER.getCallerClass();
        return MODULES.computeIfAbsent(name, n -> {
            DynamicDebug m = scanFor(n, caller);
            m.connector = Connector.start(m, Connector.socketPath());
            return m;
        });
    }

    /** The module {@code name}, whose flags are attached in this process (see {@link #attach}). */
    public static DynamicDebug inProcess(String name) {
        Class<?> caller = WALKER.getCallerClass();
        return MODULES.computeIfAbsent(name, n -> scanFor(n, caller));
    }

    /** Scans of code sources already read: a jar declaring several modules is read once. */
    private static final Map<Path, List<ScannedSite>> SCANS = new ConcurrentHashMap<>();

    private static DynamicDebug scanFor(String name, Class<?> caller) {
        List<ScannedSite> found = new ArrayList<>();
        try {
            Path source = Path.of(caller.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<ScannedSite> all = SCANS.get(source);
            if (all == null) {
                all = SiteScanner.scanCodeSource(source);
                SCANS.put(source, all);
            }
            for (ScannedSite s : all) {
                if (s.module().equals(name)) {
                    found.add(s);
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.warn("dyndbg: cannot scan the classes of {} for module {}: {}; its statements stay off", caller.getName(), name, e.toString());
        }
        // The daemon lists a table from its last site to its first; keep the last line first so that
        // control reads top to bottom.
        List<ScannedSite> ordered = new ArrayList<>(found);
        Collections.reverse(ordered);
        return new DynamicDebug(name, ordered);
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
        ArrayDeque<Integer> free = unclaimed.get(key(caller.getName(), format));
        Integer index = free == null ? null : free.poll();
        DebugSite site;
        if (index == null) {
            // Not found by the scan (made outside a static initialiser, or the format is not a literal):
            // it can never be enabled, so it reads a private zero byte.
            LOG.debug("dyndbg: statement \"{}\" of {} was not found in the compiled classes; it stays off", format, caller.getName());
            site = new DebugSite(this, format, className, 0, NOWHERE);
        } else {
            site = new DebugSite(this, format, className, index, flags);
            sites.add(site);
        }
        return site;
    }

    public String name() {
        return name;
    }

    /** The statements this module registers, in flags-byte order. */
    public List<ScannedSite> table() {
        return table;
    }

    /** Whether daemon flags are attached now. */
    public boolean attached() {
        return flags != off;
    }

    /**
     * Makes every statement read {@code shared} (byte i = site i's flags, at least {@code table().size()}
     * bytes). Called when a registration succeeds; an in-process host calls it directly.
     */
    public synchronized void attach(ByteBuffer shared) {
        if (!shared.isDirect()) {
            throw new IllegalArgumentException("shared flags must be a mapping or a direct buffer");
        }
        if (shared.capacity() < table.size()) {
            throw new IllegalArgumentException("flags of " + shared.capacity() + " bytes for " + table.size() + " sites");
        }
        keptAlive.add(shared);
        flags = shared;
        for (DebugSite s : sites) {
            s.useFlags(shared);
        }
    }

    /** Every statement reads as off again (the daemon went away). */
    public synchronized void detach() {
        if (flags != off) {
            attach(off);
        }
    }

    void emit(DebugSite site, int flagBits, Object[] args) {
        ScannedSite where = table.get(site.index());
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

    Connector connector() {
        return connector;
    }
}
