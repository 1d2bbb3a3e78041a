/* The relying party's verifier on forged certificates: every reason of
 * rp_reason.h from a certificate (or rule) that earns it, with OpenSSL's
 * code behind each chain refusal, plus the result a host reads. */
#define _GNU_SOURCE /* memmem */
#include "svid-issuer/rp_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "check_util.h"
#include "common/ossl.h"
#include "svid-issuer/rp_bundle.h"
#include "svid-issuer/rp_leaf.h"
#include "svid-issuer/rp_rule.h"
#include "svid_forge.h"

#define NOW 1800000000LL
#define TD "example.org"
#define WID "spiffe://example.org/web"
#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define FULL_RULE                                                                                  \
        "trust_domain=example.org,id=" WID ",level=pog,zone=eu-de,code_hash=" H1 ",ek_hash=" H2    \
        ",max_age=600"

/* Trust domains example.org (roots a and a0, a0 with pathlen 0) and
 * other.org (root b); a rogue root naming example.org that no bundle holds. */
static struct {
        EVP_PKEY *a_key, *a0_key, *b_key, *rogue_key;
        X509 *a, *a0, *b, *rogue;
        struct ae_rp_bundle *bundle;
} w;

static void world_setup(void)
{
        struct ae_forge_opts o;
        X509 *certs[2];
        _cleanup_free_ char *pem = NULL;

        ae_forge_root(TD, NOW, &w.a_key, &w.a);
        ae_forge_root("other.org", NOW, &w.b_key, &w.b);
        ae_forge_root(TD, NOW, &w.rogue_key, &w.rogue);
        ae_forge_ca_opts(&o, "spiffe://" TD, NOW);
        o.pathlen = 0;
        w.a0_key = ae_forge_key();
        w.a0 = ae_forge_cert(&o, w.a0_key, NULL, NULL);
        ck_assert_int_eq(ae_rp_bundle_new(&w.bundle), 0);
        certs[0] = w.a, certs[1] = w.a0;
        pem = ae_forge_pem(certs, 2, NULL);
        ck_assert_int_eq(ae_rp_bundle_add_pem(w.bundle, NULL, pem, strlen(pem), NULL), 0);
        ck_assert_int_eq(ae_rp_bundle_add_root(w.bundle, "other.org", w.b, NULL), 0);
}

static void world_teardown(void)
{
        ae_rp_bundle_unref(w.bundle);
        X509_free(w.a), X509_free(w.a0), X509_free(w.b), X509_free(w.rogue);
        EVP_PKEY_free(w.a_key), EVP_PKEY_free(w.a0_key), EVP_PKEY_free(w.b_key);
        EVP_PKEY_free(w.rogue_key);
}

/* An intermediate CA for example.org under issuer. */
static X509 *intermediate(X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, bool ca)
{
        struct ae_forge_opts o;

        ae_forge_ca_opts(&o, "spiffe://" TD, NOW);
        o.ca = ca;
        o.key_usage = KU_KEY_CERT_SIGN | KU_CRL_SIGN;
        return ae_forge_cert(&o, key, issuer, issuer_key);
}

enum issuer {
        BY_A,            /* example.org's root */
        BY_B,            /* other.org's root */
        BY_ROGUE,        /* a root no bundle holds */
        A_NAME_ROGUE_KEY, /* a's name, the rogue's signature */
        VIA_INT,         /* a -> intermediate -> leaf, chain given */
        VIA_INT_MISSING, /* the same without the intermediate */
        VIA_NOT_CA,      /* a -> non-CA "intermediate" -> leaf */
        VIA_PATHLEN,     /* a0 (pathlen 0) -> intermediate -> leaf */
        VIA_TOO_LONG,    /* a -> AE_RP_CHAIN_DEPTH_MAX + 1 intermediates -> leaf */
};

struct vcase {
        const char *name;
        void (*tweak)(struct ae_forge_opts *o, struct ae_claims *c);
        enum issuer issuer;
        const char *rule;
        enum ae_rp_reason want;
        int want_x509; /* X509_V_OK for reasons that are not about the chain */
};

/* Build the leaf for c (and the untrusted chain), verify, check. */
static void run_case(const struct vcase *c)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = ae_forge_key(), *ikey = ae_forge_key();
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *chain = sk_X509_new_null();
        struct ae_forge_opts o;
        struct ae_claims claims;
        struct ae_rp_rule rule;
        struct ae_rp_result r;
        X509 *issuer = w.a, *top;
        EVP_PKEY *sign = w.a_key;
        char line[512];
        int rc;

        ck_assert_ptr_nonnull(chain);
        ae_forge_claims(&claims, WID, NOW - 10);
        ae_forge_leaf_opts(&o, WID, NOW, &claims);
        if (c->tweak)
                c->tweak(&o, &claims);
        switch (c->issuer) {
        case BY_A:
                break;
        case BY_B:
                issuer = w.b, sign = w.b_key;
                break;
        case BY_ROGUE:
                issuer = w.rogue, sign = w.rogue_key;
                break;
        case A_NAME_ROGUE_KEY:
                sign = w.rogue_key;
                break;
        case VIA_INT:
        case VIA_INT_MISSING:
        case VIA_NOT_CA:
        case VIA_PATHLEN:
                issuer = intermediate(c->issuer == VIA_PATHLEN ? w.a0 : w.a,
                                      c->issuer == VIA_PATHLEN ? w.a0_key : w.a_key, ikey,
                                      c->issuer != VIA_NOT_CA);
                sign = ikey;
                ck_assert(sk_X509_push(chain, issuer) > 0);
                break;
        case VIA_TOO_LONG:
                top = w.a;
                for (int i = 0; i <= AE_RP_CHAIN_DEPTH_MAX; i++) {
                        issuer = intermediate(top, i == 0 ? w.a_key : ikey, ikey, true);
                        ck_assert(sk_X509_push(chain, issuer) > 0);
                        top = issuer;
                }
                sign = ikey;
                break;
        }
        leaf = ae_forge_cert(&o, key, issuer, sign);
        if (c->issuer == VIA_INT_MISSING)
                X509_free(sk_X509_pop(chain));

        ck_assert_msg(ae_rp_rule_parse(c->rule, strlen(c->rule), &rule, NULL) == 0, "%s", c->name);
        memset(&r, 0x5a, sizeof(r));
        rc = ae_rp_verify(w.bundle, &rule, leaf, chain, NOW, &r);
        ae_rp_result_describe(&r, line, sizeof(line));
        ck_assert_msg(r.reason == c->want, "%s: want %s, got %s", c->name,
                      ae_rp_reason_id(c->want), line);
        ck_assert_msg(rc == (c->want == AE_RP_OK ? 0 : -EACCES), "%s: rc %d", c->name, rc);
        ck_assert_msg(r.x509_error == c->want_x509, "%s: want X509 error %d, got %s", c->name,
                      c->want_x509, line);
}

static void t_dns_too(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->dns = "web.example.org"; /* other SAN types are allowed */
}
static void t_dup_san(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->duplicate_san = true;
}
static void t_no_san(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->n_uris = 0;
}
static void t_dns_only(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->n_uris = 0;
        o->dns = "web.example.org";
}
static void t_two_uris(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->uris[1] = "spiffe://example.org/db";
        o->n_uris = 2;
}
static void t_https_uri(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->uris[0] = "https://example.org/web";
}
static void t_no_path(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->uris[0] = "spiffe://example.org";
}
static void t_ca(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->ca = true;
        o->key_usage = KU_DIGITAL_SIGNATURE;
}
static void t_no_bc(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->no_basic_constraints = true; /* absent basicConstraints: not a CA */
}
static void t_no_ku(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->no_key_usage = true;
}
static void t_ku_encipher(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->key_usage = KU_KEY_ENCIPHERMENT;
}
static void t_ku_certsign(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->key_usage = KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN;
}
static void t_ku_crlsign(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->key_usage = KU_DIGITAL_SIGNATURE | KU_CRL_SIGN;
}
static void t_unknown_td(struct ae_forge_opts *o, struct ae_claims *c)
{
        o->uris[0] = "spiffe://unknown.org/web";
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id), "%s", o->uris[0]);
}
static void t_ku_not_critical(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->key_usage_not_critical = true;
}
static void t_expired(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->not_before = NOW - 7200;
        o->not_after = NOW - 1;
}
static void t_not_yet(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->not_before = NOW + 1;
        o->not_after = NOW + 7200;
}
static void t_critical(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->unknown_critical = true;
}
static void t_no_claims(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->claims = NULL;
}
static void t_raw_claims(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)c;
        o->claims = NULL;
        o->raw_claims = "{\"v\":2}";
}
static void t_other_workload(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        snprintf(c->workload.workload_id, sizeof(c->workload.workload_id),
                 "spiffe://example.org/db");
}
static void t_por(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        c->level = AE_CLAIMS_POR;
        memset(&c->geo, 0, sizeof(c->geo));
}
static void t_zone_fr(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        strcpy(c->geo.zones[0], "eu-fr");
}
static void t_code3(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        memcpy(c->workload.code_hash, H3, 64);
}
static void t_ek3(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        memcpy(c->tpm.ek_hash, H3, 64);
}
static void t_stale(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        c->tpm.attested_at = NOW - 601;
}
static void t_just_fresh(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        c->tpm.attested_at = NOW - 600;
}
static void t_future(struct ae_forge_opts *o, struct ae_claims *c)
{
        (void)o;
        c->tpm.attested_at = NOW + AE_RP_RULE_CLOCK_SKEW + 1;
}

static const struct vcase cases[] = {
        { "accepted", NULL, BY_A, FULL_RULE, AE_RP_OK, X509_V_OK },
        { "accepted, empty rule", NULL, BY_A, "", AE_RP_OK, X509_V_OK },
        { "accepted with a DNS SAN too", t_dns_too, BY_A, FULL_RULE, AE_RP_OK, X509_V_OK },
        { "accepted without basicConstraints", t_no_bc, BY_A, FULL_RULE, AE_RP_OK, X509_V_OK },
        { "accepted via an intermediate", NULL, VIA_INT, FULL_RULE, AE_RP_OK, X509_V_OK },
        { "accepted at exactly max_age", t_just_fresh, BY_A, FULL_RULE, AE_RP_OK, X509_V_OK },
        { "accepted: por rule, pog SVID", NULL, BY_A, "level=por", AE_RP_OK, X509_V_OK },
        { "accepted: broken claims, rule without claims", t_raw_claims, BY_A, "id=" WID, AE_RP_OK,
          X509_V_OK },
        { "SAN extension twice", t_dup_san, BY_A, "", AE_RP_LEAF_MALFORMED, X509_V_OK },
        { "no SAN", t_no_san, BY_A, "", AE_RP_LEAF_NO_URI_SAN, X509_V_OK },
        { "DNS SAN only", t_dns_only, BY_A, "", AE_RP_LEAF_NO_URI_SAN, X509_V_OK },
        { "two URI SANs", t_two_uris, BY_A, "", AE_RP_LEAF_URI_SANS, X509_V_OK },
        { "https URI SAN", t_https_uri, BY_A, "", AE_RP_LEAF_ID_INVALID, X509_V_OK },
        { "trust domain's own ID", t_no_path, BY_A, "", AE_RP_LEAF_ID_NO_PATH, X509_V_OK },
        { "leaf with cA=true", t_ca, BY_A, "", AE_RP_LEAF_IS_CA, X509_V_OK },
        { "no keyUsage", t_no_ku, BY_A, "", AE_RP_LEAF_NO_KEY_USAGE, X509_V_OK },
        { "keyUsage not critical", t_ku_not_critical, BY_A, "", AE_RP_LEAF_KEY_USAGE_NOT_CRITICAL,
          X509_V_OK },
        { "keyUsage without digitalSignature", t_ku_encipher, BY_A, "",
          AE_RP_LEAF_NO_DIGITAL_SIGNATURE, X509_V_OK },
        { "keyUsage keyCertSign", t_ku_certsign, BY_A, "", AE_RP_LEAF_CERT_SIGN, X509_V_OK },
        { "keyUsage cRLSign", t_ku_crlsign, BY_A, "", AE_RP_LEAF_CERT_SIGN, X509_V_OK },
        { "unknown trust domain", t_unknown_td, BY_A, "", AE_RP_TRUST_DOMAIN_UNKNOWN, X509_V_OK },
        { "signed by a CA not in the bundle", NULL, BY_ROGUE, "", AE_RP_CHAIN_UNTRUSTED,
          X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
        { "intermediate missing", NULL, VIA_INT_MISSING, "", AE_RP_CHAIN_UNTRUSTED,
          X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
        { "chains to another trust domain's root", NULL, BY_B, "", AE_RP_CHAIN_OTHER_TRUST_DOMAIN,
          X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
        { "root's name, another key's signature", NULL, A_NAME_ROGUE_KEY, "", AE_RP_CHAIN_SIGNATURE,
          X509_V_ERR_CERT_SIGNATURE_FAILURE },
        { "expired", t_expired, BY_A, "", AE_RP_CHAIN_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED },
        { "not yet valid", t_not_yet, BY_A, "", AE_RP_CHAIN_NOT_YET_VALID,
          X509_V_ERR_CERT_NOT_YET_VALID },
        { "issued by a non-CA", NULL, VIA_NOT_CA, "", AE_RP_CHAIN_ISSUER_NOT_CA,
          X509_V_ERR_INVALID_CA },
        { "root's pathlen 0 exceeded", NULL, VIA_PATHLEN, "", AE_RP_CHAIN_PATH_LENGTH,
          X509_V_ERR_PATH_LENGTH_EXCEEDED },
        { "chain too long", NULL, VIA_TOO_LONG, "", AE_RP_CHAIN_TOO_LONG,
          X509_V_ERR_CERT_CHAIN_TOO_LONG },
        { "unknown critical extension", t_critical, BY_A, "", AE_RP_CHAIN_INVALID,
          X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION },
        { "trust domain not in rule", NULL, BY_A, "trust_domain=other.org", AE_RP_RULE_TRUST_DOMAIN,
          X509_V_OK },
        { "ID not in rule", NULL, BY_A, "id=spiffe://example.org/db", AE_RP_RULE_ID, X509_V_OK },
        { "no claims, rule needs them", t_no_claims, BY_A, "level=por", AE_RP_CLAIMS_ABSENT,
          X509_V_OK },
        { "claims refused", t_raw_claims, BY_A, "level=por", AE_RP_CLAIMS_INVALID, X509_V_OK },
        { "claims about another workload", t_other_workload, BY_A, "level=por",
          AE_RP_CLAIMS_ID_MISMATCH, X509_V_OK },
        { "PoR SVID, PoG rule", t_por, BY_A, FULL_RULE, AE_RP_RULE_LEVEL, X509_V_OK },
        { "zone not in set", t_zone_fr, BY_A, FULL_RULE, AE_RP_RULE_ZONE, X509_V_OK },
        { "code hash not in set", t_code3, BY_A, FULL_RULE, AE_RP_RULE_CODE_HASH, X509_V_OK },
        { "EK hash not in set", t_ek3, BY_A, FULL_RULE, AE_RP_RULE_EK_HASH, X509_V_OK },
        { "attested too long ago", t_stale, BY_A, FULL_RULE, AE_RP_ATTESTATION_STALE, X509_V_OK },
        { "attested in the future", t_future, BY_A, FULL_RULE, AE_RP_ATTESTATION_FUTURE,
          X509_V_OK },
};

START_TEST(each_case)
{
        run_case(&cases[_i]);
}
END_TEST

START_TEST(every_reason_has_a_case)
{
        bool seen[AE_RP_REASON_COUNT] = { false };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                seen[cases[i].want] = true;
        seen[AE_RP_INTERNAL] = true; /* internal_failures below */
        for (int i = 0; i < AE_RP_REASON_COUNT; i++)
                ck_assert_msg(seen[i], "no case for %s", ae_rp_reason_id(i));
}
END_TEST

START_TEST(reason_names)
{
        for (int i = 0; i < AE_RP_REASON_COUNT; i++) {
                ck_assert_str_ne(ae_rp_reason_id(i), "unknown");
                ck_assert_str_ne(ae_rp_reason_str(i), "unknown reason");
                for (int j = 0; j < i; j++) {
                        ck_assert_str_ne(ae_rp_reason_id(i), ae_rp_reason_id(j));
                        ck_assert_str_ne(ae_rp_reason_str(i), ae_rp_reason_str(j));
                }
        }
        ck_assert_str_eq(ae_rp_reason_id(AE_RP_REASON_COUNT), "unknown");
        ck_assert_str_eq(ae_rp_reason_str(-1), "unknown reason");
        ck_assert_str_eq(ae_rp_reason_id(AE_RP_CHAIN_OTHER_TRUST_DOMAIN), "chain_other_trust_domain");
}
END_TEST

START_TEST(internal_failures)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_rp_result r;

        ae_forge_leaf(WID, NOW, NULL, w.a, w.a_key, &key, &leaf);
        ck_assert_int_eq(ae_rp_verify(NULL, NULL, leaf, NULL, NOW, &r), -EINVAL);
        ck_assert_int_eq(r.reason, AE_RP_INTERNAL);
        ck_assert(!r.has_id);
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, NULL, NULL, NOW, &r), -EINVAL);
        ck_assert_int_eq(r.reason, AE_RP_INTERNAL);
        /* A NULL result is allowed. */
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, leaf, NULL, NOW, NULL), 0);
}
END_TEST

START_TEST(result_for_the_host)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL, *bad = NULL;
        struct ae_claims claims;
        struct ae_rp_rule rule;
        struct ae_forge_opts o;
        struct ae_rp_result r;
        char line[512], id[AE_SPIFFE_ID_SIZE];

        ae_forge_claims(&claims, WID, NOW - 10);
        ae_forge_leaf(WID, NOW, &claims, w.a, w.a_key, &key, &leaf);
        ck_assert_int_eq(ae_rp_rule_parse(FULL_RULE, strlen(FULL_RULE), &rule, NULL), 0);
        ck_assert_int_eq(ae_rp_verify(w.bundle, &rule, leaf, NULL, NOW, &r), 0);
        ck_assert(r.has_id);
        ck_assert_int_eq(ae_spiffe_id_format(&r.id, id, sizeof(id), NULL), 0);
        ck_assert_str_eq(id, WID);
        ck_assert(r.has_claims);
        ck_assert_str_eq(r.claims.geo.zones[0], "eu-de");
        ck_assert_int_eq(r.claims.tpm.attested_at, NOW - 10);
        ck_assert_int_eq(r.x509_depth, -1);
        ae_rp_result_describe(&r, line, sizeof(line));
        ck_assert_str_eq(line, "ok: ok id=" WID);

        /* Time is the caller's: the same leaf a day later has expired. */
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, leaf, NULL, NOW + 86400, &r), -EACCES);
        ck_assert_int_eq(r.reason, AE_RP_CHAIN_EXPIRED);
        ck_assert_int_eq(r.x509_depth, 0);
        ae_rp_result_describe(&r, line, sizeof(line));
        ck_assert_str_eq(line, "chain_expired: certificate in the chain has expired "
                               "(OpenSSL: certificate has expired, depth 0) id=" WID);

        /* The SPIFFE ID rule behind a refused URI SAN. */
        ae_forge_leaf_opts(&o, "spiffe://example.org/a//b", NOW, NULL);
        bad = ae_forge_cert(&o, key, w.a, w.a_key);
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, bad, NULL, NOW, &r), -EACCES);
        ck_assert_int_eq(r.reason, AE_RP_LEAF_ID_INVALID);
        ck_assert_int_eq(r.id_error, AE_SPIFFE_ID_PATH_EMPTY_SEGMENT);
        ck_assert(!r.has_id);
        ae_rp_result_describe(&r, line, sizeof(line));
        ck_assert_str_eq(line, "leaf_id_invalid: leaf URI SAN is not a SPIFFE ID "
                               "(path has an empty segment)");
        X509_free(bad);

        /* The claims rule behind refused claims. */
        ae_forge_leaf_opts(&o, WID, NOW, NULL);
        o.raw_claims = "{\"v\":2}";
        bad = ae_forge_cert(&o, key, w.a, w.a_key);
        ck_assert_int_eq(ae_rp_verify(w.bundle, &rule, bad, NULL, NOW, &r), -EACCES);
        ck_assert_int_eq(r.reason, AE_RP_CLAIMS_INVALID);
        ck_assert_int_eq(r.claims_error, AE_SVID_CLAIMS_VERSION);
        ck_assert(!r.has_claims);
        ae_rp_result_describe(NULL, line, sizeof(line));
        ck_assert_str_eq(line, "no verification");
}
END_TEST

START_TEST(leaf_id_of_ca_certificates)
{
        struct ae_spiffe_id id;
        enum ae_rp_reason reason = AE_RP_OK;

        /* A CA's own ID has no path: fine for ae_rp_cert_spiffe_id (bundles
         * read it), not for a leaf. */
        ck_assert_int_eq(ae_rp_cert_spiffe_id(w.a, &id, &reason, NULL), 0);
        ck_assert_str_eq(id.trust_domain, TD);
        ck_assert_str_eq(id.path, "");
        ck_assert_int_eq(ae_rp_leaf_check(w.a, &id, &reason, NULL), -EACCES);
        ck_assert_int_eq(reason, AE_RP_LEAF_ID_NO_PATH);
        ck_assert_int_eq(ae_rp_cert_spiffe_id(NULL, &id, &reason, NULL), -EINVAL);
        ck_assert_int_eq(reason, AE_RP_INTERNAL);
}
END_TEST

START_TEST(roots_rotate_within_a_domain)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_rp_result r;

        /* a0 is example.org's second root: leaves of either verify. */
        ae_forge_leaf(WID, NOW, NULL, w.a0, w.a0_key, &key, &leaf);
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, leaf, NULL, NOW, &r), 0);
        ck_assert(!r.has_claims);
}
END_TEST

START_TEST(tampered_claims)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL, *tampered = NULL;
        _cleanup_free_ unsigned char *der = NULL;
        const unsigned char *p;
        struct ae_claims claims;
        struct ae_rp_result r;
        unsigned char *at;
        int len;

        /* A genuine PoG SVID in eu-de; its claims edited to eu-fr after
         * signing. The edit changes no length, so only the signature can
         * tell. */
        ae_forge_claims(&claims, WID, NOW - 10);
        ae_forge_leaf(WID, NOW, &claims, w.a, w.a_key, &key, &leaf);
        len = i2d_X509(leaf, &der);
        ck_assert_int_gt(len, 0);
        at = memmem(der, (size_t)len, "\"eu-de\"", 7);
        ck_assert_ptr_nonnull(at);
        memcpy(at, "\"eu-fr\"", 7);
        p = der;
        tampered = d2i_X509(NULL, &p, len);
        ck_assert_ptr_nonnull(tampered);
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, tampered, NULL, NOW, &r), -EACCES);
        ck_assert_int_eq(r.reason, AE_RP_CHAIN_SIGNATURE);
        ck_assert_int_eq(r.x509_error, X509_V_ERR_CERT_SIGNATURE_FAILURE);
        ck_assert(!r.has_claims);
}
END_TEST

/* The SPIFFE ID standard's invalid examples (and rules it states) as a
 * leaf's URI SAN: refused with the rule each breaks. */
static const struct {
        const char *uri;
        enum ae_spiffe_id_error err;
} invalid_ids[] = {
        { "http://example.org/web", AE_SPIFFE_ID_WRONG_SCHEME },
        { "SPIFFE://example.org/web", AE_SPIFFE_ID_WRONG_SCHEME },
        { "spiffe:///web", AE_SPIFFE_ID_TRUST_DOMAIN_MISSING },
        { "spiffe://Example.org/web", AE_SPIFFE_ID_TRUST_DOMAIN_UPPERCASE },
        { "spiffe://example.org:8443/web", AE_SPIFFE_ID_TRUST_DOMAIN_PORT },
        { "spiffe://user@example.org/web", AE_SPIFFE_ID_TRUST_DOMAIN_USERINFO },
        { "spiffe://example.org/w%20eb", AE_SPIFFE_ID_PERCENT_ENCODED },
        { "spiffe://example.org/a//b", AE_SPIFFE_ID_PATH_EMPTY_SEGMENT },
        { "spiffe://example.org/a/./b", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/a/../b", AE_SPIFFE_ID_PATH_DOT_SEGMENT },
        { "spiffe://example.org/web/", AE_SPIFFE_ID_PATH_TRAILING_SLASH },
        { "spiffe://example.org/w*b", AE_SPIFFE_ID_PATH_CHAR },
        { "spiffe://example.org/web?x=1", AE_SPIFFE_ID_QUERY },
        { "spiffe://example.org/web#frag", AE_SPIFFE_ID_FRAGMENT },
};

START_TEST(standard_invalid_ids)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = ae_forge_key();
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_forge_opts o;
        struct ae_rp_result r;

        ae_forge_leaf_opts(&o, invalid_ids[_i].uri, NOW, NULL);
        leaf = ae_forge_cert(&o, key, w.a, w.a_key);
        ck_assert_int_eq(ae_rp_verify(w.bundle, NULL, leaf, NULL, NOW, &r), -EACCES);
        ck_assert_msg(r.reason == AE_RP_LEAF_ID_INVALID, "%s: %s", invalid_ids[_i].uri,
                      ae_rp_reason_id(r.reason));
        ck_assert_msg(r.id_error == invalid_ids[_i].err, "%s: %s, expected %s",
                      invalid_ids[_i].uri, ae_spiffe_id_error_id(r.id_error),
                      ae_spiffe_id_error_id(invalid_ids[_i].err));
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("rp_verify");
        TCase *tc = tcase_create("verify");

        tcase_add_checked_fixture(tc, world_setup, world_teardown);
        tcase_add_loop_test(tc, each_case, 0, (int)(sizeof(cases) / sizeof(cases[0])));
        tcase_add_test(tc, every_reason_has_a_case);
        tcase_add_test(tc, reason_names);
        tcase_add_test(tc, internal_failures);
        tcase_add_test(tc, result_for_the_host);
        tcase_add_test(tc, leaf_id_of_ca_certificates);
        tcase_add_test(tc, roots_rotate_within_a_domain);
        tcase_add_test(tc, tampered_claims);
        tcase_add_loop_test(tc, standard_invalid_ids, 0,
                            (int)(sizeof(invalid_ids) / sizeof(invalid_ids[0])));
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
