package dev.dyndbgd.table;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.ModuleImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * All call-site tables, in the order they were added (the order {@code control} lists them).
 *
 * <p>Concurrency: the list is an immutable snapshot replaced on every add/remove, so readers iterate
 * without locking. A read/write lock orders flag changes against readers that want a consistent view:
 * a query batch holds the write lock while it changes flags, and a control reader holds the read lock
 * while it renders a chunk of lines. Adding or removing a table also takes the write lock so it never
 * lands in the middle of a batch.
 */
public final class TableRegistry {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final BodyStore.Factory bodyStores;
    private final DyndbgLog log;
    private final List<Consumer<ModuleTable>> addListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile List<ModuleTable> tables = List.of();
    /** Bumped by every change a reader of control could see: flags, tables added or removed. */
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

    public TableRegistry(BodyStore.Factory bodyStores, DyndbgLog log) {
        this.bodyStores = bodyStores;
        this.log = log;
    }

    /** Called with each table right after it is added (still under the write lock, like module params). */
    public void onAdd(Consumer<ModuleTable> listener) {
        addListeners.add(listener);
    }

    /**
     * Adds a module's table at the end of the list. A module without call sites gets no table, as in
     * the kernel, and the result is empty.
     */
    public Optional<ModuleTable> add(ModuleImage image) {
        return add(image, null);
    }

    /**
     * Adds a module whose flags are also kept in {@code mirror} (written for every site before any
     * add listener runs, then on every change), so a program sees configured and restored flags.
     */
    public Optional<ModuleTable> add(ModuleImage image, FlagMirror mirror) {
        if (image.sites().isEmpty()) {
            log.verbose(3, " skip " + image.name());
            return Optional.empty();
        }
        // Build the bodies outside the lock: it is the expensive part and touches no shared state.
        BodyStore bodies = bodyStores.create(image.name(), image.sites());
        List<ClassMap> maps = image.classMaps().stream().filter(m -> m.moduleName().equals(image.name())).toList();
        lock.writeLock().lock();
        try {
            ModuleTable table = new ModuleTable(image.name(), image.origin(), image.sites(), maps, bodies, mirror);
            List<ModuleTable> next = new ArrayList<>(tables.size() + 1);
            next.addAll(tables);
            next.add(table);
            tables = List.copyOf(next);
            version.incrementAndGet();
            log.verbose(3, "add-module: " + image.name() + "." + image.sites().size() + " sites");
            if (!maps.isEmpty()) {
                log.verbose(1, "module:" + image.name() + " attached " + maps.size() + " classes");
            }
            log.verbose(1, String.format("%3d debug prints in module %s", image.sites().size(), image.name()));
            for (Consumer<ModuleTable> l : addListeners) {
                l.accept(table);
            }
            return Optional.of(table);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the first table with this name (the oldest load); returns it, or empty if none. */
    public Optional<ModuleTable> remove(String name) {
        lock.writeLock().lock();
        try {
            for (ModuleTable t : tables) {
                if (t.name().equals(name)) {
                    return Optional.of(removeLocked(t));
                }
            }
            return Optional.empty();
        } finally {
            lock.writeLock().unlock();
        }
    }


    /** Removes this very table (not another of the same name); false if it was already gone. */
    public boolean remove(ModuleTable table) {
        lock.writeLock().lock();
        try {
            if (!tables.contains(table)) {
                return false;
            }
            removeLocked(table);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The first table with this name, if any. */
    public Optional<ModuleTable> find(String name) {
        for (ModuleTable t : tables) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private ModuleTable removeLocked(ModuleTable table) {
        List<ModuleTable> next = new ArrayList<>(tables);
        next.remove(table);
        tables = List.copyOf(next);
        version.incrementAndGet();
        table.release();
        log.verbose(2, "removed module \"" + table.name() + "\"");
        return table;
    }

    /** The tables now registered, in add order. Never changes afterwards. */
    public List<ModuleTable> tables() {
        return tables;
    }

    public int siteCount() {
        int n = 0;
        for (ModuleTable t : tables) {
            n += t.size();
        }
        return n;
    }

    /** Held while changing flags: excludes readers and other writers. */
    public Lock writeLock() {
        return lock.writeLock();
    }

    /** Held while rendering lines that must not see a half-applied batch. */
    public Lock readLock() {
        return lock.readLock();
    }

    /** Changes one site's flags; caller holds {@link #writeLock()}. */
    public void setFlags(ModuleTable table, int index, int flags) {
        if (!lock.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("flags change without the write lock");
        }
        table.setFlags(index, flags);
        version.incrementAndGet();
    }

    /** Changes whenever what control shows changes; equal values mean identical control text. */
    public long version() {
        return version.get();
    }
}
