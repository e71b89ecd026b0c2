package dev.dyndbgd.client.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the structure of one class file (JVMS 4.1) into a {@link ClassScan}.
 *
 * <p>The JDK 17 has no public class-file API and the client may depend on nothing but SLF4J, so this
 * is a small reader of its own. It visits every structure so that a damaged file is noticed wherever
 * the damage is, but interprets only what the scan needs: the constant pool, the class's name,
 * superclass and interfaces, each method's {@code Code} attribute with its {@code LineNumberTable},
 * and the class's {@code SourceFile}. Every other attribute is skipped by its length.
 *
 * <p>Big programs consist mostly of classes that have nothing to do with debug statements. A class
 * whose constant pool never names {@code DynamicDebug} or {@code DebugSite} can neither declare nor
 * use a site, so its methods' code is not walked at all (the structure around it still is).
 */
final class ClassFileReader {
    private static final long MAGIC = 0xCAFEBABEL;

    private final ClassBytes bytes;
    private final boolean walkAllCode;
    private ConstantPool pool;
    private int pos;

    /**
     * @param walkAllCode walk the code of every method even when the prefilter says the class is
     *                    unrelated; tests use it to check instruction lengths over real classes
     */
    private ClassFileReader(byte[] classFile, boolean walkAllCode) {
        this.bytes = new ClassBytes(classFile);
        this.walkAllCode = walkAllCode;
    }

    static ClassScan read(byte[] classFile) {
        return new ClassFileReader(classFile, false).read(new MethodScanner.Findings());
    }

    /** Reads the class walking every method's code; returns how many instructions were walked. */
    static int walkAll(byte[] classFile) {
        MethodScanner.Findings findings = new MethodScanner.Findings();
        new ClassFileReader(classFile, true).read(findings);
        return findings.instructions;
    }

    private ClassScan read(MethodScanner.Findings findings) {
        if (bytes.length() < 4 || bytes.u4(0) != MAGIC) {
            throw bytes.fail("does not start with the magic number 0xCAFEBABE");
        }
        // minor_version (u2) and major_version (u2) do not change the layout of anything read here.
        pool = ConstantPool.read(bytes, 8);
        pos = pool.end();
        pos += 2; // access_flags
        String name = pool.className(u2());
        int superIndex = u2();
        String superName = superIndex == 0 ? null : pool.className(superIndex);
        int interfaceCount = u2();
        List<String> interfaces = new ArrayList<>();
        for (int i = 0; i < interfaceCount; i++) {
            interfaces.add(pool.className(u2()));
        }
        boolean related = walkAllCode || pool.mentions(DebugApi.DYNAMIC_DEBUG) || pool.mentions(DebugApi.DEBUG_SITE);

        int fieldCount = u2();
        for (int i = 0; i < fieldCount; i++) {
            pos += 6; // access_flags, name_index, descriptor_index
            skipAttributes("field #" + i);
        }
        int methodCount = u2();
        for (int i = 0; i < methodCount; i++) {
            method(i, related, findings);
        }
        String sourceFile = null;
        int attributeCount = u2();
        for (int i = 0; i < attributeCount; i++) {
            int nameIndex = u2();
            int length = attributeLength("class attribute #" + i);
            int start = pos;
            if (pool.utf8(nameIndex).equals("SourceFile")) {
                if (length != 2) {
                    throw bytes.fail("SourceFile attribute has length " + length + " instead of 2");
                }
                sourceFile = pool.utf8(u2());
            }
            pos = start + length;
        }
        if (pos != bytes.length()) {
            throw bytes.fail("class ends at offset " + pos + " but the file has " + (bytes.length() - pos) + " more bytes");
        }
        return new ClassScan(name, superName, interfaces, sourcePath(name, sourceFile),
                findings.modules, findings.declarations, findings.uses);
    }

    private void method(int index, boolean related, MethodScanner.Findings findings) {
        pos += 2; // access_flags
        int nameIndex = u2();
        pos += 2; // descriptor_index
        int attributeCount = u2();
        boolean seenCode = false;
        for (int i = 0; i < attributeCount; i++) {
            int attributeName = u2();
            int length = attributeLength("attribute #" + i + " of method #" + index);
            int start = pos;
            if (related && pool.utf8(attributeName).equals("Code")) {
                if (seenCode) {
                    throw bytes.fail("method #" + index + " has more than one Code attribute");
                }
                seenCode = true;
                code(pool.utf8(nameIndex), start, length, findings);
            }
            pos = start + length;
        }
    }

    /** Reads a {@code Code} attribute whose body is {@code [start, start + length)} and scans its instructions. */
    private void code(String methodName, int start, int length, MethodScanner.Findings findings) {
        int end = start + length;
        pos = start + 4; // max_stack, max_locals
        long codeLength = bytes.u4(pos);
        pos += 4;
        if (codeLength == 0 || codeLength > end - pos) {
            throw bytes.fail("method " + methodName + " has code_length " + codeLength
                    + ", which does not fit its Code attribute (" + (end - pos) + " bytes left)");
        }
        int codeStart = pos;
        pos += (int) codeLength;
        int handlers = u2();
        pos += 8 * handlers; // exception_table: start_pc, end_pc, handler_pc, catch_type
        LineNumbers lines = new LineNumbers();
        int attributeCount = u2();
        for (int i = 0; i < attributeCount; i++) {
            int nameIndex = u2();
            int attrLength = attributeLength("Code attribute #" + i + " of method " + methodName);
            int attrStart = pos;
            if (attrStart + attrLength > end) {
                throw bytes.fail("Code attribute #" + i + " of method " + methodName + " runs past its Code attribute");
            }
            if (pool.utf8(nameIndex).equals("LineNumberTable")) {
                int entries = u2();
                if (2L + 4L * entries != attrLength) {
                    throw bytes.fail("LineNumberTable of method " + methodName + " has " + entries
                            + " entries but length " + attrLength);
                }
                for (int e = 0; e < entries; e++) {
                    int startPc = u2();
                    int line = u2();
                    if (startPc >= codeLength) {
                        throw bytes.fail("LineNumberTable of method " + methodName + " names pc " + startPc
                                + " outside its code (" + codeLength + " bytes)");
                    }
                    lines.add(startPc, line);
                }
            }
            pos = attrStart + attrLength;
        }
        if (pos != end) {
            throw bytes.fail("Code attribute of method " + methodName + " has length " + length
                    + " but its contents take " + (pos - start) + " bytes");
        }
        new MethodScanner(bytes, pool, codeStart, (int) codeLength, lines, methodName, findings).scan();
    }

    private void skipAttributes(String owner) {
        int count = u2();
        for (int i = 0; i < count; i++) {
            pos += 2; // attribute_name_index
            int length = attributeLength("attribute #" + i + " of " + owner);
            pos += length;
        }
    }

    /** Reads an attribute_length and checks that the attribute's body lies inside the file. */
    private int attributeLength(String what) {
        long length = bytes.u4(pos);
        pos += 4;
        bytes.require(pos, length, what);
        return (int) length;
    }

    private int u2() {
        int value = bytes.u2(pos);
        pos += 2;
        return value;
    }

    /**
     * The source file as a path under the class's package: {@code com/example/} + the SourceFile
     * attribute. Javac writes SourceFile into every class, nested and lambda-holding ones included;
     * without it, the outermost class's name + {@code .java} is the conventional guess.
     */
    static String sourcePath(String internalName, String sourceFile) {
        int slash = internalName.lastIndexOf('/');
        String dir = internalName.substring(0, slash + 1);
        if (sourceFile != null) {
            return dir + sourceFile;
        }
        String simple = internalName.substring(slash + 1);
        int dollar = simple.indexOf('$');
        return dir + (dollar > 0 ? simple.substring(0, dollar) : simple) + ".java";
    }
}
