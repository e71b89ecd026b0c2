package dev.dyndbgd.program;

import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import dev.dyndbgd.load.ModuleLoader;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dyndbgctl}'s requests: load module files (insmod), unload a module loaded from a file
 * (rmmod), list the modules with their site counts and owners (lsmod). Loading and unloading change
 * what everyone sees, so only root or the daemon's own user may do them; anyone may list.
 */
public final class AdminRequests {
    private final TableRegistry registry;
    private final ProgramModules programs;
    private final DyndbgLog log;
    private final String selfModule;

    public AdminRequests(TableRegistry registry, ProgramModules programs, DyndbgLog log, String selfModule) {
        this.registry = registry;
        this.programs = programs;
        this.log = log;
        this.selfModule = selfModule;
    }

    public Reply.Result handle(Request request, PeerCredentials peer) {
        if (request instanceof Request.ListModules) {
            return new Reply.Result(0, list());
        }
        if (!peer.mayAdminister()) {
            log.warn("refused " + describe(request) + " from " + peer + ": only root or the daemon's user may change modules");
            return new Reply.Result(Protocol.EPERM, "only root or the daemon's user may load and unload modules");
        }
        if (request instanceof Request.Load load) {
            List<Path> paths = new ArrayList<>();
            int unrepresentable = 0;
            for (String p : load.paths()) {
                try {
                    paths.add(Path.of(p));
                } catch (InvalidPathException e) {
                    // Bytes the daemon's file-name encoding cannot hold (any byte above 0x7f when it runs
                    // in the POSIX locale, as a service without LANG does) name no file it could open:
                    // that path is rejected like a missing one, and the rest go on.
                    log.error("cannot read " + p + ": not a file name in this daemon's encoding ("
                            + System.getProperty("sun.jnu.encoding") + ")");
                    unrepresentable++;
                }
            }
            ModuleLoader.Summary loaded = new ModuleLoader(registry, log).load(paths);
            ModuleLoader.Summary s = new ModuleLoader.Summary(loaded.files(), loaded.modules(), loaded.sites(),
                    loaded.rejected() + unrepresentable, loaded.withoutSites(), loaded.nanos());
            log.info(peer + " loaded: " + s.describe());
            int errno = s.rejected() > 0 ? (s.modules() > 0 ? 0 : Protocol.EINVAL) : 0;
            return new Reply.Result(errno, s.describe() + "\n");
        }
        if (request instanceof Request.Unload unload) {
            return unload(unload.module(), peer);
        }
        return new Reply.Result(Protocol.EPROTO, "not an administrative request");
    }

    private Reply.Result unload(String name, PeerCredentials peer) {
        ModuleTable table = registry.find(name).orElse(null);
        if (table == null) {
            return new Reply.Result(Protocol.ENOENT, "module " + name + " is not loaded\n");
        }
        if (programs.holding(table).isPresent() || name.equals(selfModule)) {
            log.warn("refused to unload " + name + " for " + peer + ": held by " + ProgramModules.holderOf(table));
            return new Reply.Result(Protocol.EBUSY, "module " + name + " is held by " + ProgramModules.holderOf(table)
                    + "; it goes when its program exits\n");
        }
        registry.remove(table);
        log.info(peer + " unloaded module " + name + " (" + table.size() + " call sites)");
        return new Reply.Result(0, "unloaded " + name + " (" + table.size() + " call sites)\n");
    }

    /** Like lsmod: one line per table, in add order. */
    String list() {
        List<ModuleTable> tables = registry.tables();
        int width = "Module".length();
        for (ModuleTable t : tables) {
            width = Math.max(width, t.name().length());
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-" + width + "s %7s  %s%n", "Module", "Sites", "Owner"));
        for (ModuleTable t : tables) {
            out.append(String.format("%-" + width + "s %7d  %s%n", t.name(), t.size(), ProgramModules.holderOf(t)));
        }
        return out.toString();
    }

    private static String describe(Request r) {
        if (r instanceof Request.Load l) {
            return "load of " + l.paths().size() + " path(s)";
        }
        if (r instanceof Request.Unload u) {
            return "unload of " + u.module();
        }
        return "request";
    }
}
