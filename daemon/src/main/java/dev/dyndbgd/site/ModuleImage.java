package dev.dyndbgd.site;

import java.util.List;

/**
 * What a source of call sites hands to the registry: a module's name, its call sites in descriptor
 * (load) order and its class maps. Immutable.
 */
public record ModuleImage(String name, List<SiteRecord> sites, List<ClassMap> classMaps) {
    public ModuleImage {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("module name is required");
        }
        sites = List.copyOf(sites);
        classMaps = List.copyOf(classMaps);
    }
}
