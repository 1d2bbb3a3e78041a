/* Replay driver: runs a fuzz target's entry point once on every file of a
 * seed corpus directory (or on the files given). Linked instead of libFuzzer
 * in builds without clang, so every build checks the corpus still runs
 * cleanly; with AEGIS_SANITIZE it runs under ASan+UBSan. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int main(int argc, char **argv);

#define REPLAY_MAX_INPUT (1u << 20)

static int run_file(const char *path)
{
        uint8_t *data = NULL, *copy;
        size_t len = 0;
        int r = ae_file_read(path, REPLAY_MAX_INPUT, &data, &len);

        if (r < 0) {
                fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(-r));
                return -1;
        }
        /* An exact-size heap copy, so ASan sees reads past the input's end. */
        copy = malloc(len ? len : 1);
        if (!copy) {
                free(data);
                return -1;
        }
        memcpy(copy, data, len);
        free(data);
        LLVMFuzzerTestOneInput(copy, len);
        free(copy);
        return 0;
}

static int run_path(const char *path, unsigned *count)
{
        struct stat st;
        struct dirent **names;
        int n, failed = 0;

        if (stat(path, &st) != 0) {
                fprintf(stderr, "replay: %s: not found\n", path);
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*count)++;
                return run_file(path);
        }
        /* Sorted, so a failure reproduces in the same order. */
        n = scandir(path, &names, NULL, alphasort);
        if (n < 0)
                return -1;
        for (int i = 0; i < n; i++) {
                char sub[4096];

                if (names[i]->d_name[0] != '.') {
                        snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
                        if (run_path(sub, count) < 0)
                                failed = 1;
                }
                free(names[i]);
        }
        free(names);
        return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
        unsigned count = 0;
        int failed = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &count) < 0)
                        failed = 1;
        if (count == 0) {
                fprintf(stderr, "replay: no inputs found\n");
                return 1;
        }
        printf("replayed %u inputs\n", count);
        return failed;
}
