/* A connection to one TPM: a TCTI (device, swtpm, mssim, ...) and the ESAPI
 * context on top of it. Everything else in node-attestor/tpm takes one. */
#pragma once

#include "common/cleanup.h"
#include "common/guard.h"

struct ae_tpm;

/* TCTI used when the caller names none: the kernel's resource manager, so
 * handles left by a crashed agent are flushed by the kernel, not by us. */
#define AE_TPM_TCTI_DEFAULT "device:/dev/tpmrm0"

/* Open the TPM named by tcti_conf, in tpm2-tss's "name:config" form
 * ("swtpm:host=127.0.0.1,port=2321", "device:/dev/tpmrm0"); NULL means
 * AE_TPM_TCTI_DEFAULT. On failure the decoded TSS text is kept for the log:
 * ae_tpm_last_error(NULL) returns it (per thread). */
AE_MUST_USE int ae_tpm_open(const char *tcti_conf, struct ae_tpm **ret);

/* Release the ESAPI context and the TCTI. Accepts NULL. */
void ae_tpm_close(struct ae_tpm *tpm);

AE_DEFINE_CLEANUP(struct ae_tpm *, ae_tpm_close)
#define _cleanup_tpm_ _cleanup_(ae_tpm_closep)
