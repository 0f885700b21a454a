/*
 * A process with known memory, for the Linux backend tests.
 *
 * Usage: touch_memory FILE
 *
 * Maps ANON_PAGES private anonymous pages and writes a pattern to every page but each fourth
 * (those stay untouched, never backed by a physical page); maps SHARED_PAGES of anonymous
 * MAP_SHARED memory and FILE_PAGES of FILE (MAP_SHARED, which must be that long) and writes the
 * pattern to all of them. Prints the page size and each region's address and size, then "ready",
 * and answers commands on stdin, one per line:
 *
 *   verify   prints "OK" when every written page still holds its pattern, else "BAD region page"
 *   poke N   changes private page N (and what verify expects of it); prints "poked"
 *   exit     exits with status 0 (so does the end of stdin)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ANON_PAGES 64
#define SHARED_PAGES 16
#define FILE_PAGES 8

static long page_size;
static unsigned generation[ANON_PAGES];

static int touched(int page) { return page % 4 != 3; }

static uint64_t word(int region, int page, unsigned gen, size_t i) {
    return ((uint64_t)region << 56) ^ ((uint64_t)page << 40) ^ ((uint64_t)gen << 32) ^ (i * 0x9E3779B1u);
}

static void fill(int region, unsigned char *base, int page, unsigned gen) {
    uint64_t *words = (uint64_t *)(base + (size_t)page * page_size);
    for (size_t i = 0; i < page_size / sizeof(uint64_t); i++) {
        words[i] = word(region, page, gen, i);
    }
}

static int intact(int region, unsigned char *base, int page, unsigned gen) {
    uint64_t *words = (uint64_t *)(base + (size_t)page * page_size);
    for (size_t i = 0; i < page_size / sizeof(uint64_t); i++) {
        if (words[i] != word(region, page, gen, i)) {
            return 0;
        }
    }
    return 1;
}

static void *map(size_t pages, int flags, int fd) {
    void *p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    page_size = sysconf(_SC_PAGESIZE);
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    unsigned char *anon = map(ANON_PAGES, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    unsigned char *shared = map(SHARED_PAGES, MAP_SHARED | MAP_ANONYMOUS, -1);
    unsigned char *file = map(FILE_PAGES, MAP_SHARED, fd);
    for (int p = 0; p < ANON_PAGES; p++) {
        if (touched(p)) {
            fill(0, anon, p, 0);
        }
    }
    for (int p = 0; p < SHARED_PAGES; p++) {
        fill(1, shared, p, 0);
    }
    for (int p = 0; p < FILE_PAGES; p++) {
        fill(2, file, p, 0);
    }
    printf("pagesize %ld\n", page_size);
    printf("anon %lu %d\n", (unsigned long)anon, ANON_PAGES);
    printf("shared %lu %d\n", (unsigned long)shared, SHARED_PAGES);
    printf("file %lu %d\n", (unsigned long)file, FILE_PAGES);
    printf("ready\n");

    char line[128];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "verify", 6) == 0) {
            const char *bad = NULL;
            int at = -1;
            for (int p = 0; p < ANON_PAGES && bad == NULL; p++) {
                if (touched(p) && !intact(0, anon, p, generation[p])) {
                    bad = "anon";
                    at = p;
                }
            }
            for (int p = 0; p < SHARED_PAGES && bad == NULL; p++) {
                if (!intact(1, shared, p, 0)) {
                    bad = "shared";
                    at = p;
                }
            }
            for (int p = 0; p < FILE_PAGES && bad == NULL; p++) {
                if (!intact(2, file, p, 0)) {
                    bad = "file";
                    at = p;
                }
            }
            if (bad == NULL) {
                printf("OK\n");
            } else {
                printf("BAD %s %d\n", bad, at);
            }
        } else if (strncmp(line, "poke ", 5) == 0) {
            int p = atoi(line + 5);
            if (p >= 0 && p < ANON_PAGES && touched(p)) {
                fill(0, anon, p, ++generation[p]);
            }
            printf("poked\n");
        } else if (strncmp(line, "exit", 4) == 0) {
            break;
        }
    }
    return 0;
}
