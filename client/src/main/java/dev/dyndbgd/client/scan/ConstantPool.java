package dev.dyndbgd.client.scan;

import java.nio.charset.StandardCharsets;

/**
 * The constant pool of one class file: where each entry starts, what kind it is, and typed look-ups
 * that check both.
 *
 * <p>Reading the pool means walking every entry once, because entries have different sizes; the
 * walk records only each entry's tag and offset. Strings are decoded when asked for and then cached,
 * so a class the scanner is not interested in costs no decoding at all, and one that is pays once
 * per name however many instructions refer to it. Every look-up checks the index and the tag it
 * expects: a reference to the wrong kind of entry is reported as a malformed class, exactly as the
 * JVM would reject it, rather than being misread.
 */
final class ConstantPool {
    static final int UTF8 = 1;
    static final int INTEGER = 3;
    static final int FLOAT = 4;
    static final int LONG = 5;
    static final int DOUBLE = 6;
    static final int CLASS = 7;
    static final int STRING = 8;
    static final int FIELDREF = 9;
    static final int METHODREF = 10;
    static final int INTERFACE_METHODREF = 11;
    static final int NAME_AND_TYPE = 12;
    static final int METHOD_HANDLE = 15;
    static final int METHOD_TYPE = 16;
    static final int DYNAMIC = 17;
    static final int INVOKE_DYNAMIC = 18;
    static final int MODULE = 19;
    static final int PACKAGE = 20;

    /** A field or method reference: owner class (internal name), member name and descriptor. */
    record MemberRef(String owner, String name, String descriptor) {
    }

    private final ClassBytes bytes;
    /** Tag of each entry; 0 for index 0 and for the unusable slot after a Long or Double. */
    private final byte[] tags;
    /** Offset of each entry's tag byte in the file. */
    private final int[] offsets;
    private final String[] utf8Cache;
    private final MemberRef[] memberCache;
    private final int end;

    private ConstantPool(ClassBytes bytes, byte[] tags, int[] offsets, int end) {
        this.bytes = bytes;
        this.tags = tags;
        this.offsets = offsets;
        this.end = end;
        this.utf8Cache = new String[tags.length];
        this.memberCache = new MemberRef[tags.length];
    }

    /** Reads the pool whose {@code constant_pool_count} is at {@code offset}. */
    static ConstantPool read(ClassBytes bytes, int offset) {
        int count = bytes.u2(offset);
        if (count == 0) {
            throw bytes.fail("constant_pool_count is 0 (it counts the unused entry 0, so it is at least 1)");
        }
        byte[] tags = new byte[count];
        int[] offsets = new int[count];
        int pos = offset + 2;
        for (int i = 1; i < count; i++) {
            int tag = bytes.u1(pos);
            int size = switch (tag) {
                case UTF8 -> 3 + bytes.u2(pos + 1);
                case INTEGER, FLOAT, FIELDREF, METHODREF, INTERFACE_METHODREF, NAME_AND_TYPE, DYNAMIC, INVOKE_DYNAMIC -> 5;
                case LONG, DOUBLE -> 9;
                case CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE -> 3;
                case METHOD_HANDLE -> 4;
                default -> throw bytes.fail("constant pool entry #" + i + " at offset " + pos + " has unknown tag " + tag);
            };
            bytes.require(pos, size, "constant pool entry #" + i);
            tags[i] = (byte) tag;
            offsets[i] = pos;
            pos += size;
            if (tag == LONG || tag == DOUBLE) {
                // An eight-byte constant takes two indices (JVMS 4.4.5); the second is unusable.
                if (i + 1 >= count) {
                    throw bytes.fail("constant pool entry #" + i + " is a Long or Double in the last slot, leaving no room for its second index");
                }
                i++;
            }
        }
        return new ConstantPool(bytes, tags, offsets, pos);
    }

    /** Offset of the first byte after the pool. */
    int end() {
        return end;
    }

    int count() {
        return tags.length;
    }

    /** The tag of entry {@code index}, checking the index; 0 for the slot after a Long or Double. */
    int tag(int index) {
        if (index <= 0 || index >= tags.length) {
            throw bytes.fail("constant pool index " + index + " is outside 1.." + (tags.length - 1));
        }
        return tags[index];
    }

    private int expect(int index, int tag, String what) {
        int actual = tag(index);
        if (actual != tag) {
            throw bytes.fail("constant pool entry #" + index + " should be " + what + " but has tag " + actual);
        }
        return offsets[index];
    }

    String utf8(int index) {
        int at = expect(index, UTF8, "Utf8");
        String s = utf8Cache[index];
        if (s == null) {
            s = ModifiedUtf8.decode(bytes.array(), at + 3, bytes.u2(at + 1), "constant pool entry #" + index);
            utf8Cache[index] = s;
        }
        return s;
    }

    /** The internal name of a {@code CONSTANT_Class} entry (e.g. {@code com/example/Shop}). */
    String className(int index) {
        return utf8(bytes.u2(expect(index, CLASS, "Class") + 1));
    }

    /** The value of a {@code CONSTANT_String} entry. */
    String string(int index) {
        return utf8(bytes.u2(expect(index, STRING, "String") + 1));
    }

    /**
     * A {@code Fieldref}, {@code Methodref} or {@code InterfaceMethodref} entry; {@code tag} is the
     * one the instruction requires ({@code INVOKESTATIC} and {@code INVOKESPECIAL} accept both method
     * kinds, so {@link #METHODREF} here accepts {@link #INTERFACE_METHODREF} too).
     */
    MemberRef member(int index, int tag) {
        int actual = tag(index);
        boolean ok = actual == tag || (tag == METHODREF && actual == INTERFACE_METHODREF);
        if (!ok) {
            throw bytes.fail("constant pool entry #" + index + " should be a member reference with tag " + tag
                    + " but has tag " + actual);
        }
        MemberRef cached = memberCache[index];
        if (cached != null) {
            return cached;
        }
        int at = offsets[index];
        String owner = className(bytes.u2(at + 1));
        int nat = expect(bytes.u2(at + 3), NAME_AND_TYPE, "NameAndType");
        MemberRef ref = new MemberRef(owner, utf8(bytes.u2(nat + 1)), utf8(bytes.u2(nat + 3)));
        memberCache[index] = ref;
        return ref;
    }

    /**
     * Whether any Utf8 entry contains {@code needle} (ASCII) as raw bytes. This is the prefilter: a
     * class that never names the debug API cannot declare or use a site, and finding that out needs
     * no decoding. ASCII bytes mean the same in modified UTF-8, so a byte match is a character match.
     */
    boolean mentions(String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        byte[] data = bytes.array();
        for (int i = 1; i < tags.length; i++) {
            if (tags[i] != UTF8) {
                continue;
            }
            int start = offsets[i] + 3;
            int stop = start + bytes.u2(offsets[i] + 1) - n.length;
            outer:
            for (int p = start; p <= stop; p++) {
                for (int k = 0; k < n.length; k++) {
                    if (data[p + k] != n[k]) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
