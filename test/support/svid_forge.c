#include "svid_forge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

static void need(int ok, const char *what)
{
        if (!ok) {
                fprintf(stderr, "svid_forge: %s failed\n", what);
                abort();
        }
}

EVP_PKEY *ae_forge_key(void)
{
        EVP_PKEY *k = EVP_EC_gen("P-256");

        need(k != NULL, "EVP_EC_gen");
        return k;
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

        need(e != NULL, value);
        need(X509_add_ext(x, e, -1), "X509_add_ext");
        X509_EXTENSION_free(e);
}

static void add_san(X509 *x, const struct ae_forge_opts *o, unsigned long flags)
{
        GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();

        need(names != NULL, "GENERAL_NAMES");
        for (size_t i = 0; i < o->n_uris; i++) {
                GENERAL_NAME *gn = GENERAL_NAME_new();
                ASN1_IA5STRING *s = ASN1_IA5STRING_new();
                need(gn && s && ASN1_STRING_set(s, o->uris[i], (int)strlen(o->uris[i])), "URI");
                GENERAL_NAME_set0_value(gn, GEN_URI, s);
                need(sk_GENERAL_NAME_push(names, gn) > 0, "push");
        }
        if (o->dns) {
                GENERAL_NAME *gn = GENERAL_NAME_new();
                ASN1_IA5STRING *s = ASN1_IA5STRING_new();
                need(gn && s && ASN1_STRING_set(s, o->dns, (int)strlen(o->dns)), "DNS");
                GENERAL_NAME_set0_value(gn, GEN_DNS, s);
                need(sk_GENERAL_NAME_push(names, gn) > 0, "push");
        }
        if (sk_GENERAL_NAME_num(names) > 0)
                need(X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, flags) == 1, "SAN");
        GENERAL_NAMES_free(names);
}

static void add_key_usage(X509 *x, X509V3_CTX *ctx, unsigned ku, bool critical)
{
        char text[160] = "critical";
        static const struct {
                unsigned bit;
                const char *name;
        } bits[] = {
                { KU_DIGITAL_SIGNATURE, "digitalSignature" },
                { KU_KEY_ENCIPHERMENT, "keyEncipherment" },
                { KU_KEY_AGREEMENT, "keyAgreement" },
                { KU_KEY_CERT_SIGN, "keyCertSign" },
                { KU_CRL_SIGN, "cRLSign" },
        };

        for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
                if (ku & bits[i].bit) {
                        strcat(text, ",");
                        strcat(text, bits[i].name);
                }
        }
        /* Without the flag, drop "critical," (the first bit's comma too). */
        add_ext(x, ctx, NID_key_usage, critical ? text : text + strlen("critical,"));
}

/* An extension with value octets exactly as given. */
static void add_raw(X509 *x, const char *oid_text, int critical, const char *value, size_t len)
{
        ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
        ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
        X509_EXTENSION *e;

        need(oid && v && ASN1_OCTET_STRING_set(v, (const unsigned char *)value, (int)len), "raw ext");
        e = X509_EXTENSION_create_by_OBJ(NULL, oid, critical, v);
        need(e != NULL, "X509_EXTENSION_create_by_OBJ");
        need(X509_add_ext(x, e, -1), "X509_add_ext");
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(v);
        ASN1_OBJECT_free(oid);
}

X509 *ae_forge_cert(const struct ae_forge_opts *o, EVP_PKEY *subject_key, X509 *issuer,
                    EVP_PKEY *sign_key)
{
        X509 *x = X509_new();
        X509_NAME *name = X509_NAME_new();
        unsigned char serial[16];
        BIGNUM *bn;
        X509V3_CTX ctx;
        char bc[48], cn[64];

        need(x && name, "X509_new");
        need(X509_set_version(x, X509_VERSION_3), "version");
        need(RAND_bytes(serial, sizeof(serial)) == 1, "RAND_bytes");
        serial[0] &= 0x7f;
        bn = BN_bin2bn(serial, sizeof(serial), NULL);
        need(bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)), "serial");
        BN_free(bn);
        need(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Aegis Test",
                                        -1, -1, 0), "O");
        /* Unique names by default: chain building finds issuers by name. */
        snprintf(cn, sizeof(cn), "aegis test %02x%02x%02x%02x%02x%02x%02x%02x", serial[1],
                 serial[2], serial[3], serial[4], serial[5], serial[6], serial[7], serial[8]);
        need(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)(o->subject_cn ? o->subject_cn : cn),
                                        -1, -1, 0), "CN");
        need(X509_set_subject_name(x, name), "subject");
        need(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name), "issuer");
        X509_NAME_free(name);
        need(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)o->not_before) != NULL, "notBefore");
        need(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)o->not_after) != NULL, "notAfter");
        need(X509_set_pubkey(x, subject_key), "pubkey");

        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
        add_san(x, o, X509V3_ADD_DEFAULT);
        if (o->duplicate_san)
                add_san(x, o, X509V3_ADD_APPEND);
        if (!o->no_basic_constraints) {
                if (o->ca && o->pathlen >= 0)
                        snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", o->pathlen);
                else
                        snprintf(bc, sizeof(bc), "critical,CA:%s", o->ca ? "TRUE" : "FALSE");
                add_ext(x, &ctx, NID_basic_constraints, bc);
        }
        if (!o->no_key_usage)
                add_key_usage(x, &ctx, o->key_usage ? o->key_usage
                                       : o->ca ? KU_KEY_CERT_SIGN | KU_CRL_SIGN
                                               : KU_DIGITAL_SIGNATURE,
                              !o->key_usage_not_critical);
        if (o->eku)
                add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
        if (o->ca || o->skid)
                add_ext(x, &ctx, NID_subject_key_identifier, "hash");
        if (o->claims) {
                X509_EXTENSION *e = NULL;
                need(ae_claims_to_extension(o->claims, &e) == 0, "claims extension");
                need(X509_add_ext(x, e, -1), "X509_add_ext claims");
                X509_EXTENSION_free(e);
        }
        if (o->raw_claims)
                add_raw(x, AE_CLAIMS_OID, 0, o->raw_claims, strlen(o->raw_claims));
        if (o->unknown_critical)
                add_raw(x, "1.3.6.1.4.1.55744.99.1", 1, "\x05\x00", 2);
        need(X509_sign(x, sign_key ? sign_key : subject_key, EVP_sha256()) > 0, "X509_sign");
        return x;
}

void ae_forge_ca_opts(struct ae_forge_opts *o, const char *td_uri, int64_t now)
{
        memset(o, 0, sizeof(*o));
        if (td_uri) {
                o->uris[0] = td_uri;
                o->n_uris = 1;
        }
        o->ca = true;
        o->pathlen = -1;
        o->not_before = now - 24 * 3600;
        o->not_after = now + 365 * 24 * 3600;
}

void ae_forge_leaf_opts(struct ae_forge_opts *o, const char *id, int64_t now,
                        const struct ae_claims *claims)
{
        memset(o, 0, sizeof(*o));
        if (id) {
                o->uris[0] = id;
                o->n_uris = 1;
        }
        o->pathlen = -1;
        o->eku = true;
        o->not_before = now - 60;
        o->not_after = now + 3600;
        o->claims = claims;
}

static void fill_hex(char *out, size_t n, char c)
{
        memset(out, c, n);
        out[n] = '\0';
}

void ae_forge_claims(struct ae_claims *c, const char *id, int64_t attested_at)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POG;
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", id);
        fill_hex(c->workload.code_hash, 64, '1');
        c->tpm.present = true;
        fill_hex(c->tpm.ek_hash, 64, '2');
        snprintf(c->tpm.ak_name, sizeof(c->tpm.ak_name), "000b%064d", 3);
        snprintf(c->tpm.pcr_policy, sizeof(c->tpm.pcr_policy), "base");
        fill_hex(c->tpm.pcr_digest, 64, '4');
        c->tpm.attested_at = attested_at;
        c->geo.present = true;
        c->geo.n_zones = 1;
        snprintf(c->geo.zones[0], sizeof(c->geo.zones[0]), "eu-de");
        fill_hex(c->geo.policy_digest, 64, '5');
        snprintf(c->geo.sensor_id, sizeof(c->geo.sensor_id), "F9P-0042");
        c->geo.fix_time = attested_at;
}

void ae_forge_root(const char *td, int64_t now, EVP_PKEY **ret_key, X509 **ret_cert)
{
        struct ae_forge_opts o;
        char uri[300];

        snprintf(uri, sizeof(uri), "spiffe://%s", td);
        ae_forge_ca_opts(&o, uri, now);
        *ret_key = ae_forge_key();
        *ret_cert = ae_forge_cert(&o, *ret_key, NULL, NULL);
}

void ae_forge_leaf(const char *id, int64_t now, const struct ae_claims *claims, X509 *ca,
                   EVP_PKEY *ca_key, EVP_PKEY **ret_key, X509 **ret_cert)
{
        struct ae_forge_opts o;

        ae_forge_leaf_opts(&o, id, now, claims);
        *ret_key = ae_forge_key();
        *ret_cert = ae_forge_cert(&o, *ret_key, ca, ca_key);
}

char *ae_forge_pem(X509 *const *certs, size_t n, size_t *ret_len)
{
        BIO *bio = BIO_new(BIO_s_mem());
        char *data, *out;
        long len;

        need(bio != NULL, "BIO_new");
        for (size_t i = 0; i < n; i++)
                need(PEM_write_bio_X509(bio, certs[i]), "PEM_write_bio_X509");
        len = BIO_get_mem_data(bio, &data);
        out = malloc((size_t)len + 1);
        need(out != NULL, "malloc");
        memcpy(out, data, (size_t)len);
        out[len] = '\0';
        if (ret_len)
                *ret_len = (size_t)len;
        BIO_free(bio);
        return out;
}

void ae_forge_write_pem(const char *path, X509 *const *certs, size_t n)
{
        FILE *f = fopen(path, "w");

        need(f != NULL, path);
        for (size_t i = 0; i < n; i++)
                need(PEM_write_X509(f, certs[i]), "PEM_write_X509");
        need(fclose(f) == 0, "fclose");
}

void ae_forge_write_key(const char *key_path, EVP_PKEY *key)
{
        FILE *f = fopen(key_path, "w");

        need(f != NULL, key_path);
        need(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), "PEM_write_PrivateKey");
        need(fclose(f) == 0, "fclose");
}
