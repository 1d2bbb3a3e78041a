#define _GNU_SOURCE /* asprintf */
#include "attest_replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/ossl.h"
#include "node-attestor/attest_messages.h"
#include "node-attestor/verify/ek_id.h"
#include "node-attestor/verify/tpm_public.h"

void attest_replay_fixed(uint8_t *secret, uint8_t *nonce)
{
        memset(secret, AE_REPLAY_SECRET_BYTE, AE_ATTEST_SECRET_LEN);
        memset(nonce, AE_REPLAY_NONCE_BYTE, AE_ATTEST_NONCE_LEN);
}

static int ek_id_hex(const AePayloadMsg *p, char hex[AE_HEX_SIZE(32)])
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        TPM2B_PUBLIC pub;
        uint8_t id[32];

        GUARD(ae_tpm_public_parse(p->ek_public.data, p->ek_public.len, &pub));
        GUARD(ae_tpm_public_to_evp(&pub, &key));
        GUARD(ae_ek_pkey_sha256(key, id));
        return ae_hex_encode(id, sizeof(id), hex, AE_HEX_SIZE(32));
}

int attest_replay_policy(const uint8_t *payload, size_t payload_len, const uint8_t *response,
                         size_t response_len, const char *ca_bundle, char **ret_json)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *p = NULL;
        _cleanup_(ae_attest_response_freep) AeResponseMsg *r = NULL;
        char id[AE_HEX_SIZE(32)], golden[4096] = "";
        size_t used = 0;
        char *json;

        GUARD(ae_attest_payload_decode(payload, payload_len, &p));
        GUARD(ae_attest_response_decode(response, response_len, &r));
        GUARD(ek_id_hex(p, id));
        for (size_t i = 0; i < r->n_pcr_values; i++) {
                char hex[AE_HEX_SIZE(64)];
                int n;

                ENSURE(r->pcr_values[i]->hash_alg == 0x000b, -EINVAL); /* sha256 only */
                GUARD(ae_hex_encode(r->pcr_values[i]->digest.data, r->pcr_values[i]->digest.len,
                                    hex, sizeof(hex)));
                n = snprintf(golden + used, sizeof(golden) - used, "%s\"%u\":\"%s\"",
                             i ? "," : "", r->pcr_values[i]->index, hex);
                ENSURE(n > 0 && (size_t)n < sizeof(golden) - used, -ENOBUFS);
                used += (size_t)n;
        }
        if (ca_bundle)
                ENSURE(asprintf(&json,
                                "{\"version\":1,\"trust_domain\":\"replay.test\","
                                "\"ek\":{\"trust\":\"ca\",\"ca_bundle\":\"%s\"},"
                                "\"pcrs\":{\"quote\":" AE_REPLAY_QUOTE_PCRS ","
                                "\"golden\":{\"recorded\":{\"sha256\":{%s}}}}}",
                                ca_bundle, golden) > 0,
                       -ENOMEM);
        else
                ENSURE(asprintf(&json,
                                "{\"version\":1,\"trust_domain\":\"replay.test\","
                                "\"ek\":{\"trust\":\"allowlist\",\"allowlist\":[\"%s\"]},"
                                "\"pcrs\":{\"quote\":" AE_REPLAY_QUOTE_PCRS ","
                                "\"golden\":{\"recorded\":{\"sha256\":{%s}}}}}",
                                id, golden) > 0,
                       -ENOMEM);
        *ret_json = json;
        return 0;
}

int attest_replay_challenge_policy(const uint8_t *payload, size_t payload_len, char **ret_json)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *p = NULL;
        char id[AE_HEX_SIZE(32)], *json;

        GUARD(ae_attest_payload_decode(payload, payload_len, &p));
        GUARD(ek_id_hex(p, id));
        ENSURE(asprintf(&json,
                        "{\"version\":1,\"trust_domain\":\"replay.test\","
                        "\"ek\":{\"trust\":\"allowlist\",\"allowlist\":[\"%s\"]},"
                        "\"pcrs\":{\"quote\":" AE_REPLAY_QUOTE_PCRS ","
                        "\"golden\":{\"none\":{\"sha256\":{\"0\":\"%064d\"}}}}}",
                        id, 1) > 0,
               -ENOMEM);
        *ret_json = json;
        return 0;
}
