package dev.dyndbgd.client.protocol;

/**
 * The registration protocol's numbers, as {@code docs/protocol.md} specifies them: version, frame and
 * field limits, message types and the errno values a daemon answers with. Both sides use these
 * constants, so the documented limits are the enforced ones.
 */
public final class Protocol {
    /** The version this library speaks; sent as the first field of every request. */
    public static final int VERSION = 1;
    /** Where the daemon listens unless configured otherwise. */
    public static final String DEFAULT_SOCKET = "/run/dyndbgd/dyndbgd.sock";

    /** Largest frame body (type byte + payload); the 4-byte length prefix is not counted. */
    public static final int MAX_FRAME = 1 << 20;
    /** Call sites one module may register. */
    public static final int MAX_SITES = 16384;
    /** Class names one module may declare: ids 0..62; 63 means "no class", as in the kernel. */
    public static final int MAX_CLASSES = 63;
    public static final int CLASS_NONE = 63;
    /** Module names: 1..55 bytes (the kernel's MODULE_NAME_LEN less its NUL). */
    public static final int MAX_MODULE_NAME = 55;
    public static final int MAX_CLASS_NAME = 64;
    public static final int MAX_FILE = 1024;
    public static final int MAX_FUNCTION = 255;
    public static final int MAX_FORMAT = 4096;
    /** Line numbers fit the kernel's 18-bit field. */
    public static final int MAX_LINE = (1 << 18) - 1;
    /** Paths in one load request. */
    public static final int MAX_LOAD_PATHS = 4096;
    public static final int MAX_PATH = 4096;

    // Requests (program or dyndbgctl -> daemon).
    public static final int REGISTER = 0x01;
    public static final int LOAD = 0x02;
    public static final int UNLOAD = 0x03;
    public static final int LIST = 0x04;
    // Replies (daemon -> program).
    public static final int REGISTERED = 0x81;
    public static final int RESULT = 0x82;
    public static final int ERROR = 0xFF;

    // errno values (Linux) used in ERROR and RESULT replies.
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENAMETOOLONG = 36;
    public static final int EPROTO = 71;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ETIMEDOUT = 110;

    private Protocol() {
    }

    /** The symbolic name of an errno this protocol uses, for messages. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 0 -> "OK";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case EPROTO -> "EPROTO";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case ETIMEDOUT -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }
}
