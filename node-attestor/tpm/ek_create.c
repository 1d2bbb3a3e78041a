#include "node-attestor/tpm/keys.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "node-attestor/tpm/key_internal.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

/* TCG EK Credential Profile 2.0, B.3.3 (template L-1) and B.3.4 (L-2). */
#define EK_ATTRIBUTES                                                                      \
        (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |   \
         TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)

/* PolicySecret(TPM_RH_ENDORSEMENT) under SHA-256 (profile B.3.2): only the
 * endorsement hierarchy's owner may use the EK. */
static const uint8_t ek_auth_policy[32] = {
        0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
        0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
        0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

static int ek_template(enum ae_tpm_ek_alg alg, TPM2B_PUBLIC *t)
{
        const TPMT_SYM_DEF_OBJECT aes128cfb = {
                .algorithm = TPM2_ALG_AES,
                .keyBits.aes = 128,
                .mode.aes = TPM2_ALG_CFB,
        };

        memset(t, 0, sizeof(*t));
        t->publicArea.nameAlg = TPM2_ALG_SHA256;
        t->publicArea.objectAttributes = EK_ATTRIBUTES;
        t->publicArea.authPolicy.size = sizeof(ek_auth_policy);
        memcpy(t->publicArea.authPolicy.buffer, ek_auth_policy, sizeof(ek_auth_policy));

        /* The zeroed unique fields are part of the template: they make the
         * TPM derive the same key from the endorsement seed as every other
         * tool that follows the profile (tpm2_createek, the manufacturer). */
        switch (alg) {
        case AE_TPM_EK_RSA2048:
                t->publicArea.type = TPM2_ALG_RSA;
                t->publicArea.parameters.rsaDetail.symmetric = aes128cfb;
                t->publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
                t->publicArea.parameters.rsaDetail.keyBits = 2048;
                t->publicArea.parameters.rsaDetail.exponent = 0;
                t->publicArea.unique.rsa.size = 256;
                return 0;
        case AE_TPM_EK_ECC_P256:
                t->publicArea.type = TPM2_ALG_ECC;
                t->publicArea.parameters.eccDetail.symmetric = aes128cfb;
                t->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
                t->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
                t->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
                t->publicArea.unique.ecc.x.size = 32;
                t->publicArea.unique.ecc.y.size = 32;
                return 0;
        default:
                return -EINVAL;
        }
}

int ae_tpm_ek_create(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg, struct ae_tpm_key **ret)
{
        _cleanup_esys_flush_ struct ae_esys_flush ek = { .esys = NULL, .tr = ESYS_TR_NONE };
        _cleanup_esys_ TPM2B_PUBLIC *pub = NULL;
        _cleanup_esys_ TPM2B_NAME *name = NULL;
        const TPM2B_SENSITIVE_CREATE sensitive = { .size = 0 };
        const TPM2B_DATA outside = { .size = 0 };
        const TPML_PCR_SELECTION no_pcrs = { .count = 0 };
        TPM2B_PUBLIC tmpl;

        ENSURE(tpm && ret, -EINVAL);
        ENSURE(ek_template(alg, &tmpl) == 0,
               ae_tpm_errorf(tpm, -EINVAL, "unknown EK algorithm %d", (int)alg));

        ek.esys = tpm->esys;
        GUARD(ae_tpm_rc(tpm, "Esys_CreatePrimary(EK)",
                        Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD,
                                           ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &tmpl,
                                           &outside, &no_pcrs, &ek.tr, &pub, NULL, NULL, NULL)));
        /* What the TPM says it made is checked, not assumed: a key of the
         * wrong shape must not be presented as this TPM's EK. */
        ENSURE(pub->publicArea.type == tmpl.publicArea.type &&
                       pub->publicArea.nameAlg == TPM2_ALG_SHA256 &&
                       pub->publicArea.objectAttributes == EK_ATTRIBUTES,
               ae_tpm_errorf(tpm, -EPROTO, "CreatePrimary made a %s EK unlike its template",
                             ae_tpm_ek_alg_name(alg)));
        GUARD(ae_tpm_rc(tpm, "Esys_TR_GetName", Esys_TR_GetName(tpm->esys, ek.tr, &name)));

        GUARD(ae_tpm_key_new(tpm, AE_TPM_KEY_EK, ek.tr, 0, pub, name, ret));
        ek.tr = ESYS_TR_NONE;
        return 0;
}
