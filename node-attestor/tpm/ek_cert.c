#include "node-attestor/tpm/ek_cert.h"

#include <errno.h>

#include "node-attestor/tpm/nv.h"

uint32_t ae_tpm_ek_cert_nv_index(enum ae_tpm_ek_alg alg)
{
        switch (alg) {
        case AE_TPM_EK_RSA2048:
                return AE_TPM_EK_NV_RSA2048;
        case AE_TPM_EK_ECC_P256:
                return AE_TPM_EK_NV_ECC_P256;
        default:
                return 0;
        }
}

const char *ae_tpm_ek_alg_name(enum ae_tpm_ek_alg alg)
{
        switch (alg) {
        case AE_TPM_EK_RSA2048:
                return "RSA-2048";
        case AE_TPM_EK_ECC_P256:
                return "ECC NIST P-256";
        default:
                return "unknown";
        }
}

int ae_tpm_ek_cert_read(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg, uint8_t **ret_der,
                        size_t *ret_len)
{
        uint32_t index = ae_tpm_ek_cert_nv_index(alg);

        ENSURE(index != 0, -EINVAL);
        /* Bytes only: whether they are a certificate, and a trusted one, is
         * for the verifier to decide. */
        return ae_tpm_nv_read(tpm, index, AE_TPM_EK_CERT_MAX, ret_der, ret_len);
}
