package dev.dyndbgd.table;

/**
 * A copy of a table's flags kept somewhere else, such as the memory a registered program maps to
 * test its debug statements. The table writes it whenever a site's flags change (under the
 * registry's write lock), and once for every site when the table is made.
 */
public interface FlagMirror {
    void write(int index, int flags);
}
