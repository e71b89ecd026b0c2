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
    static final String ENABLED = "enabled";
    static final String ENABLED_DESCRIPTOR = "()Z";

    private DebugApi() {
    }

    static boolean isFactory(String name, String descriptor) {
        return (name.equals("module") || name.equals("inProcess")) && descriptor.equals(FACTORY_DESCRIPTOR);
    }

    /** Whether a call on a {@code DebugSite} counts as a use: printing through it, or asking whether it would. */
    static boolean isUse(String name, String descriptor) {
        // printf has overloads of 0 to 3 arguments (no varargs array on the disabled path) and a varargs one.
        return (name.equals(PRINTF) && descriptor.startsWith("(") && descriptor.endsWith(")V"))
                || (name.equals(ENABLED) && descriptor.equals(ENABLED_DESCRIPTOR));
    }

    /**
     * The function a method stands for in the listing: {@code lambda$ship$0} was written inside
     * {@code ship}, so report that, as the kernel reports {@code __func__}. Javac names a lambda
     * {@code lambda$NAME$N}, or {@code lambda$NAME$HASH$N} when it is serializable, where NAME is the
     * enclosing method; nested lambdas carry the outermost method's name too. In a constructor NAME
     * is {@code new} and in a static initialiser {@code static}, which are reported as
     * {@code <init>} and {@code <clinit>}, the names a use directly in those bodies gets: moving a
     * print into a lambda should not change the function it is listed under. Constructors and static
     * initialisers have no other name in bytecode and are kept as {@code <init>} and {@code <clinit>}.
     */
    static String functionName(String method) {
        if (method.startsWith("lambda$")) {
            int end = method.indexOf('$', 7);
            if (end > 7) {
                String enclosing = method.substring(7, end);
                return switch (enclosing) {
                    case "new" -> "<init>";
                    case "static" -> "<clinit>";
                    default -> enclosing;
                };
            }
        }
        return method;
    }
}
