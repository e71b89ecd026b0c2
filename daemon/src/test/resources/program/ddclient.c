/*
 * A dyndbgd client in C, written from docs/protocol.md alone (the tests compile it with gcc):
 * registers MODULE with NSITES call sites, maps the shared flags read-only and waits until every
 * site has its p flag, then exits 0. Exit 2: the daemon refused (its errno and message on stdout);
 * 3: flags never arrived; 1: anything else.
 *   ddclient SOCKET MODULE NSITES [TIMEOUT_MS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static unsigned char buf[1 << 20];
static size_t len;

static void u8(unsigned v) { buf[len++] = (unsigned char)v; }
static void u16(unsigned v) { u8(v >> 8); u8(v); }
static void u32(uint32_t v) { u16(v >> 16); u16(v & 0xffff); }
static void str(const char *s) { size_t n = strlen(s); u16((unsigned)n); memcpy(buf + len, s, n); len += n; }

static int full(int fd, unsigned char *p, size_t n, int writing) {
    while (n > 0) {
        ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static uint32_t get32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ddclient SOCKET MODULE NSITES [TIMEOUT_MS]\n");
        return 1;
    }
    const char *module = argv[2];
    int nsites = atoi(argv[3]);
    long timeout = argc > 4 ? atol(argv[4]) : 20000;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("connect");
        return 1;
    }
    len = 4;                        /* length, filled in below */
    u8(0x01);                       /* REGISTER */
    u16(1);                         /* version */
    str(module);
    u8(0);                          /* no classes */
    u32((uint32_t)nsites);
    char file[128], fmt[128];
    snprintf(file, sizeof file, "c/%s.c", module);
    for (int i = 0; i < nsites; i++) {
        snprintf(fmt, sizeof fmt, "%s message %d\n", module, i);
        str(file);
        str("work");
        str(fmt);
        u32((uint32_t)(nsites - i)); /* descending: control lists them ascending */
        u8(63);
    }
    uint32_t body = (uint32_t)(len - 4);
    buf[0] = body >> 24; buf[1] = body >> 16; buf[2] = body >> 8; buf[3] = body;
    if (full(fd, buf, len, 1) != 0) { perror("write"); return 1; }

    unsigned char head[4];
    if (full(fd, head, 4, 0) != 0) { fprintf(stderr, "no reply\n"); return 1; }
    uint32_t n = get32(head);
    if (n == 0 || n > sizeof buf || full(fd, buf, n, 0) != 0) { fprintf(stderr, "bad reply\n"); return 1; }
    if (buf[0] == 0xFF) {
        unsigned mlen = ((unsigned)buf[5] << 8) | buf[6];
        printf("ERROR %u %.*s\n", get32(buf + 1), (int)mlen, (const char *)buf + 7);
        return 2;
    }
    if (buf[0] != 0x81) { fprintf(stderr, "unexpected reply 0x%02x\n", buf[0]); return 1; }
    uint32_t sites = get32(buf + 1);
    unsigned plen = ((unsigned)buf[5] << 8) | buf[6];
    char path[4097];
    memcpy(path, buf + 7, plen);
    path[plen] = 0;
    int ffd = open(path, O_RDONLY);
    if (ffd < 0) { perror(path); return 1; }
    volatile const unsigned char *flags = mmap(NULL, sites, PROT_READ, MAP_SHARED, ffd, 0);
    close(ffd);
    if (flags == MAP_FAILED) { perror("mmap"); return 1; }
    printf("REGISTERED %u\n", sites);
    fflush(stdout);

    long start = now_ms();
    for (;;) {
        int on = 0;
        for (uint32_t i = 0; i < sites; i++) on += flags[i] & 1;
        if (on == (int)sites) {
            printf("ENABLED after %ld ms\n", now_ms() - start);
            return 0;
        }
        if (now_ms() - start > timeout) {
            printf("TIMEOUT %d of %u enabled\n", on, sites);
            return 3;
        }
        usleep(5000);
    }
}
