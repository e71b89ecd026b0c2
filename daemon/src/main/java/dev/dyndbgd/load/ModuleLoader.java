package dev.dyndbgd.load;

import dev.dyndbgd.elf.KernelModuleReader;
import dev.dyndbgd.elf.MalformedModuleException;
import dev.dyndbgd.elf.ModuleFileFinder;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.selfdebug.SelfModule;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.table.TableRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads kernel-module files into the registry: the insmod of this world. Paths are files or
 * directories (walked, files in byte order of their full paths); files are parsed in parallel but
 * added strictly in that order, so {@code control} lists them the same way on every run. A bad file
 * is reported with its reason and skipped; the others load.
 */
public final class ModuleLoader {
    private static final DebugSite LOADED = SelfModule.DEBUG.site("loaded %s as %s: %d sites\n");

    private final TableRegistry registry;
    private final DyndbgLog log;
    private final int threads;

    /** What one load did. */
    public record Summary(int files, int modules, int sites, int rejected, int withoutSites, long nanos) {
        public String describe() {
            return String.format("%d prdebugs in %d modules, %d KiB in heads, from %d files (%d without call sites, %d rejected) in %d ms",
                    sites, modules, (sites * 2L + 1023) / 1024, files, withoutSites, rejected, nanos / 1_000_000);
        }
    }

    public ModuleLoader(TableRegistry registry, DyndbgLog log) {
        this(registry, log, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public ModuleLoader(TableRegistry registry, DyndbgLog log, int threads) {
        this.registry = registry;
        this.log = log;
        this.threads = threads;
    }

    /** The default load when none is given: the running kernel's modules, if this machine has them. */
    public static List<Path> defaultPaths() {
        String release = System.getProperty("os.version");
        Path tree = Path.of("/lib/modules", release);
        return java.nio.file.Files.isDirectory(tree) ? List.of(tree) : List.of();
    }

    public Summary load(List<Path> paths) {
        long start = System.nanoTime();
        List<Path> files = new ArrayList<>();
        // What a table says it came from: the file named, or the tree it was found in. One string
        // shared by every module of a tree, not a path each: like lsmod, the daemon need not keep
        // where each module file was (the log says, as each loads), and a path a table is a tenth
        // of what the whole table keeps.
        List<String> origins = new ArrayList<>();
        int rejected = 0;
        for (Path p : paths) {
            try {
                String tree = "module files under " + p;
                for (Path f : ModuleFileFinder.find(p)) {
                    files.add(f);
                    origins.add(f.equals(p) ? f.toString() : tree);
                }
            } catch (IOException e) {
                log.error("cannot read " + p + ": " + reason(e));
                rejected++;
            }
        }
        int modules = 0;
        int sites = 0;
        int withoutSites = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "module-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            // Read ahead in parallel, add in order: the window bounds memory to a few files in flight.
            int window = threads * 8;
            List<Future<ModuleImage>> inFlight = new ArrayList<>();
            int next = 0;
            for (int i = 0; i < files.size(); i++) {
                while (next < files.size() && next < i + window) {
                    Path f = files.get(next++);
                    inFlight.add(pool.submit(() -> KernelModuleReader.read(f)));
                }
                Future<ModuleImage> future = inFlight.set(i, null);
                try {
                    ModuleImage image = future.get();
                    if (image.sites().isEmpty()) {
                        withoutSites++;
                        continue;
                    }
                    if (registry.find(image.name()).isPresent()) {
                        // As insmod: one module of a name at a time (EEXIST).
                        rejected++;
                        log.error("rejected " + files.get(i) + ": module " + image.name() + " is already loaded");
                        continue;
                    }
                    registry.add(image.withOrigin(origins.get(i)));
                    modules++;
                    sites += image.sites().size();
                    LOADED.printf(files.get(i), image.name(), image.sites().size());
                } catch (ExecutionException e) {
                    rejected++;
                    log.error("rejected " + files.get(i) + ": " + reason(e.getCause()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
        return new Summary(files.size(), modules, sites, rejected, withoutSites, System.nanoTime() - start);
    }

    private static String reason(Throwable t) {
        if (t instanceof MalformedModuleException m) {
            return m.reason();
        }
        if (t instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
