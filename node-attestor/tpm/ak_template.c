#include "node-attestor/tpm/ak_template.h"

#include <errno.h>
#include <string.h>

const char *ae_tpm_ak_alg_name(enum ae_tpm_ak_alg alg)
{
        switch (alg) {
        case AE_TPM_AK_ECC_P256:
                return "ECC NIST P-256";
        case AE_TPM_AK_RSA2048:
                return "RSA-2048";
        default:
                return "unknown";
        }
}

int ae_tpm_ak_template(enum ae_tpm_ak_alg alg, TPM2B_PUBLIC *ret)
{
        TPMT_PUBLIC *p = &ret->publicArea;

        ENSURE(alg == AE_TPM_AK_ECC_P256 || alg == AE_TPM_AK_RSA2048, -EINVAL);
        memset(ret, 0, sizeof(*ret));
        p->nameAlg = TPM2_ALG_SHA256;
        /* restricted|sign: the TPM only signs digests it computed itself
         * (quotes, certifications), never outside data that could pass for
         * a TPM_GENERATED_VALUE structure. userWithAuth with an empty auth
         * value: holding the TPM is the credential, as for the EK. */
        p->objectAttributes = AE_TPM_AK_ATTRIBUTES;
        if (alg == AE_TPM_AK_ECC_P256) {
                p->type = TPM2_ALG_ECC;
                p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
                p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
                p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
                p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
                p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
        } else {
                p->type = TPM2_ALG_RSA;
                p->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
                p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
                p->parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
                p->parameters.rsaDetail.keyBits = 2048;
                p->parameters.rsaDetail.exponent = 0;
        }
        return 0;
}

const char *ae_tpm_ak_public_mismatch(enum ae_tpm_ak_alg alg, const TPMT_PUBLIC *pub)
{
        TPM2B_PUBLIC want;

        if (ae_tpm_ak_template(alg, &want) < 0)
                return "unknown AK algorithm";
        if (pub->type != want.publicArea.type)
                return "key type differs";
        if (pub->nameAlg != TPM2_ALG_SHA256)
                return "name algorithm is not SHA-256";
        if (pub->objectAttributes != AE_TPM_AK_ATTRIBUTES)
                return "object attributes differ (not a restricted signing key)";
        if (pub->authPolicy.size != 0)
                return "has an authorization policy";

        if (pub->type == TPM2_ALG_ECC) {
                const TPMS_ECC_PARMS *e = &pub->parameters.eccDetail;

                if (e->symmetric.algorithm != TPM2_ALG_NULL)
                        return "has a symmetric algorithm";
                if (e->scheme.scheme != TPM2_ALG_ECDSA ||
                    e->scheme.details.ecdsa.hashAlg != TPM2_ALG_SHA256)
                        return "signing scheme is not ECDSA with SHA-256";
                if (e->curveID != TPM2_ECC_NIST_P256)
                        return "curve is not NIST P-256";
                if (e->kdf.scheme != TPM2_ALG_NULL)
                        return "has a KDF";
                return NULL;
        }

        const TPMS_RSA_PARMS *r = &pub->parameters.rsaDetail;

        if (r->symmetric.algorithm != TPM2_ALG_NULL)
                return "has a symmetric algorithm";
        if (r->scheme.scheme != TPM2_ALG_RSASSA ||
            r->scheme.details.rsassa.hashAlg != TPM2_ALG_SHA256)
                return "signing scheme is not RSASSA with SHA-256";
        if (r->keyBits != 2048)
                return "key size is not 2048 bits";
        /* 0 means the default, 65537; the TPM may report either. */
        if (r->exponent != 0 && r->exponent != 65537)
                return "public exponent is not 65537";
        return NULL;
}
