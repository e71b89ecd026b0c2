package dev.dyndbgd.state;

import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.SiteBody;

/**
 * What identifies a call site across restarts and reloads: module, file, function, line and format.
 * Indexes and load order may change between runs; these do not unless the code does.
 */
public record SiteKey(String module, String file, String function, int line, String format) {
    public static SiteKey of(ModuleTable table, int index) {
        SiteBody b = table.body(index);
        return new SiteKey(table.name(), b.file(), b.function(), b.line(), b.format());
    }
}
