package dev.dyndbgd.client.scan;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes minimal class files with hand-chosen bytecode, for the shapes javac never produces
 * (switches at every alignment in a known place, corrupt operands). The output is structurally
 * valid: constant pool, one method per {@link #method} call with a {@code Code} attribute and an
 * optional {@code LineNumberTable}, and an optional {@code SourceFile}. Strings are written with
 * {@link DataOutputStream#writeUTF}, the JDK's modified UTF-8 encoder.
 */
final class TestClassFile {
    private final ByteArrayOutputStream pool = new ByteArrayOutputStream();
    private final DataOutputStream cp = new DataOutputStream(pool);
    private final Map<String, Integer> entries = new HashMap<>();
    private int count = 1;
    private final String name;
    private final List<byte[]> methods = new ArrayList<>();
    private String sourceFile;

    TestClassFile(String name) {
        this.name = name;
    }

    int utf8(String s) {
        return entry("U" + s, () -> {
            cp.writeByte(ConstantPool.UTF8);
            cp.writeUTF(s);
        });
    }

    int classRef(String internalName) {
        int n = utf8(internalName);
        return entry("C" + internalName, () -> {
            cp.writeByte(ConstantPool.CLASS);
            cp.writeShort(n);
        });
    }

    int string(String s) {
        int n = utf8(s);
        return entry("S" + s, () -> {
            cp.writeByte(ConstantPool.STRING);
            cp.writeShort(n);
        });
    }

    int nameAndType(String n, String d) {
        int a = utf8(n);
        int b = utf8(d);
        return entry("N" + n + " " + d, () -> {
            cp.writeByte(ConstantPool.NAME_AND_TYPE);
            cp.writeShort(a);
            cp.writeShort(b);
        });
    }

    int field(String owner, String n, String d) {
        return member(ConstantPool.FIELDREF, owner, n, d);
    }

    int method(String owner, String n, String d) {
        return member(ConstantPool.METHODREF, owner, n, d);
    }

    private int member(int tag, String owner, String n, String d) {
        int c = classRef(owner);
        int nt = nameAndType(n, d);
        return entry("M" + tag + owner + " " + n + " " + d, () -> {
            cp.writeByte(tag);
            cp.writeShort(c);
            cp.writeShort(nt);
        });
    }

    int longConstant(long value) {
        int index = entry("J" + value, () -> {
            cp.writeByte(ConstantPool.LONG);
            cp.writeLong(value);
        });
        count++; // a Long takes two slots
        return index;
    }

    TestClassFile sourceFile(String file) {
        utf8("SourceFile");
        utf8(file);
        this.sourceFile = file;
        return this;
    }

    /** Adds a static method {@code name()V} with {@code code}; {@code lines} holds start_pc, line pairs. */
    TestClassFile method(String methodName, byte[] code, int... lines) {
        try {
            int n = utf8(methodName);
            int d = utf8("()V");
            int codeName = utf8("Code");
            int lntName = utf8("LineNumberTable");
            ByteArrayOutputStream m = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(m);
            out.writeShort(0x0008); // ACC_STATIC
            out.writeShort(n);
            out.writeShort(d);
            out.writeShort(1);
            out.writeShort(codeName);
            int lntLength = lines.length == 0 ? 0 : 6 + 2 + 2 * lines.length;
            out.writeInt(2 + 2 + 4 + code.length + 2 + 2 + lntLength);
            out.writeShort(8); // max_stack
            out.writeShort(8); // max_locals
            out.writeInt(code.length);
            out.write(code);
            out.writeShort(0); // exception_table_length
            if (lines.length == 0) {
                out.writeShort(0);
            } else {
                out.writeShort(1);
                out.writeShort(lntName);
                out.writeInt(2 + 2 * lines.length);
                out.writeShort(lines.length / 2);
                for (int v : lines) {
                    out.writeShort(v);
                }
            }
            methods.add(m.toByteArray());
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] toBytes() {
        try {
            int thisClass = classRef(name);
            int superClass = classRef("java/lang/Object");
            int sourceFileName = sourceFile == null ? 0 : utf8("SourceFile");
            int sourceFileValue = sourceFile == null ? 0 : utf8(sourceFile);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(61);
            out.writeShort(count);
            out.write(pool.toByteArray());
            out.writeShort(0x0021);
            out.writeShort(thisClass);
            out.writeShort(superClass);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(methods.size());
            for (byte[] m : methods) {
                out.write(m);
            }
            if (sourceFile == null) {
                out.writeShort(0);
            } else {
                out.writeShort(1);
                out.writeShort(sourceFileName);
                out.writeInt(2);
                out.writeShort(sourceFileValue);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private int entry(String key, Write write) {
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        try {
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int index = count++;
        entries.put(key, index);
        return index;
    }
}
