package dev.dyndbgd.site;

import java.util.List;

/**
 * A module's class map ({@code DECLARE_DYNDBG_CLASSMAP}): name i stands for class id {@code base + i}.
 *
 * @param moduleName the module the map attaches to (matched by exact name, as the kernel's strcmp)
 * @param names      class names, in id order
 * @param base       class id of the first name
 * @param type       how the map's control parameter reads its input
 */
public record ClassMap(String moduleName, List<String> names, int base, Type type) {
    public enum Type { DISJOINT_BITS, LEVEL_NUM, DISJOINT_NAMES, LEVEL_NAMES }

    public ClassMap {
        names = List.copyOf(names);
        if (base < 0 || base + names.size() > SiteRecord.CLASS_DEFAULT) {
            throw new IllegalArgumentException("class map " + moduleName + " ids " + base + ".." + (base + names.size() - 1)
                    + " leave the 0..62 range");
        }
    }

    /** The class name for an id, or null if this map does not cover it. */
    public String nameOf(int classId) {
        int i = classId - base;
        return i >= 0 && i < names.size() ? names.get(i) : null;
    }

    /** The class id for an exact name, or -1. */
    public int idOf(String name) {
        int i = names.indexOf(name);
        return i < 0 ? -1 : base + i;
    }
}
