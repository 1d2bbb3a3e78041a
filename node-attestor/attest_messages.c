#include "node-attestor/attest_messages.h"

#include <stdlib.h>

#define FIELD_OK(f, max) ((f).len <= (max))

void ae_attest_payload_free(AePayloadMsg *m)
{
        if (m)
                aegis__node__v1__attestation_payload__free_unpacked(m, NULL);
}

void ae_attest_challenge_free(AeChallengeMsg *m)
{
        if (m)
                aegis__node__v1__attestation_challenge__free_unpacked(m, NULL);
}

void ae_attest_response_free(AeResponseMsg *m)
{
        if (m)
                aegis__node__v1__attestation_response__free_unpacked(m, NULL);
}

int ae_attest_payload_decode(const uint8_t *buf, size_t len, AePayloadMsg **ret)
{
        _cleanup_(ae_attest_payload_freep) AePayloadMsg *m = NULL;

        ENSURE(len <= AE_ATTEST_MESSAGE_MAX, -EMSGSIZE);
        m = aegis__node__v1__attestation_payload__unpack(NULL, len, buf);
        ENSURE(m, -EBADMSG);
        ENSURE(m->version == AE_ATTEST_VERSION, -EPROTONOSUPPORT);
        ENSURE(FIELD_OK(m->ek_certificate, AE_ATTEST_EK_CERT_MAX) &&
                       FIELD_OK(m->ek_public, AE_ATTEST_TPM_PUBLIC_MAX) &&
                       FIELD_OK(m->ak_public, AE_ATTEST_TPM_PUBLIC_MAX) &&
                       FIELD_OK(m->location_sensor, AE_ATTEST_LOCATION_SENSOR_MAX),
               -EMSGSIZE);
        *ret = TAKE_PTR(m);
        return 0;
}

int ae_attest_challenge_decode(const uint8_t *buf, size_t len, AeChallengeMsg **ret)
{
        _cleanup_(ae_attest_challenge_freep) AeChallengeMsg *m = NULL;

        ENSURE(len <= AE_ATTEST_MESSAGE_MAX, -EMSGSIZE);
        m = aegis__node__v1__attestation_challenge__unpack(NULL, len, buf);
        ENSURE(m, -EBADMSG);
        ENSURE(m->version == AE_ATTEST_VERSION, -EPROTONOSUPPORT);
        ENSURE(FIELD_OK(m->credential_blob, AE_ATTEST_CREDENTIAL_BLOB_MAX) &&
                       FIELD_OK(m->encrypted_secret, AE_ATTEST_ENCRYPTED_SECRET_MAX) &&
                       FIELD_OK(m->pcr_selection, AE_ATTEST_PCR_SELECTION_MAX),
               -EMSGSIZE);
        ENSURE(m->nonce.len == AE_ATTEST_NONCE_LEN, -EBADMSG);
        *ret = TAKE_PTR(m);
        return 0;
}

int ae_attest_response_decode(const uint8_t *buf, size_t len, AeResponseMsg **ret)
{
        _cleanup_(ae_attest_response_freep) AeResponseMsg *m = NULL;

        ENSURE(len <= AE_ATTEST_MESSAGE_MAX, -EMSGSIZE);
        m = aegis__node__v1__attestation_response__unpack(NULL, len, buf);
        ENSURE(m, -EBADMSG);
        ENSURE(m->version == AE_ATTEST_VERSION, -EPROTONOSUPPORT);
        ENSURE(FIELD_OK(m->activated_secret, AE_ATTEST_SECRET_MAX) &&
                       FIELD_OK(m->quote, AE_ATTEST_QUOTE_MAX) &&
                       FIELD_OK(m->quote_signature, AE_ATTEST_SIGNATURE_MAX) &&
                       FIELD_OK(m->location_claim, AE_ATTEST_LOCATION_CLAIM_MAX) &&
                       m->n_pcr_values <= AE_ATTEST_PCR_VALUES_MAX,
               -EMSGSIZE);
        for (size_t i = 0; i < m->n_pcr_values; i++)
                ENSURE(m->pcr_values[i]->digest.len <= 64, -EMSGSIZE);
        *ret = TAKE_PTR(m);
        return 0;
}

int ae_attest_pack(const ProtobufCMessage *m, uint8_t **ret, size_t *ret_len)
{
        size_t n = protobuf_c_message_get_packed_size(m);
        uint8_t *buf;

        ENSURE(n <= AE_ATTEST_MESSAGE_MAX, -EMSGSIZE);
        buf = malloc(n ? n : 1);
        ENSURE_ALLOC(buf);
        ENSURE(protobuf_c_message_pack(m, buf) == n, (free(buf), -EIO));
        *ret = buf;
        *ret_len = n;
        return 0;
}
