package dev.dyndbgd.query;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the control language against the tables: a write is cut into queries, each is tokenized,
 * parsed (flags first) and applied, as the kernel's {@code ddebug_proc_write} → {@code
 * ddebug_exec_queries} → {@code ddebug_exec_query} → {@code ddebug_change} pipeline does.
 *
 * <p>A whole batch runs under the registry's write lock, so concurrent writers are serialised and a
 * reader never sees half of a batch. A failing query changes nothing; the batch's other queries still
 * apply and the batch reports EINVAL.
 */
public final class QueryEngine {
    /** The kernel's limit: a write must be shorter than one page. */
    public static final int MAX_WRITE = 4095;

    private final TableRegistry registry;
    private final DyndbgLog log;
    private final List<BatchListener> batchListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** One site whose flags a query changed. */
    public record FlagChange(ModuleTable table, int index, int oldFlags, int newFlags) {
    }

    /** Who asked for a batch: a user writing to control, or the configuration applying its defaults. */
    public enum Origin { CONTROL, CONFIG }

    /**
     * Sees each batch's flag changes, in order, while the batch still holds the write lock, so what a
     * listener records (the saved state, shared flag bytes) is ordered exactly like the changes and is
     * done before the writer is answered.
     */
    @FunctionalInterface
    public interface BatchListener {
        void applied(Origin origin, List<FlagChange> changes);
    }

    public QueryEngine(TableRegistry registry, DyndbgLog log) {
        this.registry = registry;
        this.log = log;
    }

    public void onBatch(BatchListener listener) {
        batchListeners.add(listener);
    }

    /** A {@code write(2)} to control: raw bytes, at most {@link #MAX_WRITE}. */
    public BatchResult write(byte[] data, int length) {
        if (length == 0) {
            return new BatchResult(0, 0, 0, BatchResult.Status.OK, null);
        }
        if (length > MAX_WRITE) {
            log.warn("expected <" + (MAX_WRITE + 1) + " bytes into control");
            return new BatchResult(0, 0, 0, BatchResult.Status.E2BIG, null);
        }
        // The kernel copies the buffer NUL-terminated, so an embedded NUL ends the text silently.
        int end = 0;
        while (end < length && data[end] != 0) {
            end++;
        }
        log.verbose(2, "read " + length + " bytes from userspace");
        return execute(new String(data, 0, end, StandardCharsets.ISO_8859_1), null, Origin.CONTROL);
    }

    public BatchResult write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return write(bytes, bytes.length);
    }

    /**
     * Runs a batch of queries; {@code defaultModule} is the module of a {@code foo.dyndbg=} parameter
     * (null for control writes).
     */
    public BatchResult execute(String batch, String defaultModule, Origin origin) {
        List<String> pieces = QueryBatch.split(batch);
        List<FlagChange> changes = new ArrayList<>();
        int queries = 0;
        int matches = 0;
        int errors = 0;
        registry.writeLock().lock();
        try {
            for (String piece : pieces) {
                log.verbose(1, "query " + queries + ": \"" + piece + "\" mod:" + (defaultModule == null ? "*" : defaultModule));
                queries++;
                try {
                    matches += executeOne(piece, defaultModule, changes);
                } catch (QueryException e) {
                    errors++;
                    log.error(e.getMessage());
                    if (e.followUp() != null) {
                        log.error(e.followUp());
                    }
                }
            }
            if (!changes.isEmpty()) {
                try {
                    for (BatchListener l : batchListeners) {
                        l.applied(origin, changes);
                    }
                } catch (RuntimeException e) {
                    // A listener that must keep the batch (the saved state) could not: undo it whole,
                    // newest change first, so the tables and shared flags are as before the write.
                    for (int i = changes.size() - 1; i >= 0; i--) {
                        FlagChange c = changes.get(i);
                        registry.setFlags(c.table(), c.index(), c.oldFlags());
                    }
                    return new BatchResult(queries, 0, errors, BatchResult.Status.NOT_SAVED, e);
                }
            }
        } finally {
            registry.writeLock().unlock();
        }
        if (queries > 0) {
            log.verbose(2, "processed " + queries + " queries, with " + matches + " matches, " + errors + " errs");
        }
        return new BatchResult(queries, matches, errors, errors > 0 ? BatchResult.Status.EINVAL : BatchResult.Status.OK, null);
    }

    private int executeOne(String text, String defaultModule, List<FlagChange> changes) throws QueryException {
        List<String> words;
        try {
            words = Tokenizer.tokenize(text);
        } catch (QueryException e) {
            throw e.withFollowUp("tokenize failed");
        }
        if (log.enabled(3)) {
            StringBuilder sb = new StringBuilder("split into words:");
            for (String w : words) {
                sb.append(" \"").append(w).append('"');
            }
            log.verbose(3, sb.toString());
        }
        Query query = QueryParser.parse(words, defaultModule, log);
        int found = apply(query, changes);
        log.verbose(3, query.describe(found > 0 ? "applied" : "no-match"));
        return found;
    }

    /** The kernel's ddebug_change: returns the number of matching sites (changed or not). */
    private int apply(Query q, List<FlagChange> changes) {
        int found = 0;
        // Text every matching format contains; lets a store skip blocks without building bodies.
        String formatText = q.format() == null ? "" : SiteMatcher.literalOf(q.format());
        // Exact names a matching site must have; lets a store skip blocks without decompressing them.
        long[] names = SiteMatcher.requiredNames(q);
        for (ModuleTable table : registry.tables()) {
            if (q.module() != null && !Wildcard.matches(q.module(), table.name())) {
                continue;
            }
            int wantedClass = SiteRecord.CLASS_DEFAULT;
            if (q.className() != null) {
                wantedClass = table.classIdOf(q.className());
                if (wantedClass < 0) {
                    continue;
                }
            }
            int cls = wantedClass;
            int[] matched = new int[1];
            table.forEachBodyContaining(0, table.size(), formatText, names, (i, body) -> {
                if (table.classId(i) != cls) {
                    return; // queries without "class" never touch classed sites
                }
                if (!SiteMatcher.matches(q, body)) {
                    return;
                }
                matched[0]++;
                int old = table.flags(i);
                int updated = q.flags().apply(old) & Flags.ALL;
                if (updated == old) {
                    return;
                }
                registry.setFlags(table, i, updated);
                if (log.enabled(4)) {
                    log.verbose(4, "changed " + SourcePaths.trim(body.file()) + ":" + body.line() + " [" + table.name() + "]"
                            + body.function() + " " + Flags.describe(old) + " => " + Flags.describe(updated));
                }
                changes.add(new FlagChange(table, i, old, updated));
            });
            found += matched[0];
        }
        if (found == 0) {
            log.verbose(1, "no matches for query");
        }
        return found;
    }
}
