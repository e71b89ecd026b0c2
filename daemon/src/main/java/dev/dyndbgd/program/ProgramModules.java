package dev.dyndbgd.program;

import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The modules that running programs hold. A registration becomes a table like a kernel module's
 * (configured {@code foo.dyndbg} queries and saved state apply as it is added) whose flags are
 * mirrored into {@link SharedFlags} the program maps. A name belongs to one holder at a time: a
 * program cannot take a name another program, a module file or the daemon holds. When the program's
 * connection closes, its table is removed; the saved state keeps its flags for the next run.
 */
public final class ProgramModules {
    private final TableRegistry registry;
    private final DyndbgLog log;
    private final Path flagsDir;
    private final AtomicLong serial = new AtomicLong();
    private final Map<ModuleTable, Registration> held = new ConcurrentHashMap<>();

    /** One live registration: the program, its table and its flags file. */
    public record Registration(String module, PeerCredentials peer, ModuleTable table, SharedFlags flags) {
    }

    public ProgramModules(TableRegistry registry, DyndbgLog log, Path flagsDir) throws IOException {
        this.registry = registry;
        this.log = log;
        this.flagsDir = flagsDir;
        Files.createDirectories(flagsDir);
        Files.setPosixFilePermissions(flagsDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        // Files left by a daemon that died belong to no one now.
        try (var old = Files.list(flagsDir)) {
            for (Path p : old.toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Adds the program's module; fails with the errno to answer, leaving nothing behind. */
    public Registration register(Register request, PeerCredentials peer) throws ProtocolException {
        String name = request.module();
        Optional<ModuleTable> existing = registry.find(name);
        if (existing.isPresent()) {
            throw new ProtocolException(Protocol.EEXIST, "module " + name + " is already held by " + holderOf(existing.get()));
        }
        String comm = peer.command();
        ModuleImage image = imageOf(request).withOrigin("program " + peer + (comm.isEmpty() ? "" : " (" + comm + ")"));
        Path file = flagsDir.resolve(name + "." + serial.incrementAndGet());
        SharedFlags flags;
        try {
            flags = SharedFlags.create(file, image.sites().size());
        } catch (IOException e) {
            throw new ProtocolException(Protocol.EMFILE, "cannot create shared flags " + file + ": " + e.getMessage());
        }
        ModuleTable table;
        try {
            table = registry.add(image, flags).orElseThrow();
        } catch (RuntimeException e) {
            flags.close();
            throw e;
        }
        Registration r = new Registration(name, peer, table, flags);
        held.put(table, r);
        log.verbose(1, "program " + peer + " registered module " + name + " with " + table.size() + " call sites");
        return r;
    }

    /** The program is gone: its table goes, its flags file goes, its saved flags stay. */
    public void release(Registration r) {
        held.remove(r.table());
        registry.remove(r.table());
        r.flags().close();
        log.verbose(1, "program " + r.peer() + " left: removed module " + r.module());
    }

    /** The registration holding this table, if a program holds it. */
    public Optional<Registration> holding(ModuleTable table) {
        return Optional.ofNullable(held.get(table));
    }

    /** Who holds a table, in words. */
    public static String holderOf(ModuleTable table) {
        return table.origin().isEmpty() ? "another source" : table.origin();
    }

    public int count() {
        return held.size();
    }

    private static ModuleImage imageOf(Register request) {
        List<SiteRecord> sites = new ArrayList<>(request.sites().size());
        for (Register.Site s : request.sites()) {
            sites.add(new SiteRecord(s.file(), s.function(), s.format(), s.line(), s.classIndex(), 0));
        }
        List<ClassMap> maps = request.classNames().isEmpty() ? List.of()
                : List.of(new ClassMap(request.module(), request.classNames(), 0, ClassMap.Type.DISJOINT_NAMES));
        return new ModuleImage(request.module(), sites, maps);
    }
}
