package dev.dyndbgd.client.scan;

/**
 * The client API as it appears in bytecode: internal class names, method names and descriptors.
 *
 * <p>The scanner matches these as strings rather than by loading {@code DynamicDebug} and
 * {@code DebugSite}: it reads other programs' classes, which need not be loadable here, and it must
 * not run any of their code (or ours) to find the statements.
 */
final class DebugApi {
    static final String DYNAMIC_DEBUG = "dev/dyndbgd/client/DynamicDebug";
    static final String DEBUG_SITE = "dev/dyndbgd/client/DebugSite";
    static final String DYNAMIC_DEBUG_TYPE = "L" + DYNAMIC_DEBUG + ";";
    static final String DEBUG_SITE_TYPE = "L" + DEBUG_SITE + ";";

    /** {@code DynamicDebug.module(String)} and {@code DynamicDebug.inProcess(String)}. */
    static final String FACTORY_DESCRIPTOR = "(Ljava/lang/String;)" + DYNAMIC_DEBUG_TYPE;
    static final String SITE = "site";
    static final String SITE_DESCRIPTOR = "(Ljava/lang/String;)" + DEBUG_SITE_TYPE;
    static final String SITE_WITH_CLASS_DESCRIPTOR = "(Ljava/lang/String;Ljava/lang/String;)" + DEBUG_SITE_TYPE;
    static final String PRINTF = "printf";
    static final String PRINTF_DESCRIPTOR = "([Ljava/lang/Object;)V";
    static final String ENABLED = "enabled";
    static final String ENABLED_DESCRIPTOR = "()Z";

    private DebugApi() {
    }

    static boolean isFactory(String name, String descriptor) {
        return (name.equals("module") || name.equals("inProcess")) && descriptor.equals(FACTORY_DESCRIPTOR);
    }

    /** Whether a call on a {@code DebugSite} counts as a use: printing through it, or asking whether it would. */
    static boolean isUse(String name, String descriptor) {
        return (name.equals(PRINTF) && descriptor.equals(PRINTF_DESCRIPTOR))
                || (name.equals(ENABLED) && descriptor.equals(ENABLED_DESCRIPTOR));
    }

    /**
     * The function a method stands for in the listing: {@code lambda$ship$0} was written inside
     * {@code ship}, so report that, as the kernel reports {@code __func__}. Javac names a lambda
     * {@code lambda$NAME$N}, or {@code lambda$NAME$HASH$N} when it is serializable; NAME is the
     * enclosing method ({@code new} in a constructor, {@code static} in a static initialiser).
     * Constructors and static initialisers have no other name in bytecode and are kept as
     * {@code <init>} and {@code <clinit>}.
     */
    static String functionName(String method) {
        if (method.startsWith("lambda$")) {
            int end = method.indexOf('$', 7);
            if (end > 7) {
                return method.substring(7, end);
            }
        }
        return method;
    }
}
