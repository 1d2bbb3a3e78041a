/* The TPM manufacturer an EK certificate names: the TCG EK credential
 * profile puts TPMManufacturer (2.23.133.2.1, "id:XXXXXXXX") in a
 * directoryName of the subjectAltName. */
#pragma once

#include <stddef.h>

#include <openssl/types.h>

#include "common/guard.h"

/* The TCG vendor ID as 8 upper-case hex digits (e.g. "53574D20"). */
#define AE_TPM_MANUFACTURER_SIZE 9

/* -ENOENT when the certificate names no manufacturer, -EBADMSG when the
 * value is not "id:" followed by 8 hex digits. */
AE_MUST_USE int ae_ek_cert_tpm_manufacturer(const X509 *cert,
                                            char ret_id[AE_TPM_MANUFACTURER_SIZE]);
