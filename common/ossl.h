/* OpenSSL at the boundary: cleanup helpers for its owned types, and one place
 * that turns its error queue into text for the log. */
#pragma once

#include <stddef.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/cleanup.h"

AE_DEFINE_CLEANUP(X509 *, X509_free)
AE_DEFINE_CLEANUP(X509_STORE *, X509_STORE_free)
AE_DEFINE_CLEANUP(X509_STORE_CTX *, X509_STORE_CTX_free)
AE_DEFINE_CLEANUP(EVP_PKEY *, EVP_PKEY_free)
AE_DEFINE_CLEANUP(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
AE_DEFINE_CLEANUP(EVP_MD_CTX *, EVP_MD_CTX_free)
AE_DEFINE_CLEANUP(BIO *, BIO_free_all)
AE_DEFINE_CLEANUP(BIGNUM *, BN_free)
AE_DEFINE_CLEANUP(EVP_MAC *, EVP_MAC_free)
AE_DEFINE_CLEANUP(EVP_MAC_CTX *, EVP_MAC_CTX_free)
AE_DEFINE_CLEANUP(EVP_CIPHER_CTX *, EVP_CIPHER_CTX_free)
AE_DEFINE_CLEANUP(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free)
AE_DEFINE_CLEANUP(OSSL_PARAM *, OSSL_PARAM_free)
AE_DEFINE_CLEANUP(X509_EXTENSION *, X509_EXTENSION_free)
AE_DEFINE_CLEANUP(X509_NAME *, X509_NAME_free)
AE_DEFINE_CLEANUP(ASN1_OCTET_STRING *, ASN1_OCTET_STRING_free)
AE_DEFINE_CLEANUP(ASN1_INTEGER *, ASN1_INTEGER_free)
AE_DEFINE_CLEANUP(ASN1_TIME *, ASN1_TIME_free)

static inline void ae_x509_stack_free(STACK_OF(X509) *s)
{
        sk_X509_pop_free(s, X509_free);
}
AE_DEFINE_CLEANUP(STACK_OF(X509) *, ae_x509_stack_free)

/* Move OpenSSL's error queue (oldest first) into buf as "reason; reason",
 * clearing the queue. Returns buf; "no OpenSSL error" when the queue was
 * empty. size must be at least 1. */
const char *ae_ossl_error_text(char *buf, size_t size);
