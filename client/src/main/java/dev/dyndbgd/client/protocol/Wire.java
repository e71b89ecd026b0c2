package dev.dyndbgd.client.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Strings on the wire are bytes. The daemon, like the kernel, treats every text as one char per byte,
 * so a program's UTF-8 format reaches {@code control} as the same bytes. A "wire string" is a Java
 * string holding those bytes as ISO-8859-1 chars.
 */
public final class Wire {
    private Wire() {
    }

    /** The UTF-8 bytes of a Java string, as a wire string. */
    public static String of(String javaText) {
        return new String(javaText.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The Java string whose UTF-8 bytes a wire string holds. */
    public static String text(String wire) {
        return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
