package dev.dyndbgd.fuse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Serves one mount: worker threads each read a request from the {@code /dev/fuse} descriptor into
 * a direct buffer, have {@link FuseFileSystem} answer it and write the reply back in one write.
 * Several workers block in read(2) on the same descriptor at once; the kernel gives each request to
 * exactly one of them. A worker stops when the device says the mount is gone (ENODEV), or after
 * DESTROY.
 */
final class FuseSession {
    private static final Logger LOG = LoggerFactory.getLogger(FuseSession.class);
    private static final int ENOENT = Errno.ENOENT.intValue();
    private static final int EINTR = Errno.EINTR.intValue();
    private static final int EAGAIN = Errno.EAGAIN.intValue();
    private static final int ENODEV = Errno.ENODEV.intValue();

    private final int fd;
    private final FuseFileSystem fs;
    private final int requestBuffer;
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch stopped;

    /**
     * @param fd       the device descriptor the mount was made with
     * @param maxWrite the largest write negotiated: a request buffer holds it plus its header
     * @param threads  worker threads
     */
    FuseSession(int fd, FuseFileSystem fs, int maxWrite, int threads) {
        this.fd = fd;
        this.fs = fs;
        // The kernel refuses (EINVAL) a read into a buffer smaller than the largest request.
        this.requestBuffer = maxWrite + 4096;
        this.stopped = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::serve, "fuse-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
    }

    void start() {
        workers.forEach(Thread::start);
    }

    /** True once every worker has stopped (the mount is gone). */
    boolean finished() {
        return stopped.getCount() == 0;
    }

    void awaitFinished(long millis) throws InterruptedException {
        stopped.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void serve() {
        ByteBuffer in = ByteBuffer.allocateDirect(requestBuffer).order(ByteOrder.LITTLE_ENDIAN);
        FuseReply reply = new FuseReply(this::send, fs.large);
        try {
            while (!fs.destroyed()) {
                long n = Posix.LIBC.read(fd, in, in.capacity());
                if (n < 0) {
                    int errno = Posix.errno();
                    // ENOENT: the request was interrupted before we got it; EINTR/EAGAIN: try again.
                    if (errno == ENOENT || errno == EINTR || errno == EAGAIN) {
                        continue;
                    }
                    if (errno != ENODEV) {
                        LOG.error("reading /dev/fuse: {}; this worker stops", Posix.describe(errno));
                    }
                    return;
                }
                FuseRequest request;
                try {
                    request = FuseRequest.decode(in, (int) n);
                } catch (FuseRequest.Malformed e) {
                    // Without a sound header there is no unique id to answer: log and read the next.
                    LOG.warn("unreadable FUSE request: {}", e.getMessage());
                    continue;
                }
                fs.handle(request, reply);
            }
        } finally {
            stopped.countDown();
        }
    }

    private void send(ByteBuffer reply, int length) {
        long n = Posix.LIBC.write(fd, reply, length);
        if (n < 0) {
            int errno = Posix.errno();
            // ENOENT: the request was interrupted and the kernel no longer waits for this answer.
            if (errno != ENOENT && errno != ENODEV) {
                LOG.warn("answering a FUSE request: {}", Posix.describe(errno));
            }
        }
    }
}
