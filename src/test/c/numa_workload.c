/*
 * A process with known memory that keeps running, for the tests on a multi-node kernel.
 *
 * Usage: numa_workload DIR [--private PAGES] [--shared PAGES] [--sharer] [--file PATH PAGES]
 *                          [--grow PAGES]
 *
 *   --private PAGES  private anonymous pages; every page but each eighth is written (the eighth
 *                    ones are never touched and have no physical page)
 *   --shared PAGES   anonymous MAP_SHARED pages, all written
 *   --sharer         forks a child that maps the shared pages too and only sleeps: a process
 *                    outside the job that shares them (forked before anything private exists)
 *   --file PATH N    maps N pages of PATH shared (made that long) and writes them all
 *   --grow PAGES     on SIGUSR2, a thread starts allocating and writing PAGES more private pages,
 *                    64 at a time every 10 ms, while the process is migrated
 *   --pin PAGES      registers the first PAGES private pages as an io_uring fixed buffer, which
 *                    pins them for as long as the process lives (the kernel cannot migrate them;
 *                    it moves them out of movable memory first)
 *   --hold PAGES     splices the written ones of the first PAGES private pages into a pipe that
 *                    nobody reads (vmsplice): the pipe holds a reference to each, as I/O in flight
 *                    does, so the kernel can neither migrate them nor take their memory offline
 *   --touch CPU      a thread on CPU (may be given up to 8 times) that reads every written
 *                    private page, word by word, over and over: memory-bound work whose pages are
 *                    touched from that CPU's node (automatic NUMA balancing sees it); the
 *                    first one writes the count of pages all have read to DIR/touched every
 *                    100 ms, so that a benchmark can follow the throughput without a signal
 *
 * Every written page holds a pattern of its region, page and address. Once set up, the process maps
 * every page of its file mappings (its code and libraries), so that it maps no
 * new page later by running code it had not run yet: what a test counts stays what it counted.
 * Writes DIR/layout ("pagesize N", "REGION ADDRESS PAGES" per region, "sharer PID", then
 * "ready"), and on each SIGUSR1 writes DIR/report-K (K = 1, 2, ...):
 *
 *   verify OK                  or "verify BAD REGION PAGE": every written page still holds its pattern
 *   grown N                    pages the grow thread has written so far
 *   touched N                  pages the touching threads have read so far, all together
 *   nodes REGION RUNS          the node of each page of the region, in runs "NODE*COUNT", as
 *                              move_pages(2) tells the process itself; -2 for a page never touched
 *                              (the kernel answers -ENOENT, or -EFAULT where no page table exists)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define GROW_STEP 64
#define MAX_GROW_CHUNKS 65536

enum region { PRIVATE, SHARED, FILE_MAP, GROWN, REGIONS };
static const char *names[REGIONS] = {"private", "shared", "file", "grown"};

static long page_size;
static const char *dir;
static unsigned char *base[REGIONS];
static long pages[REGIONS];
static long grow_limit;
static unsigned char *chunks[MAX_GROW_CHUNKS];
static volatile long grown; /* pages written by the grow thread, chunk by chunk */
static volatile sig_atomic_t report_wanted, grow_wanted;
#define MAX_TOUCHERS 8
static int toucher_cpus[MAX_TOUCHERS];
static long pin_pages;
static long hold_pages;
static int touchers;
static volatile long touched; /* pages read by the touching threads, all together */

static int written(int region, long page) { return region != PRIVATE || page % 8 != 7; }

static uint64_t word(int region, long page, size_t i) {
    return ((uint64_t)region << 60) ^ ((uint64_t)page << 24) ^ (i * 0x9E3779B97F4A7C15ull);
}

static unsigned char *page_at(int region, long page) {
    if (region == GROWN) {
        return chunks[page / GROW_STEP] + (size_t)(page % GROW_STEP) * page_size;
    }
    return base[region] + (size_t)page * page_size;
}

static void fill(int region, long page) {
    uint64_t *words = (uint64_t *)page_at(region, page);
    for (size_t i = 0; i < page_size / sizeof(uint64_t); i++) {
        words[i] = word(region, page, i);
    }
}

static int intact(int region, long page) {
    uint64_t *words = (uint64_t *)page_at(region, page);
    for (size_t i = 0; i < page_size / sizeof(uint64_t); i++) {
        if (words[i] != word(region, page, i)) {
            return 0;
        }
    }
    return 1;
}

static void *map(long count, int flags, int fd) {
    void *p = mmap(NULL, (size_t)count * page_size, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static void *grower(void *unused) {
    (void)unused;
    struct timespec step = {0, 10000000};
    for (long chunk = 0; chunk * GROW_STEP < grow_limit && chunk < MAX_GROW_CHUNKS; chunk++) {
        chunks[chunk] = map(GROW_STEP, MAP_PRIVATE | MAP_ANONYMOUS, -1);
        for (long p = 0; p < GROW_STEP; p++) {
            fill(GROWN, chunk * GROW_STEP + p);
        }
        __atomic_store_n(&grown, (chunk + 1) * GROW_STEP, __ATOMIC_RELEASE);
        nanosleep(&step, NULL);
    }
    return NULL;
}

static void *toucher(void *arg) {
    int cpu = (int)(intptr_t)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
        fprintf(stderr, "cannot run a touching thread on CPU %d\n", cpu);
        exit(2);
    }
    int logs = cpu == toucher_cpus[0];
    int log = -1;
    if (logs) {
        char path[4096];
        snprintf(path, sizeof path, "%s/touched", dir);
        log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    struct timespec last;
    clock_gettime(CLOCK_MONOTONIC, &last);
    uint64_t sum = 0;
    for (;;) {
        for (long p = 0; p < pages[PRIVATE]; p++) {
            if (!written(PRIVATE, p)) {
                continue;
            }
            if (log >= 0 && p % 256 == 0) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if ((now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec) >= 100000000L) {
                    char line[64];
                    int n = snprintf(line, sizeof line, "%020ld\n", __atomic_load_n(&touched, __ATOMIC_RELAXED));
                    if (pwrite(log, line, (size_t)n, 0) != n) {
                        perror("touched");
                    }
                    last = now;
                }
            }
            const volatile uint64_t *words = (const volatile uint64_t *)page_at(PRIVATE, p);
            for (size_t i = 0; i < page_size / sizeof(uint64_t); i++) {
                sum += words[i];
            }
            __atomic_add_fetch(&touched, 1, __ATOMIC_RELAXED);
        }
        if (sum == 42) {
            fprintf(stderr, "unlikely\n"); /* keeps the reads */
        }
    }
    return NULL;
}

static sigjmp_buf past_end;

static void on_bus_error(int sig) {
    (void)sig;
    siglongjmp(past_end, 1);
}

/*
 * Maps every page of every readable file mapping (see the top of this file) by reading a byte of
 * each; a page past the end of its file (SIGBUS) ends that mapping.
 */
static void warm(void) {
    struct sigaction guard = {0}, old_bus, old_segv;
    guard.sa_handler = on_bus_error;
    sigaction(SIGBUS, &guard, &old_bus);
    sigaction(SIGSEGV, &guard, &old_segv);
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end;
        char perms[8];
        int path = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path) >= 3 && path > 0
            && line[path] == '/' && perms[0] == 'r') {
            volatile unsigned char sink = 0;
            if (sigsetjmp(past_end, 1) == 0) {
                for (unsigned long a = start; a < end; a += page_size) {
                    sink ^= *(volatile unsigned char *)a;
                }
            }
            (void)sink;
        }
    }
    if (maps != NULL) {
        fclose(maps);
    }
    sigaction(SIGBUS, &old_bus, NULL);
    sigaction(SIGSEGV, &old_segv, NULL);
}

static void on_signal(int sig) {
    if (sig == SIGUSR1) {
        report_wanted = 1;
    } else {
        grow_wanted = 1;
    }
}

/* The node of each page of the region, in runs. */
static void print_nodes(FILE *out, int region, long count) {
    fprintf(out, "nodes %s", names[region]);
    long batch = 4096;
    void **addresses = malloc(sizeof(void *) * batch);
    int *status = malloc(sizeof(int) * batch);
    int run_node = 0;
    long run = 0;
    for (long first = 0; first < count; first += batch) {
        long n = count - first < batch ? count - first : batch;
        for (long i = 0; i < n; i++) {
            addresses[i] = page_at(region, first + i);
        }
        if (syscall(SYS_move_pages, 0, n, addresses, NULL, status, 0) != 0) {
            fprintf(out, " error %d", errno);
            break;
        }
        for (long i = 0; i < n; i++) {
            int node = status[i] < 0 ? -2 : status[i];
            if (run > 0 && node != run_node) {
                fprintf(out, " %d*%ld", run_node, run);
                run = 0;
            }
            run_node = node;
            run++;
        }
    }
    if (run > 0) {
        fprintf(out, " %d*%ld", run_node, run);
    }
    fprintf(out, "\n");
    free(addresses);
    free(status);
}

static void report(int k) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/report.tmp", dir);
    snprintf(path, sizeof path, "%s/report-%d", dir, k);
    FILE *out = fopen(tmp, "w");
    if (out == NULL) {
        perror(tmp);
        exit(2);
    }
    long grown_now = __atomic_load_n(&grown, __ATOMIC_ACQUIRE);
    pages[GROWN] = grown_now;
    const char *bad = NULL;
    long at = -1;
    for (int r = 0; r < REGIONS && bad == NULL; r++) {
        for (long p = 0; p < pages[r] && bad == NULL; p++) {
            if (written(r, p) && !intact(r, p)) {
                bad = names[r];
                at = p;
            }
        }
    }
    if (bad == NULL) {
        fprintf(out, "verify OK\n");
    } else {
        fprintf(out, "verify BAD %s %ld\n", bad, at);
    }
    fprintf(out, "grown %ld\n", grown_now);
    fprintf(out, "touched %ld\n", __atomic_load_n(&touched, __ATOMIC_RELAXED));
    for (int r = 0; r < REGIONS; r++) {
        if (pages[r] > 0) {
            print_nodes(out, r, pages[r]);
        }
    }
    fclose(out);
    rename(tmp, path);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [--private N] [--shared N] [--sharer] [--file PATH N] [--grow N]\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    page_size = sysconf(_SC_PAGESIZE);
    const char *file = NULL;
    int sharer = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--private") == 0 && i + 1 < argc) {
            pages[PRIVATE] = atol(argv[++i]);
        } else if (strcmp(argv[i], "--shared") == 0 && i + 1 < argc) {
            pages[SHARED] = atol(argv[++i]);
        } else if (strcmp(argv[i], "--sharer") == 0) {
            sharer = 1;
        } else if (strcmp(argv[i], "--file") == 0 && i + 2 < argc) {
            file = argv[++i];
            pages[FILE_MAP] = atol(argv[++i]);
        } else if (strcmp(argv[i], "--grow") == 0 && i + 1 < argc) {
            grow_limit = atol(argv[++i]);
        } else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc) {
            pin_pages = atol(argv[++i]);
        } else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc) {
            hold_pages = atol(argv[++i]);
        } else if (strcmp(argv[i], "--touch") == 0 && i + 1 < argc && touchers < MAX_TOUCHERS) {
            toucher_cpus[touchers++] = atoi(argv[++i]);
        } else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }

    pid_t sharer_pid = 0;
    if (pages[SHARED] > 0) {
        base[SHARED] = map(pages[SHARED], MAP_SHARED | MAP_ANONYMOUS, -1);
        for (long p = 0; p < pages[SHARED]; p++) {
            fill(SHARED, p);
        }
        if (sharer) {
            sharer_pid = fork();
            if (sharer_pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;) {
                    pause();
                }
            }
        }
    }
    if (pages[PRIVATE] > 0) {
        base[PRIVATE] = map(pages[PRIVATE], MAP_PRIVATE | MAP_ANONYMOUS, -1);
        for (long p = 0; p < pages[PRIVATE]; p++) {
            if (written(PRIVATE, p)) {
                fill(PRIVATE, p);
            }
        }
    }
    if (pin_pages > 0) {
        /* A ring only to register the buffer: registration pins its pages (FOLL_LONGTERM). */
        struct io_uring_params params;
        memset(&params, 0, sizeof params);
        int ring = (int)syscall(__NR_io_uring_setup, 4, &params);
        struct iovec buffer = {base[PRIVATE], (size_t)pin_pages * page_size};
        if (ring < 0 || syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &buffer, 1) != 0) {
            perror("io_uring");
            return 2;
        }
    }
    if (hold_pages > 0) {
        /* The pipe is never read: each spliced page stays referenced while the process lives. */
        int held[2];
        if (pipe(held) != 0 || fcntl(held[1], F_SETPIPE_SZ, (int)(hold_pages * page_size)) < 0) {
            perror("pipe");
            return 2;
        }
        for (long p = 0; p < hold_pages && p < pages[PRIVATE]; p++) {
            struct iovec page = {page_at(PRIVATE, p), (size_t)page_size};
            if (written(PRIVATE, p) && vmsplice(held[1], &page, 1, 0) != (ssize_t)page_size) {
                perror("vmsplice");
                return 2;
            }
        }
    }
    if (file != NULL) {
        int fd = open(file, O_RDWR | O_CREAT, 0600);
        if (fd < 0 || ftruncate(fd, pages[FILE_MAP] * page_size) != 0) {
            perror(file);
            return 2;
        }
        base[FILE_MAP] = map(pages[FILE_MAP], MAP_SHARED, fd);
        for (long p = 0; p < pages[FILE_MAP]; p++) {
            fill(FILE_MAP, p);
        }
    }

    struct sigaction action = {0};
    action.sa_handler = on_signal;
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGUSR2, &action, NULL);
    warm();

    char path[4096];
    snprintf(path, sizeof path, "%s/layout", dir);
    FILE *layout = fopen(path, "w");
    if (layout == NULL) {
        perror(path);
        return 2;
    }
    fprintf(layout, "pagesize %ld\n", page_size);
    for (int r = 0; r < GROWN; r++) {
        if (pages[r] > 0) {
            fprintf(layout, "%s %lu %ld\n", names[r], (unsigned long)base[r], pages[r]);
        }
    }
    if (sharer_pid > 0) {
        fprintf(layout, "sharer %d\n", (int)sharer_pid);
    }
    for (int t = 0; t < touchers; t++) {
        pthread_t thread;
        pthread_create(&thread, NULL, toucher, (void *)(intptr_t)toucher_cpus[t]);
    }
    fprintf(layout, "ready\n");
    fclose(layout);

    int reports = 0;
    int growing = 0;
    struct timespec ms = {0, 1000000};
    for (;;) {
        nanosleep(&ms, NULL);
        if (grow_wanted && !growing && grow_limit > 0) {
            pthread_t grow;
            pthread_create(&grow, NULL, grower, NULL);
            growing = 1;
        }
        if (report_wanted) {
            report_wanted = 0;
            report(++reports);
        }
    }
}
