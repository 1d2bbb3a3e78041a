#include "check_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int ae_check_run(Suite *s)
{
        SRunner *sr = srunner_create(s);
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *ae_test_env(const char *name)
{
        const char *v = getenv(name);

        if (!v || !*v) {
                fprintf(stderr, "fixture variable %s is not set; run through ctest\n", name);
                exit(EXIT_FAILURE);
        }
        return v;
}

int ae_test_shared_path(const char *rel, char *buf, size_t size)
{
        const char *root = getenv("AEGIS_SHARED_DIR");
        int n;

        if (!root || !*root)
                root = "../shared";
        n = snprintf(buf, size, "%s/%s", root, rel);
        if (n < 0 || (size_t)n >= size)
                return -ENAMETOOLONG;
        if (access(buf, R_OK) != 0)
                return -ENOENT;
        return 0;
}
