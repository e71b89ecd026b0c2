package dev.dyndbgd.client.scan;

/**
 * Opcodes the scanner looks at, and the length of every JVM instruction (JVMS chapter 6).
 *
 * <p>A method's code is a plain byte sequence with no instruction boundaries marked, so finding the
 * {@code GETSTATIC} of a debug site means stepping over every instruction before it; one wrong length
 * and the rest of the method is read out of phase, yielding invented instructions or missed sites.
 * Most lengths are fixed and sit in a table; four are not: {@code tableswitch} and
 * {@code lookupswitch} pad their operands to a multiple of four bytes <em>from the start of the
 * code</em> (not of the file) and then carry tables sized by their own operands, and {@code wide}
 * takes its length from the instruction it widens. Every length is checked against the end of the
 * code, and switch sizes are computed in {@code long} so that a corrupted range cannot overflow into
 * a small or negative length.
 */
final class Bytecode {
    static final int ACONST_NULL = 0x01;
    static final int LDC = 0x12;
    static final int LDC_W = 0x13;
    static final int ILOAD = 0x15;
    static final int ALOAD = 0x19;
    static final int ISTORE = 0x36;
    static final int ASTORE = 0x3a;
    static final int IINC = 0x84;
    static final int RET = 0xa9;
    static final int TABLESWITCH = 0xaa;
    static final int LOOKUPSWITCH = 0xab;
    static final int GETSTATIC = 0xb2;
    static final int PUTSTATIC = 0xb3;
    static final int INVOKEVIRTUAL = 0xb6;
    static final int INVOKESTATIC = 0xb8;
    static final int WIDE = 0xc4;

    /** Fixed length of each opcode; 0 for opcodes that are not allowed in a class file, -1 for variable ones. */
    private static final byte[] LENGTH = new byte[256];

    static {
        fill(0x00, 0x0f, 1);   // nop, aconst_null, iconst_*, lconst_*, fconst_*, dconst_*
        fill(0x10, 0x10, 2);   // bipush
        fill(0x11, 0x11, 3);   // sipush
        fill(0x12, 0x12, 2);   // ldc
        fill(0x13, 0x14, 3);   // ldc_w, ldc2_w
        fill(0x15, 0x19, 2);   // iload, lload, fload, dload, aload
        fill(0x1a, 0x35, 1);   // *load_n, *aload
        fill(0x36, 0x3a, 2);   // istore, lstore, fstore, dstore, astore
        fill(0x3b, 0x83, 1);   // *store_n, *astore, stack ops, arithmetic
        fill(0x84, 0x84, 3);   // iinc
        fill(0x85, 0x98, 1);   // conversions, comparisons
        fill(0x99, 0xa8, 3);   // if*, goto, jsr
        fill(0xa9, 0xa9, 2);   // ret
        fill(0xaa, 0xab, -1);  // tableswitch, lookupswitch
        fill(0xac, 0xb1, 1);   // returns
        fill(0xb2, 0xb8, 3);   // get/put field/static, invokevirtual/special/static
        fill(0xb9, 0xba, 5);   // invokeinterface, invokedynamic
        fill(0xbb, 0xbb, 3);   // new
        fill(0xbc, 0xbc, 2);   // newarray
        fill(0xbd, 0xbd, 3);   // anewarray
        fill(0xbe, 0xbf, 1);   // arraylength, athrow
        fill(0xc0, 0xc1, 3);   // checkcast, instanceof
        fill(0xc2, 0xc3, 1);   // monitorenter, monitorexit
        fill(0xc4, 0xc4, -1);  // wide
        fill(0xc5, 0xc5, 4);   // multianewarray
        fill(0xc6, 0xc7, 3);   // ifnull, ifnonnull
        fill(0xc8, 0xc9, 5);   // goto_w, jsr_w
        // 0xca breakpoint and 0xfe/0xff impdep are reserved: JVMS 6.2 forbids them in class files.
    }

    private Bytecode() {
    }

    private static void fill(int from, int to, int length) {
        for (int op = from; op <= to; op++) {
            LENGTH[op] = (byte) length;
        }
    }

    /**
     * The length in bytes of the instruction at {@code pc} of the code that starts at file offset
     * {@code codeStart} and is {@code codeLength} bytes long. The whole instruction is checked to lie
     * inside the code.
     */
    static int length(ClassBytes bytes, int codeStart, int codeLength, int pc) {
        int op = bytes.u1(codeStart + pc);
        long length = LENGTH[op];
        if (length == 0) {
            throw bytes.fail("opcode 0x" + Integer.toHexString(op) + " at pc " + pc + " is not a valid instruction");
        }
        if (op == TABLESWITCH || op == LOOKUPSWITCH) {
            // Operands start at the next multiple of four, counted from the start of the code.
            int pad = 3 - (pc & 3);
            int operands = pc + 1 + pad;
            requireInCode(bytes, codeLength, pc, operands, op == TABLESWITCH ? 12 : 8);
            if (op == TABLESWITCH) {
                long low = bytes.s4(codeStart + operands + 4);
                long high = bytes.s4(codeStart + operands + 8);
                if (low > high) {
                    throw bytes.fail("tableswitch at pc " + pc + " has low " + low + " above high " + high);
                }
                length = 1 + pad + 12 + 4 * (high - low + 1);
            } else {
                long pairs = bytes.s4(codeStart + operands + 4);
                if (pairs < 0) {
                    throw bytes.fail("lookupswitch at pc " + pc + " has a negative pair count " + pairs);
                }
                length = 1 + pad + 8 + 8 * pairs;
            }
        } else if (op == WIDE) {
            requireInCode(bytes, codeLength, pc, pc + 1, 1);
            int widened = bytes.u1(codeStart + pc + 1);
            if (widened == IINC) {
                length = 6;
            } else if ((widened >= ILOAD && widened <= ALOAD) || (widened >= ISTORE && widened <= ASTORE) || widened == RET) {
                length = 4;
            } else {
                throw bytes.fail("wide at pc " + pc + " modifies opcode 0x" + Integer.toHexString(widened)
                        + ", which has no wide form");
            }
        }
        if (length > codeLength - pc) {
            throw bytes.fail("instruction 0x" + Integer.toHexString(op) + " at pc " + pc + " is " + length
                    + " bytes long and runs past the end of the code (" + codeLength + " bytes)");
        }
        return (int) length;
    }

    private static void requireInCode(ClassBytes bytes, int codeLength, int pc, long from, int count) {
        if (from + count > codeLength) {
            throw bytes.fail("instruction at pc " + pc + " runs past the end of the code (" + codeLength + " bytes)");
        }
    }
}
