package dev.dyndbgd.fuse;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Mounting without root, the way libfuse3 does it: the setuid helper {@code fusermount3} opens
 * {@code /dev/fuse}, mounts it, and hands the open device back over a Unix socket we share with it.
 *
 * <p>The protocol (libfuse's {@code fuse_mount_fusermount}/{@code receive_fd}, fusermount's
 * {@code send_fd}): we create a {@code socketpair(AF_UNIX, SOCK_STREAM)}, the child inherits one end
 * and learns its number from {@code _FUSE_COMMFD}; after a successful mount it sends one byte whose
 * ancillary data is an {@code SCM_RIGHTS} message carrying the device fd, then exits 0. On failure it
 * prints a reason to stderr and exits non-zero, which we see as EOF on the socket.
 *
 * <p>The JDK's ProcessBuilder closes every inherited descriptor in the child, so the helper is
 * started with libc {@code posix_spawnp}. Struct layouts are those of x86_64 (LP64) Linux/glibc.
 */
final class Fusermount {
    private static final String PROGRAM = "fusermount3";
    private static final String COMMFD_ENV = "_FUSE_COMMFD";

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    /** Makes the received descriptor close-on-exec atomically, so no later child inherits /dev/fuse. */
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int STDERR = 2;
    /** Where the child finds its end of the socket: the first number after stdio. */
    private static final int CHILD_COMMFD = 3;

    // struct msghdr (56 bytes): name, namelen (+pad), iov, iovlen, control, controllen, flags (+pad)
    private static final int MSGHDR_SIZE = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    // struct iovec (16 bytes): base, len
    private static final int IOVEC_SIZE = 16;
    // struct cmsghdr: len (size_t), level (int), type (int), then data aligned to 8
    private static final int CMSG_HDR = 16;
    private static final int CMSG_LEN_ONE_FD = CMSG_HDR + 4;       // CMSG_LEN(sizeof(int))
    private static final int CMSG_SPACE_ONE_FD = CMSG_HDR + 8;     // CMSG_SPACE(sizeof(int))
    /** glibc's posix_spawn_file_actions_t is 80 bytes on x86_64; a little slack costs nothing. */
    private static final int FILE_ACTIONS_SIZE = 128;

    /** The libc calls needed; errno is saved where the call reports failure through it. */
    public interface LibC {
        @SaveError
        int socketpair(int domain, int type, int protocol, @Out int[] sv);

        @SaveError
        int pipe2(@Out int[] fds, int flags);

        @SaveError
        long recvmsg(int fd, Pointer msg, int flags);

        @SaveError
        long read(int fd, @Out byte[] buf, long count);

        @SaveError
        int waitpid(int pid, @Out int[] status, int options);

        @SaveError
        int close(int fd);

        // posix_spawn* return an error number instead of setting errno.
        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        /** glibc 2.34+; elsewhere the call throws UnsatisfiedLinkError. */
        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawnp(@Out int[] pid, String file, Pointer actions, Pointer attr, Pointer argv, Pointer envp);

        String strerror(int errnum);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    /** Cleared the first time libc turns out to lack posix_spawn_file_actions_addclosefrom_np. */
    private static volatile boolean closeFromSupported = true;

    private Fusermount() {
    }

    /**
     * Mounts via fusermount3 (setuid helper; no root needed) and returns the {@code /dev/fuse}
     * descriptor it passed back (close-on-exec). {@code options} are comma-separated mount options
     * as fusermount3 takes them, e.g. {@code fsname=x,subtype=x,allow_other,default_permissions}.
     * {@code auto_unmount} is refused: with it fusermount3 stays alive until our end of the socket
     * closes, which this one-shot exchange does not provide for.
     *
     * @throws IOException with fusermount3's own stderr (and exit status) when it fails
     */
    static int mount(Path mountPoint, String options) throws IOException {
        if (Arrays.asList(options.split(",")).contains("auto_unmount")) {
            throw new IllegalArgumentException("auto_unmount is not supported by Fusermount.mount");
        }
        // Both pairs start close-on-exec so that no other thread's fork/exec can inherit them; the
        // one descriptor the helper needs is made inheritable by the spawn's own dup2 actions.
        int[] sock = new int[2];
        if (LIBC.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) != 0) {
            throw new IOException("socketpair: " + LIBC.strerror(errno()));
        }
        int ours = sock[0];
        int theirs = sock[1];
        int[] errPipe = new int[2];
        if (LIBC.pipe2(errPipe, O_CLOEXEC) != 0) {
            int e = errno();
            LIBC.close(ours);
            LIBC.close(theirs);
            throw new IOException("pipe2: " + LIBC.strerror(e));
        }
        int pid;
        try {
            pid = spawn(mountPoint.toAbsolutePath().toString(), options, theirs, errPipe[1]);
        } catch (IOException e) {
            LIBC.close(ours);
            LIBC.close(errPipe[0]);
            throw e;
        } finally {
            // The child has its copies now (or there is no child); keeping ours open would stop us
            // from ever seeing EOF when it exits.
            LIBC.close(theirs);
            LIBC.close(errPipe[1]);
        }

        // Read stderr to EOF first: the helper exits right after sending the fd, and the message
        // stays queued on the socket, so this order cannot deadlock on a full stderr pipe.
        String stderr = drain(errPipe[0]).trim();
        LIBC.close(errPipe[0]);
        int fd;
        String receiveError = null;
        try {
            fd = receiveFd(ours);
        } catch (IOException e) {
            fd = -1;
            receiveError = e.getMessage();
        } finally {
            LIBC.close(ours);
        }
        String status = exitStatus(pid);

        if (fd >= 0) {
            // The device is mounted and ours; that is all that matters (libfuse does the same).
            return fd;
        }
        StringBuilder msg = new StringBuilder(PROGRAM).append(" failed to mount ").append(mountPoint);
        msg.append(" (").append(status).append(")");
        if (!stderr.isEmpty()) {
            msg.append(": ").append(stderr);
        } else if (receiveError != null) {
            msg.append(": ").append(receiveError);
        }
        throw new IOException(msg.toString());
    }

    /** Runs {@code fusermount3 -u [-z] -- MOUNTPOINT}; true if it exits 0. */
    static boolean unmount(Path mountPoint, boolean lazy) {
        List<String> cmd = new ArrayList<>(List.of(PROGRAM, "-u"));
        if (lazy) {
            cmd.add("-z");
        }
        cmd.add("--");
        cmd.add(mountPoint.toAbsolutePath().toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (InputStream out = p.getInputStream()) {
                out.readAllBytes(); // not needed, but an unread full pipe would block the helper
            }
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts {@code fusermount3 -o OPTIONS -- MOUNTPOINT} with the socket and stderr wired up; returns its pid. */
    private static int spawn(String mountPoint, String options, int commFd, int stderrFd) throws IOException {
        if (commFd < CHILD_COMMFD || stderrFd < CHILD_COMMFD) {
            throw new IOException("stdin, stdout or stderr is closed; refusing to spawn " + PROGRAM);
        }
        // Our environment plus the socket's number in the child.
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!e.getKey().equals(COMMFD_ENV)) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add(COMMFD_ENV + "=" + CHILD_COMMFD);
        // The native strings are freed when their Pointers become unreachable: hold them until spawned.
        List<Pointer> keepAlive = new ArrayList<>();
        Pointer argv = cStringArray(List.of(PROGRAM, "-o", options, "--", mountPoint), keepAlive);
        Pointer envp = cStringArray(env, keepAlive);

        Pointer actions = Memory.allocateDirect(RUNTIME, FILE_ACTIONS_SIZE, true);
        int rc = LIBC.posix_spawn_file_actions_init(actions);
        if (rc != 0) {
            throw new IOException("posix_spawn_file_actions_init: " + LIBC.strerror(rc));
        }
        try {
            // stderr first, then the socket onto fd 3: both sources are >= 3 (0-2 are open, and
            // new descriptors take the lowest free number), so neither dup2 clobbers the other's source.
            // dup2 also clears close-on-exec on the target, so these two survive the exec.
            rc = LIBC.posix_spawn_file_actions_adddup2(actions, stderrFd, STDERR);
            if (rc == 0) {
                rc = LIBC.posix_spawn_file_actions_adddup2(actions, commFd, CHILD_COMMFD);
            }
            if (rc != 0) {
                throw new IOException("posix_spawn_file_actions_adddup2: " + LIBC.strerror(rc));
            }
            // The JVM opens many descriptors (jars, sockets, pipes) without close-on-exec, relying
            // on ProcessBuilder to close them; a setuid-root helper should not get them either.
            if (closeFromSupported) {
                try {
                    rc = LIBC.posix_spawn_file_actions_addclosefrom_np(actions, CHILD_COMMFD + 1);
                } catch (UnsatisfiedLinkError e) {
                    closeFromSupported = false;
                    rc = 0;
                }
                if (rc != 0) {
                    throw new IOException("posix_spawn_file_actions_addclosefrom_np: " + LIBC.strerror(rc));
                }
            }
            int[] pid = new int[1];
            rc = LIBC.posix_spawnp(pid, PROGRAM, actions, null, argv, envp);
            if (rc == ENOENT) {
                throw new IOException(PROGRAM + " not found on PATH: install fuse3");
            }
            if (rc != 0) {
                throw new IOException("posix_spawnp " + PROGRAM + ": " + LIBC.strerror(rc));
            }
            return pid[0];
        } finally {
            LIBC.posix_spawn_file_actions_destroy(actions);
            Reference.reachabilityFence(keepAlive);
        }
    }

    /**
     * Receives the descriptor fusermount3 sends with {@code SCM_RIGHTS}; throws if the socket
     * closes without one (the helper failed) or the message is not what we expect.
     */
    private static int receiveFd(int sock) throws IOException {
        Pointer data = Memory.allocateDirect(RUNTIME, 1, true);
        Pointer iov = Memory.allocateDirect(RUNTIME, IOVEC_SIZE, true);
        iov.putAddress(0, data.address());
        iov.putLong(8, 1);
        Pointer control = Memory.allocateDirect(RUNTIME, CMSG_SPACE_ONE_FD, true);
        Pointer msg = Memory.allocateDirect(RUNTIME, MSGHDR_SIZE, true);
        msg.putAddress(MSG_IOV, iov.address());
        msg.putLong(MSG_IOVLEN, 1);
        msg.putAddress(MSG_CONTROL, control.address());
        msg.putLong(MSG_CONTROLLEN, CMSG_SPACE_ONE_FD);

        long n;
        while ((n = LIBC.recvmsg(sock, msg, MSG_CMSG_CLOEXEC)) < 0) {
            int e = errno();
            if (e != EINTR) {
                throw new IOException("recvmsg: " + LIBC.strerror(e));
            }
        }
        if (n == 0) {
            throw new IOException("helper closed the socket without sending a descriptor");
        }
        // The kernel shrinks msg_controllen to what it wrote; 0 means the byte came without a fd.
        long controlLen = msg.getLong(MSG_CONTROLLEN);
        if ((msg.getInt(MSG_FLAGS) & MSG_CTRUNC) != 0 || controlLen < CMSG_LEN_ONE_FD) {
            throw new IOException("no descriptor in the helper's message (control length " + controlLen + ")");
        }
        long cmsgLen = control.getLong(0);
        int level = control.getInt(8);
        int type = control.getInt(12);
        if (level != SOL_SOCKET || type != SCM_RIGHTS || cmsgLen < CMSG_LEN_ONE_FD) {
            throw new IOException("unexpected control message: level " + level + ", type " + type + ", len " + cmsgLen);
        }
        return control.getInt(CMSG_HDR);
    }

    /** Everything the child writes to the pipe until it (and any of its children) close it. */
    private static String drain(int fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (true) {
            long n = LIBC.read(fd, buf, buf.length);
            if (n > 0) {
                out.write(buf, 0, (int) n);
            } else if (n == 0 || errno() != EINTR) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Reaps the child and describes how it ended, e.g. "exit status 1" or "killed by signal 9". */
    private static String exitStatus(int pid) {
        int[] status = new int[1];
        while (LIBC.waitpid(pid, status, 0) < 0) {
            int e = errno();
            if (e != EINTR) {
                return "waitpid: " + LIBC.strerror(e);
            }
        }
        int s = status[0];
        if ((s & 0x7f) == 0) {
            return "exit status " + ((s >> 8) & 0xff);
        }
        return "killed by signal " + (s & 0x7f);
    }

    /** A NULL-terminated {@code char *[]} of NUL-terminated UTF-8 strings, as argv/envp want. */
    private static Pointer cStringArray(List<String> strings, List<Pointer> keepAlive) {
        int ptrSize = RUNTIME.addressSize();
        Pointer array = Memory.allocateDirect(RUNTIME, (long) (strings.size() + 1) * ptrSize, true);
        for (int i = 0; i < strings.size(); i++) {
            byte[] bytes = strings.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer s = Memory.allocateDirect(RUNTIME, bytes.length + 1, true);
            s.put(0, bytes, 0, bytes.length);
            keepAlive.add(s);
            array.putAddress((long) i * ptrSize, s.address());
        }
        keepAlive.add(array);
        return array;
    }

    private static int errno() {
        return LastError.getLastError(RUNTIME);
    }
}
