/* The EK half of a payload: is this a well-formed endorsement key, does its
 * certificate (if any) belong to it, and does the policy trust it. */
#include "node-attestor/verify/node_internal.h"

#include <string.h>

#include <openssl/x509.h>

#include "common/ossl.h"
#include "node-attestor/verify/ek_id.h"
#include "node-attestor/verify/ek_parse.h"
#include "node-attestor/verify/ek_trust.h"
#include "node-attestor/verify/make_credential.h"
#include "node-attestor/verify/tpm_public.h"
#include "policy/policy.h"

static enum ae_attest_reason from_ek_reason(enum ae_ek_reason r)
{
        switch (r) {
        case AE_EK_OK: return AE_ATTEST_OK;
        case AE_EK_MALFORMED: return AE_ATTEST_EK_CERT_MALFORMED;
        case AE_EK_TOO_LARGE: return AE_ATTEST_MESSAGE_TOO_LARGE;
        case AE_EK_UNTRUSTED: return AE_ATTEST_EK_CERT_UNTRUSTED;
        case AE_EK_SIGNATURE_INVALID: return AE_ATTEST_EK_CERT_SIGNATURE_INVALID;
        case AE_EK_EXPIRED: return AE_ATTEST_EK_CERT_EXPIRED;
        case AE_EK_NOT_YET_VALID: return AE_ATTEST_EK_CERT_NOT_YET_VALID;
        case AE_EK_ISSUER_NOT_CA: return AE_ATTEST_EK_CERT_ISSUER_NOT_CA;
        default: return AE_ATTEST_EK_CERT_CHAIN_INVALID;
        }
}

/* An EK is a restricted decryption key that never leaves its TPM: the shape
 * MakeCredential relies on. */
static bool ek_shaped(const TPM2B_PUBLIC *ek)
{
        /* MakeCredential's own rules (scheme NULL, AES-128/256-CFB, ...) too:
         * an EK it would refuse is refused here, as a reason. (Its key was
         * built and checked by ae_tpm_public_parse_key already.) */
        if (ae_make_credential_check_ek_shape(ek) < 0)
                return false;
        TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                           TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED |
                           TPMA_OBJECT_DECRYPT;
        const TPMT_SYM_DEF_OBJECT *sym = ek->publicArea.type == TPM2_ALG_RSA
                                                 ? &ek->publicArea.parameters.rsaDetail.symmetric
                                                 : &ek->publicArea.parameters.eccDetail.symmetric;

        return (ek->publicArea.objectAttributes & need) == need &&
               !(ek->publicArea.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT) &&
               sym->algorithm == TPM2_ALG_AES && sym->mode.aes == TPM2_ALG_CFB;
}

/* The certificate, when present: it must be this EK's and (for the CA
 * modes) chain to a manufacturer CA. *ret_chain is the chain verdict; an
 * accepted chain goes into the verifier's cache under cache_key. */
static int check_cert(struct ae_node_verifier *v, EVP_PKEY *ek_key, const uint8_t *cert,
                      size_t cert_len, time_t now, const uint8_t cache_key[32],
                      struct node_identity *id, enum ae_attest_reason *ret_reason,
                      enum ae_attest_reason *ret_chain)
{
        _cleanup_(X509_freep) X509 *x = NULL;
        enum ae_ek_reason er = AE_EK_UNTRUSTED;
        struct ae_ek_chain_info info;
        int r = ae_ek_cert_parse(cert, cert_len, &x);

        if (r == -EBADMSG || r == -EMSGSIZE) {
                *ret_reason = r == -EBADMSG ? AE_ATTEST_EK_CERT_MALFORMED
                                            : AE_ATTEST_MESSAGE_TOO_LARGE;
                return 0;
        }
        GUARD(r);
        if (EVP_PKEY_eq(X509_get0_pubkey(x), ek_key) != 1) {
                *ret_reason = AE_ATTEST_EK_CERT_KEY_MISMATCH;
                return 0;
        }
        if (ae_ek_cert_tpm_manufacturer(x, id->manufacturer) < 0)
                id->manufacturer[0] = '\0';
        if (v->ek_trust) {
                GUARD(ae_ek_trust_check_cert(v->ek_trust, x, now, &er, &info));
                id->have_anchor = er == AE_EK_OK;
        }
        if (id->have_anchor) {
                struct ek_verdict verdict = { .have_anchor = true,
                                              .not_before = info.not_before,
                                              .not_after = info.not_after };

                memcpy(id->anchor_id, info.anchor_id, sizeof(id->anchor_id));
                memcpy(verdict.ek_id, id->ek_id, sizeof(verdict.ek_id));
                memcpy(verdict.anchor_id, info.anchor_id, sizeof(verdict.anchor_id));
                memcpy(verdict.manufacturer, id->manufacturer, sizeof(verdict.manufacturer));
                ek_cache_put(&v->ek_cache, cache_key, now, &verdict);
        }
        *ret_chain = from_ek_reason(er);
        *ret_reason = AE_ATTEST_OK;
        return 0;
}

/* The EK's public area and certificate as a whole: from the cache when this
 * exact pair was accepted before (and is still valid), else checked. */
static int check_ek_and_cert(struct ae_node_verifier *v, const uint8_t *ek_public,
                             size_t ek_public_len, const uint8_t *cert, size_t cert_len,
                             time_t now, struct node_identity *id,
                             enum ae_attest_reason *ret_reason, enum ae_attest_reason *ret_chain)
{
        uint8_t cache_key[32];
        struct ek_verdict hit;

        /* The key stays with id: MakeCredential encrypts to it. */
        if (ae_tpm_public_parse_key(ek_public, ek_public_len, &id->ek, &id->ek_key) < 0) {
                *ret_reason = AE_ATTEST_EK_PUBLIC_INVALID;
                return 0;
        }
        if (cert_len > 0) {
                GUARD(ek_cache_key(cert, cert_len, ek_public, ek_public_len, cache_key));
                if (ek_cache_get(&v->ek_cache, cache_key, now, &hit)) {
                        memcpy(id->ek_id, hit.ek_id, sizeof(id->ek_id));
                        memcpy(id->anchor_id, hit.anchor_id, sizeof(id->anchor_id));
                        memcpy(id->manufacturer, hit.manufacturer, sizeof(id->manufacturer));
                        id->have_anchor = true;
                        *ret_chain = AE_ATTEST_OK;
                        *ret_reason = AE_ATTEST_OK;
                        return 0;
                }
        }
        if (!ek_shaped(&id->ek)) {
                *ret_reason = AE_ATTEST_EK_PUBLIC_INVALID;
                return 0;
        }
        GUARD(ae_ek_pkey_sha256(id->ek_key, id->ek_id));
        *ret_chain = AE_ATTEST_EK_CERT_MISSING;
        *ret_reason = AE_ATTEST_OK;
        if (cert_len > 0)
                GUARD(check_cert(v, id->ek_key, cert, cert_len, now, cache_key, id, ret_reason,
                                 ret_chain));
        return 0;
}

int node_check_ek(struct ae_node_verifier *v, const uint8_t *ek_public, size_t ek_public_len,
                  const uint8_t *cert, size_t cert_len, time_t now, struct node_identity *id,
                  enum ae_attest_reason *ret_reason)
{
        enum ae_attest_reason chain = AE_ATTEST_EK_CERT_MISSING, reason;
        enum ae_ek_trust_mode mode = v->policy->ek.mode;
        bool allowed;

        GUARD(check_ek_and_cert(v, ek_public, ek_public_len, cert, cert_len, now, id, &reason,
                                &chain));
        if (reason != AE_ATTEST_OK) {
                *ret_reason = reason;
                return 0;
        }
        allowed = ae_policy_ek_allowed(v->policy, id->ek_id);

        switch (mode) {
        case AE_EK_TRUST_CA:
                reason = chain;
                break;
        case AE_EK_TRUST_ALLOWLIST:
                reason = allowed ? AE_ATTEST_OK : AE_ATTEST_EK_NOT_ALLOWLISTED;
                break;
        case AE_EK_TRUST_CA_OR_ALLOWLIST:
                /* Neither: say why the certificate did not do, if there was
                 * one; otherwise that the EK is not listed. */
                reason = chain == AE_ATTEST_OK || allowed ? AE_ATTEST_OK
                         : cert_len > 0                   ? chain
                                                          : AE_ATTEST_EK_NOT_ALLOWLISTED;
                break;
        case AE_EK_TRUST_CA_AND_ALLOWLIST:
                reason = chain != AE_ATTEST_OK ? chain
                         : allowed             ? AE_ATTEST_OK
                                               : AE_ATTEST_EK_NOT_ALLOWLISTED;
                break;
        default:
                return -EINVAL;
        }
        if (reason == AE_ATTEST_OK && !id->have_anchor)
                memset(id->anchor_id, 0, sizeof(id->anchor_id));
        *ret_reason = reason;
        return 0;
}
