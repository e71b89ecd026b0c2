package dev.dyndbgd.table;

import dev.dyndbgd.site.SiteRecord;

import java.util.List;

/**
 * Where one table keeps the cold bodies of its call sites, addressed by site index. This is the narrow
 * boundary between the hot heads (flags, class id) and everything else: queries and the control view
 * reach bodies only through it, so how bodies are stored (plain objects now, a compressed pool later)
 * can change without touching them.
 *
 * <p>Implementations must allow concurrent {@link #body} calls from many threads.
 */
public interface BodyStore {
    int size();

    SiteBody body(int index);

    /** Receives bodies from {@link #forEach}. */
    @FunctionalInterface
    interface BodyVisitor {
        void visit(int index, SiteBody body);
    }

    /**
     * Visits the bodies of sites {@code from} (inclusive) to {@code to} (exclusive) in index order.
     * Scans (queries, the control listing) use this so a store that keeps bodies in compressed
     * blocks decodes each block once, not once per site.
     */
    default void forEach(int from, int to, BodyVisitor visitor) {
        for (int i = from; i < to; i++) {
            visitor.visit(i, body(i));
        }
    }

    /**
     * Like {@link #forEach}, but a store may leave out sites whose format cannot contain
     * {@code formatText}, or that lack the exact function or file names hashed in {@code names}
     * ({@code dev.dyndbgd.body.NameFilter}; empty for none): it visits at least every
     * other site, and the visitor still makes the real test. A store of compressed blocks uses this
     * to skip blocks without decompressing them (names) or without building their bodies (text).
     */
    default void forEachContaining(int from, int to, String formatText, long[] names, BodyVisitor visitor) {
        forEach(from, to, visitor);
    }

    /** Gives back whatever the store holds; the table is gone. */
    void release();

    /**
     * The site was enabled: keep its body at hand (the diet's first step: enabled sites stay mapped,
     * so printing and control reads do not decompress them again and again).
     */
    default void pin(int index) {
    }

    /** The site was disabled: its body need not stay mapped any more. */
    default void unpin(int index) {
    }

    /** Creates a store for a new table's sites. */
    @FunctionalInterface
    interface Factory {
        BodyStore create(String module, List<SiteRecord> sites);
    }
}
