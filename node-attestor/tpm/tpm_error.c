#include "node-attestor/tpm/tpm_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include "node-attestor/tpm/tpm_internal.h"

/* Failures before a struct ae_tpm exists (ae_tpm_open) still need a place
 * for their text; one per thread so concurrent opens do not mix. */
static _Thread_local char thread_error[AE_TPM_ERROR_MAX];

#define LAYER_OF(rc) ((rc) & TSS2_RC_LAYER_MASK)
#define BASE_OF(rc) ((rc) & 0xffffu)

/* A response code of the TPM itself (TPM 2.0 Part 2, 6.6), reduced to the
 * code without the handle/parameter/session number it refers to. */
static int tpm_code_errno(uint32_t code)
{
        uint32_t base;

        if (code & TPM2_RC_FMT1) {
                /* Format one: bits 0-5 the error, 6 parameter, 8-11 which one. */
                base = TPM2_RC_FMT1 | (code & 0x3fu);
        } else if (code & TPM2_RC_VER1) {
                /* Vendor-defined codes (bit 10) mean nothing portable. */
                if (code & 0x400u)
                        return -EPROTO;
                base = code & (0x7fu | TPM2_RC_VER1 | TPM2_RC_S);
        } else {
                /* TPM 1.2 style response: not a TPM 2.0 answer we understand. */
                return -EPROTO;
        }

        switch (base) {
        case TPM2_RC_HANDLE:
        case TPM2_RC_REFERENCE_H0:
        case TPM2_RC_REFERENCE_H1:
        case TPM2_RC_REFERENCE_H2:
        case TPM2_RC_REFERENCE_S0:
        case TPM2_RC_REFERENCE_S1:
        case TPM2_RC_REFERENCE_S2:
                return -ENOENT;
        case TPM2_RC_NV_UNINITIALIZED:
                return -ENODATA;
        case TPM2_RC_NV_DEFINED:
                return -EEXIST;
        case TPM2_RC_AUTH_FAIL:
        case TPM2_RC_BAD_AUTH:
        case TPM2_RC_AUTH_MISSING:
        case TPM2_RC_AUTH_TYPE:
        case TPM2_RC_AUTH_UNAVAILABLE:
        case TPM2_RC_NV_AUTHORIZATION:
        case TPM2_RC_POLICY_FAIL:
        case TPM2_RC_PP:
        case TPM2_RC_HIERARCHY:
        case TPM2_RC_LOCKOUT:
        case TPM2_RC_NV_LOCKED:
                return -EACCES;
        case TPM2_RC_SIZE:
        case TPM2_RC_INSUFFICIENT:
        case TPM2_RC_COMMAND_SIZE:
        case TPM2_RC_NV_SIZE:
        case TPM2_RC_KEY_SIZE:
                return -EMSGSIZE;
        case TPM2_RC_NV_RANGE:
        case TPM2_RC_RANGE:
                return -ERANGE;
        case TPM2_RC_NV_SPACE:
        case TPM2_RC_OBJECT_MEMORY:
        case TPM2_RC_SESSION_MEMORY:
        case TPM2_RC_MEMORY:
        case TPM2_RC_SESSION_HANDLES:
        case TPM2_RC_OBJECT_HANDLES:
                return -ENOSPC;
        case TPM2_RC_RETRY:
        case TPM2_RC_YIELDED:
        case TPM2_RC_TESTING:
        case TPM2_RC_NV_RATE:
        case TPM2_RC_NV_UNAVAILABLE:
                return -EAGAIN;
        case TPM2_RC_CANCELED:
                return -ECANCELED;
        case TPM2_RC_COMMAND_CODE:
        case TPM2_RC_ASYMMETRIC:
        case TPM2_RC_HASH:
        case TPM2_RC_SYMMETRIC:
        case TPM2_RC_SCHEME:
        case TPM2_RC_CURVE:
        case TPM2_RC_KDF:
        case TPM2_RC_MGF:
        case TPM2_RC_MODE:
                return -EOPNOTSUPP;
        case TPM2_RC_VALUE:
        case TPM2_RC_TYPE:
        case TPM2_RC_ATTRIBUTES:
        case TPM2_RC_SELECTOR:
        case TPM2_RC_TAG:
        case TPM2_RC_RESERVED_BITS:
                return -EINVAL;
        case TPM2_RC_INITIALIZE:
        case TPM2_RC_REBOOT:
        case TPM2_RC_FAILURE:
                return -EIO;
        default:
                return -EPROTO;
        }
}

/* A code of one of the software layers (ESAPI, SAPI, MU, TCTI, ...), which
 * share the TSS2_BASE_RC_* values. */
static int tss_base_errno(uint32_t base)
{
        switch (base) {
        case TSS2_BASE_RC_NO_CONNECTION:
                return -ECONNREFUSED;
        case TSS2_BASE_RC_IO_ERROR:
                return -EIO;
        case TSS2_BASE_RC_TRY_AGAIN:
                return -EAGAIN;
        case TSS2_BASE_RC_MEMORY:
                return -ENOMEM;
        case TSS2_BASE_RC_BAD_SIZE:
        case TSS2_BASE_RC_INSUFFICIENT_BUFFER:
        case TSS2_BASE_RC_INSUFFICIENT_CONTEXT:
        case TSS2_BASE_RC_INSUFFICIENT_RESPONSE:
                return -EMSGSIZE;
        case TSS2_BASE_RC_BAD_REFERENCE:
        case TSS2_BASE_RC_BAD_VALUE:
        case TSS2_BASE_RC_BAD_CONTEXT:
        case TSS2_BASE_RC_BAD_TR:
        case TSS2_BASE_RC_BAD_SEQUENCE:
                return -EINVAL;
        case TSS2_BASE_RC_NOT_IMPLEMENTED:
        case TSS2_BASE_RC_NOT_SUPPORTED:
                return -EOPNOTSUPP;
        case TSS2_BASE_RC_NOT_PERMITTED:
                return -EPERM;
        case TSS2_BASE_RC_MALFORMED_RESPONSE:
        case TSS2_BASE_RC_RSP_AUTH_FAILED:
                return -EBADMSG;
        case TSS2_BASE_RC_AUTHORIZATION_FAILED:
        case TSS2_BASE_RC_AUTHORIZATION_UNKNOWN:
                return -EACCES;
        default:
                return -EPROTO;
        }
}

int ae_tpm_rc_errno(TSS2_RC rc)
{
        if (rc == TSS2_RC_SUCCESS)
                return 0;
        switch (LAYER_OF(rc)) {
        case TSS2_TPM_RC_LAYER:
        case TSS2_RESMGR_TPM_RC_LAYER:
                /* The TPM's own answer (possibly relayed by a resource manager). */
                return tpm_code_errno(BASE_OF(rc));
        default:
                return tss_base_errno(BASE_OF(rc));
        }
}

static char *error_buf(struct ae_tpm *tpm)
{
        return tpm ? tpm->error : thread_error;
}

int ae_tpm_rc(struct ae_tpm *tpm, const char *op, TSS2_RC rc)
{
        if (rc == TSS2_RC_SUCCESS)
                return 0;
        snprintf(error_buf(tpm), AE_TPM_ERROR_MAX, "%s: %s (0x%x)", op ? op : "tpm2-tss",
                 Tss2_RC_Decode(rc), (unsigned)rc);
        return ae_tpm_rc_errno(rc);
}

int ae_tpm_errorf(struct ae_tpm *tpm, int err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(error_buf(tpm), AE_TPM_ERROR_MAX, fmt, ap);
        va_end(ap);
        return err;
}

const char *ae_tpm_last_error(const struct ae_tpm *tpm)
{
        return tpm ? tpm->error : thread_error;
}
