/* Times what a shell user does to control, without a shell's own cost in the way:
 *   fsbench write FILE N TEXT   open(O_WRONLY|O_TRUNC), write TEXT, close; N times
 *   fsbench read FILE N BUFSIZE open, read to EOF in BUFSIZE reads, close; N times
 * Prints the mean microseconds per iteration. Used by scripts/mount-latency. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: fsbench write|read FILE N TEXT|BUFSIZE\n");
        return 2;
    }
    const char *file = argv[2];
    long n = atol(argv[3]);
    int writing = strcmp(argv[1], "write") == 0;
    size_t bufsize = writing ? strlen(argv[4]) : (size_t) atol(argv[4]);
    char *buf = malloc(bufsize > 0 ? bufsize : 1);
    if (writing) memcpy(buf, argv[4], bufsize);
    double start = now_us();
    for (long i = 0; i < n; i++) {
        int fd = open(file, writing ? O_WRONLY | O_TRUNC : O_RDONLY);
        if (fd < 0) { perror(file); return 1; }
        if (writing) {
            if (write(fd, buf, bufsize) < 0) { perror("write"); return 1; }
        } else {
            ssize_t r;
            while ((r = read(fd, buf, bufsize)) > 0) {}
            if (r < 0) { perror("read"); return 1; }
        }
        close(fd);
    }
    printf("%.1f\n", (now_us() - start) / n);
    return 0;
}
