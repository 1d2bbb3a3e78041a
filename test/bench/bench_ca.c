#include "bench_ca.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "svid-issuer/ca.h"

void bench_claims(struct ae_claims *c, const char *workload_id)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POR;
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", workload_id);
        memset(c->workload.code_hash, 'a', 64);
        c->tpm.present = true;
        memset(c->tpm.ek_hash, 'b', 64);
        strcpy(c->tpm.ak_name, "000b");
        memset(c->tpm.ak_name + 4, 'c', 64);
        strcpy(c->tpm.pcr_policy, "base");
        memset(c->tpm.pcr_digest, 'd', 64);
        c->tpm.attested_at = 1795238298;
}

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
