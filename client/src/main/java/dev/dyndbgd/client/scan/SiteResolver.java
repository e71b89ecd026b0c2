package dev.dyndbgd.client.scan;

import dev.dyndbgd.client.scan.ClassScan.FieldRef;
import dev.dyndbgd.client.scan.ClassScan.ModuleField;
import dev.dyndbgd.client.scan.ClassScan.SiteDeclaration;
import dev.dyndbgd.client.scan.ClassScan.SiteUse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Joins the per-class findings into one {@link ScannedSite} per declared site field.
 *
 * <p>Rules, in the order they apply:
 * <ul>
 * <li>A field reference is resolved as the JVM resolves a static field (JVMS 5.4.3.2): the named
 *     class, then its superinterfaces, then its superclass, recursively, among the scanned classes.
 *     Bytecode names an inherited field through the class that inherits it, so {@code Sub.DEBUG} may
 *     mean the field declared in {@code Base}.</li>
 * <li>When one field is stored more than once (a module handle or a site assigned twice), the first
 *     store in scan order counts.</li>
 * <li>A site whose module handle cannot be resolved (its field is not a module handle found in the
 *     scanned classes) is dropped: without a module it cannot be listed.</li>
 * <li>A site's location is its first use in the top-level class that declares it (with its nested
 *     and inner classes), else its first use anywhere (a test or a caller elsewhere asking
 *     {@code enabled()} must not move a statement away from where its class prints through it):
 *     classes in the order given, methods in class-file order,
 *     instructions in code order. Later uses of the same site are ignored: a site is one entry in the
 *     module's table and has one flag byte, so it can only be listed once; declare one site per
 *     place you print to see each place. A site never used is listed where it is declared.</li>
 * <li>The result is sorted by module, file, line, declaring class, ordinal (and field, to make the
 *     order total).</li>
 * </ul>
 */
final class SiteResolver {
    static final Comparator<ScannedSite> ORDER = Comparator.comparing(ScannedSite::module)
            .thenComparing(ScannedSite::file)
            .thenComparingInt(ScannedSite::line)
            .thenComparing(ScannedSite::declaringClass)
            .thenComparingInt(ScannedSite::ordinal)
            .thenComparing(ScannedSite::field);

    private record Declared(SiteDeclaration declaration, ClassScan in) {
    }

    private record Location(String file, String function, int line) {
    }

    private final Map<String, ClassScan> classes = new HashMap<>();

    private SiteResolver(List<ClassScan> scans) {
        for (ClassScan scan : scans) {
            classes.putIfAbsent(scan.name(), scan);
        }
    }

    static List<ScannedSite> resolve(List<ClassScan> scans) {
        return new SiteResolver(scans).run(scans);
    }

    private List<ScannedSite> run(List<ClassScan> scans) {
        Map<FieldRef, String> modules = new HashMap<>();
        Map<FieldRef, Declared> declared = new LinkedHashMap<>();
        for (ClassScan scan : scans) {
            for (ModuleField m : scan.modules()) {
                modules.putIfAbsent(m.field(), m.module());
            }
            for (SiteDeclaration d : scan.declarations()) {
                declared.putIfAbsent(d.field(), new Declared(d, scan));
            }
        }
        Map<FieldRef, Location> firstUse = new HashMap<>();
        Map<FieldRef, Location> firstHomeUse = new HashMap<>();
        for (ClassScan scan : scans) {
            for (SiteUse use : scan.uses()) {
                FieldRef site = resolveField(use.site(), declared::containsKey);
                if (site != null) {
                    Location at = new Location(scan.file(), use.function(), use.line());
                    firstUse.putIfAbsent(site, at);
                    if (topLevel(scan.name()).equals(topLevel(site.owner()))) {
                        firstHomeUse.putIfAbsent(site, at);
                    }
                }
            }
        }
        List<ScannedSite> sites = new ArrayList<>();
        for (Map.Entry<FieldRef, Declared> e : declared.entrySet()) {
            SiteDeclaration d = e.getValue().declaration();
            String module = d.moduleName();
            if (module == null) {
                FieldRef handle = resolveField(d.moduleField(), modules::containsKey);
                if (handle == null) {
                    continue;
                }
                module = modules.get(handle);
            }
            Location at = firstHomeUse.getOrDefault(e.getKey(), firstUse.getOrDefault(e.getKey(),
                    new Location(e.getValue().in().file(), d.function(), d.line())));
            sites.add(new ScannedSite(module, e.getKey().owner().replace('/', '.'), e.getKey().name(), d.ordinal(),
                    at.file(), at.function(), at.line(), d.format(), d.className()));
        }
        sites.sort(ORDER);
        return sites;
    }

    /** The top-level class a class (nested, inner, anonymous, lambda holder) was written in. */
    private static String topLevel(String internalName) {
        int dollar = internalName.indexOf('$', internalName.lastIndexOf('/') + 1);
        return dollar < 0 ? internalName : internalName.substring(0, dollar);
    }

    /**
     * The field {@code ref} denotes: {@code ref} itself if {@code known}, else the same name in the
     * nearest superinterface or superclass that is. Iterative with a visited set, so a hierarchy
     * made cyclic by damaged or hostile class files still ends.
     */
    private FieldRef resolveField(FieldRef ref, Predicate<FieldRef> known) {
        if (known.test(ref)) {
            return ref;
        }
        ArrayDeque<String> todo = new ArrayDeque<>();
        Set<String> visited = new HashSet<>();
        todo.push(ref.owner());
        while (!todo.isEmpty()) {
            String owner = todo.pop();
            if (!visited.add(owner)) {
                continue;
            }
            FieldRef candidate = new FieldRef(owner, ref.name());
            if (known.test(candidate)) {
                return candidate;
            }
            ClassScan scan = classes.get(owner);
            if (scan == null) {
                continue;
            }
            // Depth first, interfaces (in declaration order) before the superclass, as JVMS 5.4.3.2 orders it.
            if (scan.superName() != null) {
                todo.push(scan.superName());
            }
            List<String> interfaces = scan.interfaces();
            for (int i = interfaces.size() - 1; i >= 0; i--) {
                todo.push(interfaces.get(i));
            }
        }
        return null;
    }
}
