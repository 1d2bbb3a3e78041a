#include "node-attestor/tpm/node_agent.h"

#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include "common/ct.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/qualifying_data.h"
#include "node-attestor/tpm/activate.h"
#include "node-attestor/tpm/pcr_read.h"
#include "node-attestor/tpm/quote.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/tpm/tpm_error.h"

/* Tries at a quote whose PCR values did not change before they were read. */
#define QUOTE_ATTEMPTS 3

struct ae_node_agent {
        struct ae_tpm *tpm;
        struct ae_tpm_key *ek;
        struct ae_tpm_key *ak;
        uint8_t *ek_cert; /* NULL when the TPM has none */
        size_t ek_cert_len;
};

void ae_node_agent_free(struct ae_node_agent *a)
{
        if (!a)
                return;
        /* Keys first: they are flushed through the TPM connection. */
        ae_tpm_key_free(a->ak);
        ae_tpm_key_free(a->ek);
        ae_tpm_close(a->tpm);
        free(a->ek_cert);
        free(a);
}

const char *ae_node_agent_last_error(const struct ae_node_agent *a)
{
        return a ? ae_tpm_last_error(a->tpm) : ae_tpm_last_error(NULL);
}

bool ae_node_agent_has_ek_cert(const struct ae_node_agent *a)
{
        return a->ek_cert != NULL;
}

static int open_keys(struct ae_node_agent *a, const struct ae_node_agent_config *cfg)
{
        int r;

        GUARD(ae_tpm_ek_create(a->tpm, cfg->ek_alg, &a->ek));
        r = ae_tpm_ek_cert_read(a->tpm, cfg->ek_alg, &a->ek_cert, &a->ek_cert_len);
        if (r == -ENOENT)
                a->ek_cert = NULL; /* allowlist-only EK */
        else
                GUARD(r);
        return ae_tpm_ak_create(a->tpm, a->ek, cfg->ak_alg, cfg->ak_handle, &a->ak);
}

int ae_node_agent_open(const struct ae_node_agent_config *cfg, struct ae_node_agent **ret)
{
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *a = NULL;
        int r;

        ENSURE(cfg && ret, -EINVAL);
        a = calloc(1, sizeof(*a));
        ENSURE_ALLOC(a);
        GUARD(ae_tpm_open(cfg->tcti, &a->tpm)); /* its error is the thread's */
        r = open_keys(a, cfg);
        if (r < 0) /* the handle's error goes with it: keep it for the caller */
                return ae_tpm_errorf(NULL, r, "%s", ae_tpm_last_error(a->tpm));
        *ret = TAKE_PTR(a);
        return 0;
}

int ae_node_agent_payload(struct ae_node_agent *a, const uint8_t *sensor, size_t sensor_len,
                          uint8_t **ret, size_t *ret_len)
{
        AePayloadMsg m = AEGIS__NODE__V1__ATTESTATION_PAYLOAD__INIT;
        uint8_t ek[AE_TPM_PUBLIC_MAX], ak[AE_TPM_PUBLIC_MAX];
        size_t ek_len, ak_len;

        ENSURE(a && ret && ret_len && (sensor || sensor_len == 0), -EINVAL);
        ENSURE(sensor_len <= AE_ATTEST_LOCATION_SENSOR_MAX, -EMSGSIZE);
        GUARD(ae_tpm_key_public_marshal(a->ek, ek, sizeof(ek), &ek_len));
        GUARD(ae_tpm_key_public_marshal(a->ak, ak, sizeof(ak), &ak_len));
        m.version = AE_ATTEST_VERSION;
        m.ek_certificate = ae_attest_bytes(a->ek_cert, a->ek_cert ? a->ek_cert_len : 0);
        m.ek_public = ae_attest_bytes(ek, ek_len);
        m.ak_public = ae_attest_bytes(ak, ak_len);
        m.location_sensor = ae_attest_bytes(sensor, sensor_len);
        return ae_attest_pack(&m.base, ret, ret_len);
}

/* The response message's PCR values point into vals. */
static void fill_pcr_values(const struct ae_pcr_values *vals, AePcrValueMsg *msgs,
                            AePcrValueMsg **ptrs)
{
        for (size_t i = 0; i < vals->count; i++) {
                aegis__node__v1__pcr_value__init(&msgs[i]);
                msgs[i].hash_alg = vals->v[i].bank;
                msgs[i].index = vals->v[i].index;
                msgs[i].digest = ae_attest_bytes(vals->v[i].digest, vals->v[i].size);
                ptrs[i] = &msgs[i];
        }
}

/* Whether the PCR values read after the quote are the ones it covers. */
static int values_match_quote(const uint8_t *attest, size_t attest_len,
                              const TPML_PCR_SELECTION *sel, const struct ae_pcr_values *vals,
                              TPMI_ALG_HASH hash, bool *ret_match)
{
        TPMS_ATTEST a;
        uint8_t digest[AE_PCR_DIGEST_MAX];
        size_t off = 0, len;

        memset(&a, 0, sizeof(a));
        ENSURE(Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &off, &a) == TSS2_RC_SUCCESS,
               -EPROTO);
        GUARD(ae_pcr_digest(sel, vals, hash, digest, sizeof(digest), &len, NULL));
        *ret_match = a.attested.quote.pcrDigest.size == len &&
                     memcmp(a.attested.quote.pcrDigest.buffer, digest, len) == 0;
        return 0;
}

/* Quote, then read the quoted PCRs. A PCR extended between the two (a
 * measurement landing at that moment) would make an honest node fail
 * verification, so the agent checks its own answer and tries again. */
static int quote_consistent(struct ae_node_agent *a, const uint8_t *qualifying,
                            const TPML_PCR_SELECTION *sel, uint8_t *attest, size_t attest_cap,
                            size_t *ret_attest_len, uint8_t *sig, size_t sig_cap,
                            size_t *ret_sig_len, struct ae_pcr_values *ret_vals)
{
        /* The AKs Aegis creates sign with SHA-256, the quote digest's hash. */
        const TPMI_ALG_HASH hash = TPM2_ALG_SHA256;

        for (int attempt = 0; attempt < QUOTE_ATTEMPTS; attempt++) {
                bool match = false;

                GUARD(ae_tpm_quote(a->tpm, a->ak, qualifying, AE_QUALIFYING_DATA_LEN, sel, attest,
                                   attest_cap, ret_attest_len, sig, sig_cap, ret_sig_len));
                GUARD(ae_tpm_pcr_read(a->tpm, sel, ret_vals));
                GUARD(values_match_quote(attest, *ret_attest_len, sel, ret_vals, hash, &match));
                if (match)
                        return 0;
        }
        return ae_tpm_errorf(a->tpm, -EAGAIN,
                             "PCRs kept changing between quote and read (%d tries)",
                             QUOTE_ATTEMPTS);
}

int ae_node_agent_respond(struct ae_node_agent *a, const uint8_t *challenge, size_t challenge_len,
                          const uint8_t *location_claim, size_t claim_len, uint8_t **ret,
                          size_t *ret_len)
{
        _cleanup_(ae_attest_challenge_freep) AeChallengeMsg *c = NULL;
        AeResponseMsg m = AEGIS__NODE__V1__ATTESTATION_RESPONSE__INIT;
        AePcrValueMsg value_msgs[AE_ATTEST_PCR_VALUES_MAX];
        AePcrValueMsg *value_ptrs[AE_ATTEST_PCR_VALUES_MAX];
        uint8_t secret[AE_ATTEST_SECRET_MAX], qualifying[AE_QUALIFYING_DATA_LEN];
        uint8_t attest[AE_ATTEST_QUOTE_MAX], sig[AE_ATTEST_SIGNATURE_MAX];
        size_t secret_len = 0, attest_len, sig_len;
        struct ae_pcr_values vals;
        TPML_PCR_SELECTION sel;
        int r;

        ENSURE(a && ret && ret_len && (location_claim || claim_len == 0), -EINVAL);
        ENSURE(claim_len <= AE_ATTEST_LOCATION_CLAIM_MAX, -EMSGSIZE);
        GUARD(ae_attest_challenge_decode(challenge, challenge_len, &c));
        GUARD(ae_pcr_selection_unmarshal(c->pcr_selection.data, c->pcr_selection.len, &sel));
        ENSURE(ae_pcr_selection_count(&sel) <= AE_ATTEST_PCR_VALUES_MAX, -EMSGSIZE);

        GUARD(ae_tpm_activate_credential(a->tpm, a->ak, a->ek, c->credential_blob.data,
                                         c->credential_blob.len, c->encrypted_secret.data,
                                         c->encrypted_secret.len, secret, sizeof(secret),
                                         &secret_len));
        r = ae_attest_qualifying_data(c->nonce.data, location_claim, claim_len, qualifying);
        if (r >= 0)
                r = quote_consistent(a, qualifying, &sel, attest, sizeof(attest), &attest_len,
                                     sig, sizeof(sig), &sig_len, &vals);
        if (r < 0) {
                ae_wipe(secret, sizeof(secret));
                return r;
        }

        fill_pcr_values(&vals, value_msgs, value_ptrs);
        m.version = AE_ATTEST_VERSION;
        m.activated_secret = ae_attest_bytes(secret, secret_len);
        m.quote = ae_attest_bytes(attest, attest_len);
        m.quote_signature = ae_attest_bytes(sig, sig_len);
        m.n_pcr_values = vals.count;
        m.pcr_values = value_ptrs;
        m.location_claim = ae_attest_bytes(location_claim, claim_len);
        r = ae_attest_pack(&m.base, ret, ret_len);
        ae_wipe(secret, sizeof(secret));
        return r;
}
