/* Building blocks of every certificate Aegis signs (CA roots, CSRs, leaf
 * SVIDs): serial numbers, names, validity, public keys, the X.509v3
 * extensions the X509-SVID standard asks for, and signing. Internal to
 * svid-issuer/.
 *
 * Extensions go straight into a certificate; a certificate request asks
 * for the extensions of a scratch certificate built the same way. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/guard.h"
#include "svid-issuer/key_gen.h"

/* Bytes of randomness in a serial number: 128 bits, as positive integer
 * (so at most 17 DER octets, below RFC 5280's 20). */
#define AE_CERT_SERIAL_BYTES 16

/* A fresh random serial: AE_CERT_SERIAL_BYTES from RAND_bytes read as an
 * unsigned big-endian number (never zero; cert_serial.c). */
AE_MUST_USE int ae_cert_set_random_serial(X509 *x);

/* Name "O=Aegis" plus, when cn is not NULL, "CN=<cn>" and, when sn is not
 * NULL, "serialNumber=<sn>". */
AE_MUST_USE int ae_cert_name(const char *cn, const char *sn, X509_NAME **ret);

/* x's public key, as X509_set_pubkey but without OpenSSL 3.0's per-call
 * encoder lookup for P-256, P-384 and RSA keys (cert_pubkey.c says why).
 * Other keys go through X509_set_pubkey. */
AE_MUST_USE int ae_cert_set_pubkey(X509 *x, EVP_PKEY *key);
/* The same for a key the caller has classified already
 * (ae_svid_key_classify): -EINVAL for a type outside the enum. */
AE_MUST_USE int ae_cert_set_pubkey_as(X509 *x, EVP_PKEY *key, enum ae_ca_key_type type);

/* notBefore and notAfter as given (seconds since the epoch), as
 * ASN1_TIME_set writes them (cert_time.c). -ERANGE when not_after <
 * not_before or either lies outside the years 0000..9999; x is unchanged
 * then. */
AE_MUST_USE int ae_cert_set_validity(X509 *x, time_t not_before, time_t not_after);

/* An ASN1_TIME as seconds since the epoch. -EINVAL if it does not parse. */
AE_MUST_USE int ae_cert_time(const ASN1_TIME *t, time_t *ret);

/* Key identifiers: Aegis makes them by RFC 5280 4.2.1.2 method 1 (SHA-1 of
 * the subjectPublicKey BIT STRING's value, 20 bytes); an upstream's may be
 * longer. */
#define AE_CERT_KEY_ID_MAX 64
struct ae_cert_key_id {
        uint8_t id[AE_CERT_KEY_ID_MAX];
        size_t len;
};
/* Method 1 for x's public key (set it first). */
AE_MUST_USE int ae_cert_key_id(const X509 *x, struct ae_cert_key_id *ret);
/* x's subjectKeyIdentifier when it has one of 1..AE_CERT_KEY_ID_MAX bytes,
 * else method 1. */
AE_MUST_USE int ae_cert_subject_key_id(X509 *x, struct ae_cert_key_id *ret);

/* Extensions, appended to x in the order added (each encoded once, straight
 * into the certificate). basicConstraints and keyUsage are critical
 * (X509-SVID 4.1, 4.3); extKeyUsage, subjectKeyIdentifier and
 * authorityKeyIdentifier are not. ku is a mask of X509v3_KU_* bits. */
AE_MUST_USE int ae_cert_add_basic_constraints(X509 *x, bool ca);
AE_MUST_USE int ae_cert_add_key_usage(X509 *x, unsigned ku);
AE_MUST_USE int ae_cert_add_eku_tls(X509 *x); /* serverAuth + clientAuth */
/* subjectAltName holding exactly one URI. */
AE_MUST_USE int ae_cert_add_uri_san(X509 *x, const char *uri, bool critical);
/* subjectAltName holding one URI, then n DNS names (checked by the caller). */
AE_MUST_USE int ae_cert_add_sans(X509 *x, const char *uri, const char *const *dns, size_t n,
                                 bool critical);
AE_MUST_USE int ae_cert_add_ski(X509 *x, const struct ae_cert_key_id *id);
AE_MUST_USE int ae_cert_add_aki(X509 *x, const struct ae_cert_key_id *id);
/* Add a ready extension (copied), freeing it (also on failure): *ext
 * becomes NULL. */
AE_MUST_USE int ae_cert_add_ext(X509 *x, X509_EXTENSION **ext);

/* Sign x with key and md (X509_sign: RSA keys get PKCS#1 v1.5). */
AE_MUST_USE int ae_cert_sign(X509 *x, EVP_PKEY *key, const EVP_MD *md);

/* A signing context for key and md, set up once (fetching the algorithms
 * and preparing the key per signature is a tenth of a mint); sign copies
 * of it with ae_cert_sign_with. Free with EVP_MD_CTX_free. */
AE_MUST_USE int ae_cert_signer(EVP_PKEY *key, const EVP_MD *md, EVP_MD_CTX **ret);
/* Sign x with a copy of signer, which is only read (threads may share
 * it). */
AE_MUST_USE int ae_cert_sign_with(X509 *x, const EVP_MD_CTX *signer);

/* Signing without X509_sign_ctx's whole-certificate encoder (cert_tbs.c
 * says why and how): the same certificate, at a fraction of the cost. A
 * TBSCertificate is at most AE_CERT_TBS_MAX octets and carries 1 ..
 * AE_CERT_TBS_EXTENSIONS_MAX extensions. */
#define AE_CERT_TBS_MAX 0xffff
#define AE_CERT_TBS_EXTENSIONS_MAX 16

/* signer's AlgorithmIdentifier (ae_cert_signer), as X509_sign_ctx puts it
 * into a certificate. Free with X509_ALGOR_free. */
AE_MUST_USE int ae_cert_signer_alg(const EVP_MD_CTX *signer, X509_ALGOR **ret);

/* x's TBSCertificate, version 3, with alg as its signature algorithm: the
 * octets i2d_re_X509_tbs gives once x is signed with alg. -EINVAL for what
 * cert_tbs.c cannot write as OpenSSL would, or what would not read back: a
 * serial that is not a positive INTEGER in its shortest form, no public
 * key, times that are not UTCTime or GeneralizedTime, unique identifiers,
 * no extension or more than AE_CERT_TBS_EXTENSIONS_MAX; -EMSGSIZE above
 * AE_CERT_TBS_MAX; -EIO if OpenSSL fails to encode a name. x is only
 * read. *ret (free with free()) and *ret_len only on success. */
AE_MUST_USE int ae_cert_tbs_encode(X509 *x, const X509_ALGOR *alg, uint8_t **ret,
                                   size_t *ret_len);

/* Sign x as ae_cert_sign_with does, over ae_cert_tbs_encode's octets; alg
 * is ae_cert_signer_alg(signer). signer is only read (threads may share
 * it). x is unchanged on failure, except after an allocation failure while
 * the signature is being put in. */
AE_MUST_USE int ae_cert_sign_tbs(X509 *x, const EVP_MD_CTX *signer, const X509_ALGOR *alg);
