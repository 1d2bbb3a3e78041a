/* Certificates from PEM text: trust bundles and the SVID files a peer or
 * an operator hands over (leaf first, then its chain). Strict, because the
 * text is untrusted: only CERTIFICATE blocks, no headers, each block exactly
 * one DER certificate; text between blocks is allowed (openssl x509 -text
 * writes some). */
#pragma once

#include <stddef.h>

#include <openssl/x509.h> /* STACK_OF(X509) */

#include "common/guard.h"

/* Largest PEM text read, and most certificates taken from it. */
#define AE_RP_PEM_MAX (1024 * 1024)
#define AE_RP_PEM_CERTS_MAX 4096

/* Every certificate of pem[0..len), in order (at least one). 0 and *ret
 * (free with ae_x509_stack_free), or -EBADMSG (malformed, another block
 * type, no certificate), -E2BIG (over AE_RP_PEM_MAX bytes or
 * AE_RP_PEM_CERTS_MAX certificates), -ENOMEM; *ret_why (may be NULL) gets a
 * short static text on failure. */
AE_MUST_USE int ae_rp_pem_certs(const char *pem, size_t len, STACK_OF(X509) **ret,
                                const char **ret_why);

/* The same from a file; its open/read errno, or -E2BIG past AE_RP_PEM_MAX. */
AE_MUST_USE int ae_rp_pem_file_certs(const char *path, STACK_OF(X509) **ret,
                                     const char **ret_why);
