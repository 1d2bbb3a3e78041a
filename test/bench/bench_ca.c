#include "bench_ca.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "svid-issuer/ca.h"

void bench_remove_ca(const char *dir)
{
        static const char *const files[] = { AE_CA_KEY_FILE, AE_CA_CERT_FILE, AE_CA_BUNDLE_FILE,
                                             AE_CA_LOCK_FILE };
        char path[512];

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
                (void)unlink(path);
        }
        (void)rmdir(dir);
}
