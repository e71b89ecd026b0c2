package dev.dyndbgd.daemon;

import jnr.ffi.LibraryLoader;

import java.nio.charset.StandardCharsets;

/**
 * systemd's readiness protocol ({@code sd_notify}): a datagram like {@code READY=1} to the Unix socket
 * named by {@code NOTIFY_SOCKET}. The JDK has no Unix datagram sockets, so this calls libc through
 * jnr-ffi (already loaded for FUSE). A name starting with {@code @} is in the abstract namespace.
 * Outside systemd (no NOTIFY_SOCKET) every call does nothing.
 */
public final class SdNotify {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SUN_PATH_MAX = 108;

    /** The few libc calls needed. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

        int close(int fd);
    }

    private SdNotify() {
    }

    /** Sends {@code state} (e.g. "READY=1\nSTATUS=..."); returns false if not under systemd or on error. */
    public static boolean notify(String state) {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            return false;
        }
        boolean abstractName = name[0] == '@';
        byte[] addr = new byte[2 + SUN_PATH_MAX];
        addr[0] = (byte) AF_UNIX; // sa_family, little-endian u16
        System.arraycopy(name, 0, addr, 2, name.length);
        if (abstractName) {
            addr[2] = 0;
        }
        int addrLen = 2 + name.length + (abstractName ? 0 : 1);
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        try {
            byte[] msg = state.getBytes(StandardCharsets.UTF_8);
            return libc.sendto(fd, msg, msg.length, 0, addr, addrLen) == msg.length;
        } finally {
            libc.close(fd);
        }
    }
}
