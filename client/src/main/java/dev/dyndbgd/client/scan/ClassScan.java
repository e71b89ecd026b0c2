package dev.dyndbgd.client.scan;

import java.util.List;
import java.util.Objects;

/**
 * What one class file says about debug statements, before anything is matched across classes: the
 * module handles it stores, the sites it declares and the places it uses sites.
 *
 * <p>A class seldom holds the whole story: a site may be declared with a module handle stored by
 * another class and printed through from a third (or from a lambda or nested class, each its own
 * class file). So a scan records references exactly as the bytecode names them, and
 * {@link SiteScanner#resolve} joins them once every class has been read. The class's superclass and
 * interfaces are kept because bytecode names an inherited static field through the class that
 * inherits it ({@code GETSTATIC Sub.DEBUG} for a field declared in {@code Base}).
 *
 * @param name        internal name, e.g. {@code com/example/Shop$Inner}
 * @param superName   internal name of the superclass, null for {@code java/lang/Object} and module-info
 * @param interfaces  internal names of the direct superinterfaces
 * @param file        source file as a path under the package, e.g. {@code com/example/Shop.java}
 * @param modules     module handles stored in static fields by this class's code
 * @param declarations sites declared by this class's code, in code order
 * @param uses        uses of sites by this class's code, in code order (methods in class-file order)
 */
public record ClassScan(String name, String superName, List<String> interfaces, String file,
                        List<ModuleField> modules, List<SiteDeclaration> declarations, List<SiteUse> uses) {

    public ClassScan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        interfaces = List.copyOf(interfaces);
        modules = List.copyOf(modules);
        declarations = List.copyOf(declarations);
        uses = List.copyOf(uses);
    }

    /** The binary name, e.g. {@code com.example.Shop$Inner}. */
    public String binaryName() {
        return name.replace('/', '.');
    }

    /** A static field as bytecode names it: owner class (internal name) and field name. */
    public record FieldRef(String owner, String name) {
        public FieldRef {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return owner + "." + name;
        }
    }

    /**
     * {@code LDC name; INVOKESTATIC DynamicDebug.module|inProcess; PUTSTATIC field}: the static field
     * holds the handle of module {@code module}.
     */
    public record ModuleField(FieldRef field, String module) {
        public ModuleField {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(module, "module");
        }
    }

    /**
     * {@code <module handle>; LDC format; [LDC className | ACONST_NULL;] INVOKEVIRTUAL site; PUTSTATIC field}.
     *
     * @param field       the static {@code DebugSite} field the site is stored in
     * @param moduleField the static field the module handle was read from, or null when it was made inline
     * @param moduleName  the module named inline ({@code DynamicDebug.module("x").site(...)}), or null
     * @param ordinal     0, 1, 2... in the order this class's code declares sites
     * @param format      the format string
     * @param className   the class name given to {@code site}, or null
     * @param function    the method the declaration is in (normally {@code <clinit>})
     * @param line        the line of the {@code site(...)} call, 0 when unknown
     */
    public record SiteDeclaration(FieldRef field, FieldRef moduleField, String moduleName, int ordinal,
                                  String format, String className, String function, int line) {
        public SiteDeclaration {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(function, "function");
            if ((moduleField == null) == (moduleName == null)) {
                throw new IllegalArgumentException("exactly one of moduleField and moduleName must be given");
            }
        }
    }

    /**
     * {@code GETSTATIC site ... INVOKEVIRTUAL DebugSite.printf|enabled}: the site stored in {@code site}
     * is used in {@code function} at {@code line} (the line of the {@code GETSTATIC}, 0 when unknown).
     */
    public record SiteUse(FieldRef site, String function, int line) {
        public SiteUse {
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(function, "function");
        }
    }
}
