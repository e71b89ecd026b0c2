package dev.dyndbgd.program;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Who is at the other end of a Unix socket, as the kernel vouches for it ({@code SO_PEERCRED}): the
 * process id, user id and group id of the peer when it connected.
 *
 * <p>The JDK exposes {@code SO_PEERCRED} only as user and group principals, without the pid, so this
 * asks the kernel directly: {@code getsockopt(2)} through jnr-ffi on the channel's file descriptor.
 * Reaching that descriptor needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} (set in the
 * daemon jar's manifest); without it the peer is treated as unknown (no privileges).
 */
public record PeerCredentials(int pid, int uid, int gid) {
    /** A peer whose credentials could not be read: never privileged. */
    public static final PeerCredentials UNKNOWN = new PeerCredentials(-1, -1, -1);

    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;

    /** getsockopt and geteuid from libc. */
    public interface LibC {
        int getsockopt(int fd, int level, int optname, @Out byte[] optval, @In @Out int[] optlen);

        int geteuid();
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Method FD_VAL = fdAccessor();

        private static Method fdAccessor() {
            try {
                Class<?> impl = Class.forName("sun.nio.ch.SocketChannelImpl");
                Method m = impl.getDeclaredMethod("getFDVal");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    /** The peer of a connected Unix-domain channel, or {@link #UNKNOWN}. */
    public static PeerCredentials of(SocketChannel ch) throws IOException {
        if (Native.FD_VAL == null) {
            return UNKNOWN;
        }
        int fd;
        try {
            fd = (int) Native.FD_VAL.invoke(ch);
        } catch (ReflectiveOperationException e) {
            return UNKNOWN;
        }
        byte[] ucred = new byte[12];
        int[] len = {ucred.length};
        if (Native.LIBC.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, len) != 0 || len[0] < 12) {
            throw new IOException("getsockopt(SO_PEERCRED) failed on fd " + fd);
        }
        ByteBuffer b = ByteBuffer.wrap(ucred).order(ByteOrder.nativeOrder());
        return new PeerCredentials(b.getInt(0), b.getInt(4), b.getInt(8));
    }

    /** Whether the credentials could be read at all. */
    public static boolean available() {
        return Native.FD_VAL != null;
    }

    /** The daemon's own effective uid. */
    public static int selfUid() {
        return Native.LIBC.geteuid();
    }

    public boolean known() {
        return pid >= 0;
    }

    /** Root, or the user the daemon runs as, may load and unload module files. */
    public boolean mayAdminister() {
        return known() && (uid == 0 || uid == selfUid());
    }

    /** The peer's command name from /proc, for listings; empty if it has gone. */
    public String command() {
        if (!known()) {
            return "";
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return known() ? "pid " + pid + " uid " + uid : "unknown peer";
    }
}
