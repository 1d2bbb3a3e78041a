/* Reading and writing the node attestation messages
 * (proto/aegis/node_attestation.proto). Decoding checks everything the
 * contract states before anyone looks at a field: total size, protobuf
 * structure, version, and every field's maximum. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "aegis/node_attestation.pb-c.h"
#include "common/cleanup.h"
#include "common/guard.h"
#include "node-attestor/attest_limits.h"

typedef Aegis__Node__V1__AttestationPayload AePayloadMsg;
typedef Aegis__Node__V1__AttestationChallenge AeChallengeMsg;
typedef Aegis__Node__V1__AttestationResponse AeResponseMsg;
typedef Aegis__Node__V1__PcrValue AePcrValueMsg;

/* Each returns 0 and the unpacked message (free with the matching _free), or
 * -EMSGSIZE (message or a field over its maximum), -EBADMSG (not a valid
 * message), -EPROTONOSUPPORT (version other than AE_ATTEST_VERSION). */
AE_MUST_USE int ae_attest_payload_decode(const uint8_t *buf, size_t len, AePayloadMsg **ret);
AE_MUST_USE int ae_attest_challenge_decode(const uint8_t *buf, size_t len, AeChallengeMsg **ret);
AE_MUST_USE int ae_attest_response_decode(const uint8_t *buf, size_t len, AeResponseMsg **ret);

void ae_attest_payload_free(AePayloadMsg *m);
void ae_attest_challenge_free(AeChallengeMsg *m);
void ae_attest_response_free(AeResponseMsg *m);
AE_DEFINE_CLEANUP(AePayloadMsg *, ae_attest_payload_free)
AE_DEFINE_CLEANUP(AeChallengeMsg *, ae_attest_challenge_free)
AE_DEFINE_CLEANUP(AeResponseMsg *, ae_attest_response_free)

/* Pack any of the three into a malloc'd buffer; -EMSGSIZE over
 * AE_ATTEST_MESSAGE_MAX. */
AE_MUST_USE int ae_attest_pack(const ProtobufCMessage *m, uint8_t **ret, size_t *ret_len);

/* A protobuf bytes field pointing at caller memory (no copy). */
static inline ProtobufCBinaryData ae_attest_bytes(const void *p, size_t n)
{
        return (ProtobufCBinaryData){ .len = n, .data = (uint8_t *)p };
}
