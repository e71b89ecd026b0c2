package dev.dyndbgd.daemon;

import dev.dyndbgd.load.ModuleLoader;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.selfdebug.SelfDebug;
import dev.dyndbgd.selfdebug.SelfSites;
import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.TableRegistry;

import java.nio.file.Path;
import java.util.List;

/**
 * The daemon's core, wired: the registry of tables, the query engine over it, the module loader, and
 * the daemon's own debug statements as module {@value SelfSites#MODULE}. Front ends (the command line,
 * the FUSE mount) drive it.
 */
public final class Daemon {
    private static final SelfDebug DBG = SelfDebug.forClass(Daemon.class);

    private final DyndbgLog log;
    private final TableRegistry registry;
    private final QueryEngine engine;

    public Daemon(DyndbgLog log, BodyStore.Factory bodies) {
        this.log = log;
        this.registry = new TableRegistry(bodies, log);
        this.engine = new QueryEngine(registry, log);
        SelfSites.register(registry);
        DBG.printf("registered own call sites: %d\n", registry.siteCount());
    }

    /** Loads module files and logs the summary line. */
    public ModuleLoader.Summary load(List<Path> paths) {
        ModuleLoader.Summary s = new ModuleLoader(registry, log).load(paths);
        log.info(s.describe());
        return s;
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
