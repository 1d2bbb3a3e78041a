/* A Workload API answer (FetchX509SVID's response, from the agent's
 * socket) through svid-issuer/rp_workload_api's decoder, as a service
 * using it would receive it. Property: a refusal leaves nothing behind; an
 * accepted SVID has a leaf whose key is the one decoded and a bundle with
 * the SVID's trust domain. The seeds were made for the corpus (a
 * throwaway CA and key). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "spiffe/workload.pb-c.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_workload_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        X509SVIDResponse *m = x509_svidresponse__unpack(NULL, size, data);
        struct ae_rp_workload_svid svid = { 0 };
        const char *why = NULL;

        if (!m)
                return 0;
        if (ae_rp_workload_svid_decode(m, &svid, &why) == 0) {
                if (!svid.leaf || !svid.key || !svid.bundle || !svid.intermediates ||
                    X509_check_private_key(svid.leaf, svid.key) != 1 ||
                    ae_rp_bundle_count(svid.bundle) == 0 ||
                    strncmp(svid.spiffe_id, "spiffe://", 9) != 0)
                        abort();
        } else if (!why || svid.leaf || svid.key || svid.bundle) {
                abort();
        }
        ae_rp_workload_svid_clear(&svid);
        x509_svidresponse__free_unpacked(m, NULL);
        ERR_clear_error();
        return 0;
}
