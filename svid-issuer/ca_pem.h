/* PEM in and out for the CA's files. Reading is strict because chain and
 * certificate files come from an upstream CA and bundle files are passed
 * around: every PEM block must be of the expected type, unencrypted, and
 * hold exactly one DER object with nothing after it. Text outside the
 * blocks is ignored, as every PEM reader does (openssl x509 -text output,
 * comments). Internal to svid-issuer/; fuzzed by fuzz_ca_pem. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/guard.h"

/* Largest certificate, chain or bundle file read, and most certificates in
 * one (a bundle keeps every root not yet expired: rotation bounds it). */
#define AE_CA_PEM_MAX (256 * 1024)
#define AE_CA_PEM_CERTS_MAX 64
/* Largest key file read (an RSA-8192 PKCS#8 PEM is about 6.3 KiB). */
#define AE_CA_KEY_PEM_MAX (64 * 1024)

/* Every "CERTIFICATE" block of pem[0..len), 1..max of them. -EBADMSG for no
 * block, another block type, a header (Proc-Type), DER that does not parse
 * or has trailing bytes, or more than max. *ret (free with
 * ae_x509_stack_free) only on success. */
AE_MUST_USE int ae_ca_pem_read_certs(const uint8_t *pem, size_t len, size_t max,
                                     STACK_OF(X509) **ret);

/* One unencrypted private key (PKCS#8 or the traditional EC / RSA forms).
 * -EBADMSG otherwise, including an encrypted key. */
AE_MUST_USE int ae_ca_pem_read_key(const uint8_t *pem, size_t len, EVP_PKEY **ret);

/* PEM text of certs (in order) / of one certificate / of key as unencrypted
 * PKCS#8 into a buffer the caller frees (a key's with
 * ae_ca_pem_free_secret, which wipes it). */
AE_MUST_USE int ae_ca_pem_write_certs(STACK_OF(X509) *certs, char **ret, size_t *ret_len);
AE_MUST_USE int ae_ca_pem_write_cert(X509 *cert, char **ret, size_t *ret_len);
AE_MUST_USE int ae_ca_pem_write_key(EVP_PKEY *key, char **ret, size_t *ret_len);
void ae_ca_pem_free_secret(char *buf, size_t len);
