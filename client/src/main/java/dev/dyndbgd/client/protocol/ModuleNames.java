package dev.dyndbgd.client.protocol;

/**
 * What a module name may be. Names are addressed by {@code module NAME} queries and by
 * {@code NAME.dyndbg} configuration keys, so they are kept to what a kernel module name can be:
 * letters, digits, {@code _} and {@code -}; no {@code /}, spaces, wildcards or control characters.
 */
public final class ModuleNames {
    private ModuleNames() {
    }

    /** Throws with the errno a daemon answers if {@code name} is not acceptable. */
    public static void check(String name) throws ProtocolException {
        if (name.isEmpty()) {
            throw new ProtocolException(Protocol.EINVAL, "empty module name");
        }
        if (name.length() > Protocol.MAX_MODULE_NAME) {
            throw new ProtocolException(Protocol.ENAMETOOLONG,
                    "module name longer than " + Protocol.MAX_MODULE_NAME + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                throw new ProtocolException(Protocol.EINVAL, String.format(
                        "module name has character 0x%02x at %d: only letters, digits, _ and - are allowed", (int) c, i));
            }
        }
    }
}
