/* Step 1 of node attestation on the server: payload in, challenge out. */
#include "node-attestor/verify/node_verifier.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/ct.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/verify/ek_trust.h"
#include "node-attestor/verify/make_credential.h"
#include "node-attestor/verify/node_internal.h"
#include "policy/policy.h"

_Static_assert(AE_MAKE_CREDENTIAL_BLOB_MAX <= AE_ATTEST_CREDENTIAL_BLOB_MAX &&
                       AE_MAKE_CREDENTIAL_ENC_SECRET_MAX <= AE_ATTEST_ENCRYPTED_SECRET_MAX,
               "every credential MakeCredential makes fits the challenge's limits");

int ae_node_verifier_new(const struct ae_policy *policy, struct ae_node_verifier **ret)
{
        _cleanup_(ae_node_verifier_freep) struct ae_node_verifier *v = NULL;

        ENSURE(policy && ret, -EINVAL);
        v = calloc(1, sizeof(*v));
        ENSURE_ALLOC(v);
        v->policy = policy;
        GUARD(ek_cache_init(&v->ek_cache, AE_EK_CACHE_TTL_DEFAULT));
        if (policy->ek.mode != AE_EK_TRUST_ALLOWLIST)
                GUARD(ae_ek_trust_load_file(policy->ek.ca_bundle, &v->ek_trust));
        *ret = TAKE_PTR(v);
        return 0;
}

void ae_node_verifier_free(struct ae_node_verifier *v)
{
        if (!v)
                return;
        ae_ek_trust_free(v->ek_trust);
        ek_cache_fini(&v->ek_cache);
        free(v);
}

void ae_node_pending_free(struct ae_node_pending *p)
{
        if (!p)
                return;
        node_identity_clear(&p->id);
        free(p->sensor);
        free(p->location_claim);
        ae_wipe(p, sizeof(*p)); /* the credential secret and nonce */
        free(p);
}

void ae_node_pending_ek_id(const struct ae_node_pending *p, uint8_t ret[32])
{
        memcpy(ret, p->id.ek_id, sizeof(p->id.ek_id));
}

static enum ae_attest_reason decode_reason(int r)
{
        return r == -EMSGSIZE          ? AE_ATTEST_MESSAGE_TOO_LARGE
               : r == -EPROTONOSUPPORT ? AE_ATTEST_VERSION_UNSUPPORTED
                                       : AE_ATTEST_MESSAGE_MALFORMED;
}

/* The challenge message for a checked identity; fills the pending secrets. */
static int make_challenge(const struct ae_node_verifier *v, struct ae_node_pending *p,
                          uint8_t **ret, size_t *ret_len)
{
        AeChallengeMsg m = AEGIS__NODE__V1__ATTESTATION_CHALLENGE__INIT;
        uint8_t blob[AE_MAKE_CREDENTIAL_BLOB_MAX], enc[AE_MAKE_CREDENTIAL_ENC_SECRET_MAX];
        uint8_t sel[AE_ATTEST_PCR_SELECTION_MAX];
        size_t blob_len, enc_len, sel_len;
        int r;

        p->selection = v->policy->quote_pcrs;
        GUARD(ae_make_credential_with_key(&p->id.ek, p->id.ek_key, p->id.ak_name,
                                          p->id.ak_name_len, p->secret, sizeof(p->secret), blob,
                                          sizeof(blob), &blob_len, enc, sizeof(enc), &enc_len));
        GUARD(ae_pcr_selection_marshal(&p->selection, sel, sizeof(sel), &sel_len));

        m.version = AE_ATTEST_VERSION;
        m.credential_blob = ae_attest_bytes(blob, blob_len);
        m.encrypted_secret = ae_attest_bytes(enc, enc_len);
        m.nonce = ae_attest_bytes(p->nonce, sizeof(p->nonce));
        m.pcr_selection = ae_attest_bytes(sel, sel_len);
        m.location_required = p->location_required;
        r = ae_attest_pack(&m.base, ret, ret_len);
        ae_wipe(blob, sizeof(blob));
        ae_wipe(enc, sizeof(enc));
        return r;
}

int ae_node_challenge(struct ae_node_verifier *v, const uint8_t *payload, size_t payload_len,
                      time_t now, uint8_t **ret_challenge, size_t *ret_challenge_len,
                      struct ae_node_pending **ret_pending, enum ae_attest_reason *ret_reason)
{
        uint8_t secret[AE_ATTEST_SECRET_LEN], nonce[AE_ATTEST_NONCE_LEN];
        int r;

        ENSURE(RAND_bytes(secret, sizeof(secret)) == 1, -EIO);
        ENSURE(RAND_bytes(nonce, sizeof(nonce)) == 1, -EIO);
        r = node_challenge_with(v, payload, payload_len, now, secret, nonce, ret_challenge,
                                ret_challenge_len, ret_pending, ret_reason);
        ae_wipe(secret, sizeof(secret));
        return r;
}

int node_challenge_with(struct ae_node_verifier *v, const uint8_t *payload, size_t payload_len,
                        time_t now, const uint8_t secret[AE_ATTEST_SECRET_LEN],
                        const uint8_t nonce[AE_ATTEST_NONCE_LEN], uint8_t **ret_challenge,
                        size_t *ret_challenge_len, struct ae_node_pending **ret_pending,
                        enum ae_attest_reason *ret_reason)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = NULL;
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *p = NULL;
        enum ae_attest_reason reason;
        int r;

        ENSURE(v && (payload || payload_len == 0) && ret_challenge && ret_challenge_len &&
                       ret_pending && ret_reason,
               -EINVAL);
        r = ae_attest_payload_decode(payload, payload_len, &m);
        if (r < 0) {
                *ret_reason = decode_reason(r);
                return 0;
        }
        p = calloc(1, sizeof(*p));
        ENSURE_ALLOC(p);
        memcpy(p->secret, secret, sizeof(p->secret));
        memcpy(p->nonce, nonce, sizeof(p->nonce));

        GUARD(node_check_ek(v, m->ek_public.data, m->ek_public.len, m->ek_certificate.data,
                            m->ek_certificate.len, now, &p->id, &reason));
        if (reason == AE_ATTEST_OK)
                GUARD(node_check_ak(m->ak_public.data, m->ak_public.len, &p->id, &reason));
        if (reason != AE_ATTEST_OK) {
                *ret_reason = reason;
                return 0;
        }
        /* The sensor is checked against the claim the quote covers (step 2). */
        if (m->location_sensor.len) {
                p->sensor = malloc(m->location_sensor.len);
                ENSURE_ALLOC(p->sensor);
                memcpy(p->sensor, m->location_sensor.data, m->location_sensor.len);
                p->sensor_len = m->location_sensor.len;
        }
        p->location_required = v->policy->location.required;
        GUARD(make_challenge(v, p, ret_challenge, ret_challenge_len));
        *ret_pending = TAKE_PTR(p);
        *ret_reason = AE_ATTEST_OK;
        return 0;
}
