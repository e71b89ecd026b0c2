package dev.dyndbgd.daemon;

import dev.dyndbgd.body.BodyStores;
import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.config.DaemonConfig;
import dev.dyndbgd.load.ModuleLoader;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.selfdebug.SelfModule;
import dev.dyndbgd.state.StateStore;
import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The daemon's core, wired: the registry of tables, the query engine over it, the module loader, the
 * saved state and the configured queries. Front ends (the command line, the FUSE mount) drive it.
 *
 * <p>When a table is added, the same steps as a kernel module load follow, in this order: its
 * {@code foo.dyndbg} queries from the configuration, then the user's saved flags for its sites (the
 * user's latest word wins over configured defaults).
 */
public final class Daemon {
    private static final DebugSite TRAINED = SelfModule.DEBUG.site("trained a %d-byte dictionary and recompressed every block\n");
    private static final DebugSite REGISTERED_SELF = SelfModule.DEBUG.site("registered own call sites: %d\n");
    private static final DebugSite RESTORED = SelfModule.DEBUG.site("restored saved flags of %d sites in %s\n");

    private final DyndbgLog log;
    private final TableRegistry registry;
    private final QueryEngine engine;
    private volatile Map<String, List<String>> moduleQueries = Map.of();
    private volatile StateStore state;
    private PooledBodies bodies;

    public Daemon(DyndbgLog log, BodyStore.Factory bodies) {
        this.log = log;
        this.registry = new TableRegistry(bodies, log);
        this.engine = new QueryEngine(registry, log);
        registry.onAdd(this::tableAdded);
    }

    /**
     * The daemon as configured: pooled bodies with the configured codec, saved state (if given),
     * configured queries, its own sites, the first load, a dictionary trained on it, boot queries.
     */
    public static Daemon start(DaemonConfig config, StateStore state) {
        PooledBodies bodies = config.dictionarySize() > 0
                ? BodyStores.pooledUntilTrained(config.codec(), config.blockSites())
                : BodyStores.pooled(config.codec(), config.blockSites());
        Daemon daemon = new Daemon(new DyndbgLog(config.verbose()), bodies);
        daemon.bodies = bodies;
        if (state != null) {
            daemon.useState(state);
        }
        daemon.useModuleQueries(config.moduleQueries());
        // The scan that finds the daemon's own statements runs in the background while modules load;
        // its table is added after them (control lists it last, as a module loaded late would be).
        daemon.load(config.loadPaths().isEmpty() ? ModuleLoader.defaultPaths() : config.loadPaths());
        daemon.registerSelf();
        if (config.dictionarySize() > 0) {
            int dict = bodies.trainDictionary(config.dictionarySize());
            if (dict > 0) {
                TRAINED.printf(dict);
            }
        }
        bodies.releaseWorkingMemory();
        daemon.applyBootQueries(config.bootQueries());
        return daemon;
    }

    /** The pooled bodies when the daemon was made by {@link #start}; null otherwise. */
    public PooledBodies bodies() {
        return bodies;
    }

    /** Keeps control writes in {@code store} and restores them into tables as they are added. */
    public void useState(StateStore store) {
        this.state = store;
        engine.onBatch((origin, changes) -> {
            if (origin == QueryEngine.Origin.CONTROL) {
                store.record(changes);
            }
        });
    }

    /** {@code foo.dyndbg} queries: run whenever module foo is added. */
    public void useModuleQueries(Map<String, List<String>> queries) {
        this.moduleQueries = Map.copyOf(queries);
    }

    /** Adds the daemon's own debug statements as module {@value SelfModule#NAME}. */
    public ModuleTable registerSelf() {
        ModuleTable t = SelfModule.register(registry);
        REGISTERED_SELF.printf(t.size());
        return t;
    }

    /** Loads module files and logs the summary line. */
    public ModuleLoader.Summary load(List<Path> paths) {
        ModuleLoader.Summary s = new ModuleLoader(registry, log).load(paths);
        log.info(s.describe());
        return s;
    }

    /** {@code dyndbg = "..."} queries, applied once like the kernel's boot parameter. */
    public void applyBootQueries(List<String> queries) {
        for (String q : queries) {
            engine.execute(q, null, QueryEngine.Origin.CONFIG);
        }
    }

    private void tableAdded(ModuleTable table) {
        for (String q : moduleQueries.getOrDefault(table.name(), List.of())) {
            engine.execute(q, table.name(), QueryEngine.Origin.CONFIG);
        }
        StateStore s = state;
        if (s != null) {
            int restored = s.restore(table, registry);
            if (restored > 0) {
                RESTORED.printf(restored, table.name());
            }
        }
    }

    public DyndbgLog log() {
        return log;
    }

    public TableRegistry registry() {
        return registry;
    }

    public QueryEngine engine() {
        return engine;
    }
}
