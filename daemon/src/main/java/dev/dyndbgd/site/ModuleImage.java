package dev.dyndbgd.site;

import java.util.List;

/**
 * What a source of call sites hands to the registry: a module's name, its call sites in descriptor
 * (load) order, its class maps, and where it came from (a file, a program). Immutable.
 */
public record ModuleImage(String name, List<SiteRecord> sites, List<ClassMap> classMaps, String origin) {
    public ModuleImage(String name, List<SiteRecord> sites, List<ClassMap> classMaps) {
        this(name, sites, classMaps, "");
    }

    public ModuleImage {
        origin = origin == null ? "" : origin;
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("module name is required");
        }
        sites = List.copyOf(sites);
        classMaps = List.copyOf(classMaps);
    }

    /** The same image, saying where it came from (shown by {@code dyndbgctl modules}). */
    public ModuleImage withOrigin(String where) {
        return new ModuleImage(name, sites, classMaps, where);
    }
}
