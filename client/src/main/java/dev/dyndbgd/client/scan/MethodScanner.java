package dev.dyndbgd.client.scan;

import dev.dyndbgd.client.scan.ClassScan.FieldRef;
import dev.dyndbgd.client.scan.ClassScan.ModuleField;
import dev.dyndbgd.client.scan.ClassScan.SiteDeclaration;
import dev.dyndbgd.client.scan.ClassScan.SiteUse;
import dev.dyndbgd.client.scan.ConstantPool.MemberRef;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the code of one method and recognises the three shapes javac gives the client API.
 *
 * <ul>
 * <li>Module handle: {@code LDC "name"; INVOKESTATIC DynamicDebug.module|inProcess; PUTSTATIC f}.</li>
 * <li>Site declaration: {@code GETSTATIC X.f:DynamicDebug} (or the inline
 *     {@code LDC "name"; INVOKESTATIC module}) {@code ; LDC "format"; [LDC "CLASS" | ACONST_NULL;]
 *     INVOKEVIRTUAL DynamicDebug.site; PUTSTATIC g:DebugSite}.</li>
 * <li>Use: {@code GETSTATIC X.g:DebugSite}, argument code, then {@code INVOKEVIRTUAL DebugSite.printf}
 *     or {@code .enabled}.</li>
 * </ul>
 *
 * <p>Declarations are matched on <em>adjacent</em> instructions, which is exactly what javac emits for
 * {@code static final DebugSite X = DEBUG.site("literal")} (constant expressions, including
 * concatenations of constants, are folded into one {@code LDC}). Anything else, such as a format built
 * at run time or a ternary between two {@code site} calls, is deliberately not guessed at.
 *
 * <p>Uses need more than adjacency, because the arguments of {@code printf} (boxing, array stores,
 * nested calls, even another site's {@code enabled()}) come between the {@code GETSTATIC} of the site
 * and the call. The scanner keeps the {@code GETSTATIC}s of sites not yet consumed on a stack, and
 * each {@code INVOKEVIRTUAL} on {@code DebugSite} consumes the most recent one: its receiver is the
 * most recently pushed site reference whenever the reference came straight from the field, which
 * is how the API is meant to be used. Any {@code DebugSite} call consumes a reference, but only
 * {@code printf} and {@code enabled} record a use. No data-flow analysis is attempted beyond that:
 * a site copied to a local variable first, or passed as a method reference ({@code SITE::printf}),
 * is not seen as used there.
 */
final class MethodScanner {
    /** What the scanner collects over all methods of one class. */
    static final class Findings {
        final List<ModuleField> modules = new ArrayList<>();
        final List<SiteDeclaration> declarations = new ArrayList<>();
        final List<SiteUse> uses = new ArrayList<>();
        int instructions;
    }

    // Kinds of the recent instructions the declaration patterns are made of.
    private static final int OTHER = 0;
    private static final int STRING = 1;
    private static final int NULL = 2;
    private static final int MODULE_FIELD = 3;
    private static final int FACTORY = 4;
    private static final int SITE_CALL = 5;
    private static final int SITE_WITH_CLASS_CALL = 6;

    /** The longest pattern, inline module plus class name, is five instructions before the PUTSTATIC. */
    private static final int WINDOW = 8;

    private record PendingSite(FieldRef field, int line) {
    }

    private final ClassBytes bytes;
    private final ConstantPool pool;
    private final int codeStart;
    private final int codeLength;
    private final LineNumbers lines;
    private final String function;
    private final Findings findings;

    private final int[] kinds = new int[WINDOW];
    private final Object[] values = new Object[WINDOW];
    private final int[] kindLines = new int[WINDOW];
    private int seen;
    private final ArrayDeque<PendingSite> pending = new ArrayDeque<>();

    MethodScanner(ClassBytes bytes, ConstantPool pool, int codeStart, int codeLength, LineNumbers lines,
                  String methodName, Findings findings) {
        this.bytes = bytes;
        this.pool = pool;
        this.codeStart = codeStart;
        this.codeLength = codeLength;
        this.lines = lines;
        this.function = DebugApi.functionName(methodName);
        this.findings = findings;
    }

    void scan() {
        int pc = 0;
        while (pc < codeLength) {
            int length = Bytecode.length(bytes, codeStart, codeLength, pc);
            int line = lines.lineAt(pc);
            step(bytes.u1(codeStart + pc), codeStart + pc, line);
            findings.instructions++;
            pc += length;
        }
    }

    private void step(int op, int at, int line) {
        switch (op) {
            case Bytecode.ACONST_NULL -> push(NULL, null, line);
            case Bytecode.LDC, Bytecode.LDC_W -> {
                int index = op == Bytecode.LDC ? bytes.u1(at + 1) : bytes.u2(at + 1);
                if (pool.tag(index) == ConstantPool.STRING) {
                    push(STRING, pool.string(index), line);
                } else {
                    push(OTHER, null, line);
                }
            }
            case Bytecode.GETSTATIC -> {
                MemberRef ref = pool.member(bytes.u2(at + 1), ConstantPool.FIELDREF);
                FieldRef field = new FieldRef(ref.owner(), ref.name());
                if (ref.descriptor().equals(DebugApi.DYNAMIC_DEBUG_TYPE)) {
                    push(MODULE_FIELD, field, line);
                } else {
                    if (ref.descriptor().equals(DebugApi.DEBUG_SITE_TYPE)) {
                        pending.push(new PendingSite(field, line));
                    }
                    push(OTHER, null, line);
                }
            }
            case Bytecode.INVOKESTATIC -> {
                MemberRef ref = pool.member(bytes.u2(at + 1), ConstantPool.METHODREF);
                boolean factory = ref.owner().equals(DebugApi.DYNAMIC_DEBUG) && DebugApi.isFactory(ref.name(), ref.descriptor());
                push(factory ? FACTORY : OTHER, null, line);
            }
            case Bytecode.INVOKEVIRTUAL -> invokeVirtual(pool.member(bytes.u2(at + 1), ConstantPool.METHODREF), line);
            case Bytecode.PUTSTATIC -> {
                MemberRef ref = pool.member(bytes.u2(at + 1), ConstantPool.FIELDREF);
                FieldRef field = new FieldRef(ref.owner(), ref.name());
                if (ref.descriptor().equals(DebugApi.DYNAMIC_DEBUG_TYPE)) {
                    moduleField(field);
                } else if (ref.descriptor().equals(DebugApi.DEBUG_SITE_TYPE)) {
                    siteDeclaration(field);
                }
                push(OTHER, null, line);
            }
            default -> push(OTHER, null, line);
        }
    }

    private void invokeVirtual(MemberRef ref, int line) {
        int kind = OTHER;
        if (ref.owner().equals(DebugApi.DYNAMIC_DEBUG) && ref.name().equals(DebugApi.SITE)) {
            if (ref.descriptor().equals(DebugApi.SITE_DESCRIPTOR)) {
                kind = SITE_CALL;
            } else if (ref.descriptor().equals(DebugApi.SITE_WITH_CLASS_DESCRIPTOR)) {
                kind = SITE_WITH_CLASS_CALL;
            }
        } else if (ref.owner().equals(DebugApi.DEBUG_SITE)) {
            PendingSite receiver = pending.poll();
            if (receiver != null && DebugApi.isUse(ref.name(), ref.descriptor())) {
                findings.uses.add(new SiteUse(receiver.field(), function, receiver.line()));
            }
        }
        push(kind, null, line);
    }

    private void moduleField(FieldRef field) {
        if (kind(1) == FACTORY && kind(2) == STRING) {
            findings.modules.add(new ModuleField(field, (String) value(2)));
        }
    }

    private void siteDeclaration(FieldRef field) {
        int call = kind(1);
        if (call != SITE_CALL && call != SITE_WITH_CLASS_CALL) {
            return;
        }
        int back = 2;
        String className = null;
        if (call == SITE_WITH_CLASS_CALL) {
            int k = kind(back++);
            if (k == STRING) {
                className = (String) value(back - 1);
            } else if (k != NULL) {
                return;
            }
        }
        if (kind(back) != STRING) {
            return;
        }
        String format = (String) value(back++);
        FieldRef moduleField = null;
        String moduleName = null;
        if (kind(back) == MODULE_FIELD) {
            moduleField = (FieldRef) value(back);
        } else if (kind(back) == FACTORY && kind(back + 1) == STRING) {
            moduleName = (String) value(back + 1);
        } else {
            return;
        }
        findings.declarations.add(new SiteDeclaration(field, moduleField, moduleName, findings.declarations.size(),
                format, className, function, kindLine(1)));
    }

    private void push(int kind, Object value, int line) {
        int slot = seen % WINDOW;
        kinds[slot] = kind;
        values[slot] = value;
        kindLines[slot] = line;
        seen++;
    }

    /** Kind of the instruction {@code back} places before the current one (1 = the previous). */
    private int kind(int back) {
        return back > seen ? OTHER : kinds[(seen - back) % WINDOW];
    }

    private Object value(int back) {
        return values[(seen - back) % WINDOW];
    }

    private int kindLine(int back) {
        return kindLines[(seen - back) % WINDOW];
    }
}
