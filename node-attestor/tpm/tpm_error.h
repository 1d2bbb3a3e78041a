/* TSS2_RC at the boundary: every return code of tpm2-tss becomes a negative
 * errno for the caller, and its decoded text is kept for the log. */
#pragma once

#include <tss2/tss2_common.h>

#include "common/guard.h"

struct ae_tpm;

/* Room for "operation: decoded TSS text". */
#define AE_TPM_ERROR_MAX 256

/* The errno for rc: 0 for success, otherwise negative, e.g. -ENOENT for an
 * undefined handle or NV index, -EACCES for authorization failures,
 * -ECONNREFUSED / -EIO when the TCTI cannot reach the TPM, -EMSGSIZE for size
 * errors, -EAGAIN for "retry later" warnings, -EPROTO when nothing closer
 * fits. Pure: no TPM or state needed. */
int ae_tpm_rc_errno(TSS2_RC rc);

/* Convert rc, returned by the tpm2-tss call op: unless it is success, keep
 * "op: <Tss2_RC_Decode text>" as tpm's last error (the thread's, when tpm is
 * NULL) and return ae_tpm_rc_errno(rc). */
AE_MUST_USE int ae_tpm_rc(struct ae_tpm *tpm, const char *op, TSS2_RC rc);

/* Keep a failure that is not a TSS2_RC (e.g. an NV index of absurd size) as
 * the last error, the same way; returns err (negative errno). */
AE_MUST_USE int ae_tpm_errorf(struct ae_tpm *tpm, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Text of the last failure on tpm, "" if none. With tpm NULL: the text of the
 * last failed ae_tpm_open on the calling thread. */
const char *ae_tpm_last_error(const struct ae_tpm *tpm);
