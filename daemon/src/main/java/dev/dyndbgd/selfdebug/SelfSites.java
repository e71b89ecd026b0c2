package dev.dyndbgd.selfdebug;

import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Finds the daemon's own debug statements and registers them as module {@value #MODULE}.
 *
 * <p>Java has no {@code __FILE__}/{@code __func__}/{@code __LINE__} at a call, so the sites are read
 * from the compiled classes instead: every {@code SelfDebug.printf} call whose receiver is a static
 * {@link SelfDebug} field and whose format is a string literal becomes a site, with the class's
 * source file (as a path under its package), the enclosing method and the statement's line. This is
 * what the compiler knows, so {@code control} shows the true location of each statement.
 */
public final class SelfSites {
    public static final String MODULE = "dyndbgd";
    private static final String SELF_DEBUG = "dev/dyndbgd/selfdebug/SelfDebug";
    private static final Map<Class<?>, SelfDebug> INSTANCES = new ConcurrentHashMap<>();

    private SelfSites() {
    }

    static SelfDebug instanceFor(Class<?> owner, Supplier<SelfDebug> create) {
        return INSTANCES.computeIfAbsent(owner, k -> create.get());
    }

    /** One debug statement found in a class file. */
    record Found(String className, SiteRecord site) {
    }

    /** Scans the daemon's classes and adds module {@value #MODULE}; binds every {@link SelfDebug}. */
    public static ModuleTable register(TableRegistry registry) {
        List<Found> found = scan(classFiles());
        // control lists a table from its last site to its first; store descending so it reads ascending.
        found.sort(Comparator.comparing((Found f) -> f.site().file()).thenComparingInt(f -> f.site().line()).reversed());
        List<SiteRecord> sites = found.stream().map(Found::site).toList();
        ModuleTable table = registry.add(new ModuleImage(MODULE, sites, List.of()))
                .orElseThrow(() -> new IllegalStateException("no debug statements found in the daemon's classes"));
        Map<String, Map<String, Integer>> byClass = new HashMap<>();
        for (int i = 0; i < found.size(); i++) {
            byClass.computeIfAbsent(found.get(i).className(), k -> new HashMap<>()).putIfAbsent(found.get(i).site().format(), i);
        }
        for (Map.Entry<String, Map<String, Integer>> e : byClass.entrySet()) {
            try {
                Class<?> c = Class.forName(e.getKey().replace('/', '.'), false, SelfSites.class.getClassLoader());
                SelfDebug dbg = SelfDebug.forClass(outermost(c));
                dbg.bind(new SelfDebug.Binding(table, Map.copyOf(e.getValue())));
            } catch (ClassNotFoundException ex) {
                throw new IllegalStateException("scanned class vanished: " + e.getKey(), ex);
            }
        }
        return table;
    }

    /** Lambdas and inner classes share their top-level class's SelfDebug field. */
    private static Class<?> outermost(Class<?> c) {
        Class<?> top = c;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        return top;
    }

    /** The daemon's class files, from its jar or its classes directory. */
    static List<byte[]> classFiles() {
        try {
            Path location = Path.of(SelfSites.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return readClasses(location.resolve("dev/dyndbgd"));
            }
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                return readClasses(jar.getPath("/dev/dyndbgd"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<byte[]> readClasses(Path root) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.add(in.readAllBytes());
                }
            }
        }
        return out;
    }

    static List<Found> scan(List<byte[]> classes) {
        List<Found> found = new ArrayList<>();
        for (byte[] bytes : classes) {
            new ClassReader(bytes).accept(new Scanner(found), ClassReader.SKIP_FRAMES);
        }
        return found;
    }

    private static final class Scanner extends ClassVisitor {
        private final List<Found> found;
        private String className;
        private String sourcePath;

        Scanner(List<Found> found) {
            super(Opcodes.ASM9);
            this.found = found;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            className = name;
            int slash = name.lastIndexOf('/');
            sourcePath = slash < 0 ? "" : name.substring(0, slash + 1);
        }

        @Override
        public void visitSource(String source, String debug) {
            sourcePath = sourcePath + source;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            String function = functionName(name);
            return new MethodVisitor(Opcodes.ASM9) {
                private int line;
                private int receiverLine = -1;
                private String format;

                @Override
                public void visitLineNumber(int lineNumber, Label start) {
                    line = lineNumber;
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String fieldName, String desc) {
                    if (opcode == Opcodes.GETSTATIC && desc.equals("L" + SELF_DEBUG + ";")) {
                        receiverLine = line;
                        format = null;
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (receiverLine >= 0 && format == null && value instanceof String s) {
                        format = s;
                    }
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String mname, String desc, boolean itf) {
                    if (owner.equals(SELF_DEBUG) && mname.equals("printf") && receiverLine >= 0) {
                        if (format != null) {
                            found.add(new Found(className, SiteRecord.of(sourcePath, function, format, receiverLine)));
                        }
                        receiverLine = -1;
                        format = null;
                    }
                }
            };
        }
    }

    /** {@code lambda$load$3} was written inside {@code load}: report that, as the kernel reports __func__. */
    static String functionName(String method) {
        if (method.equals("<init>") || method.equals("<clinit>")) {
            return method; // constructors and static initialisers have no other name in bytecode
        }
        if (method.startsWith("lambda$")) {
            int end = method.indexOf('$', 7);
            return end > 7 ? method.substring(7, end) : method;
        }
        return method;
    }
}
