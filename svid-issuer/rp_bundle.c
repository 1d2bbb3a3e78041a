/* The bundle's trust domains and their stores, and its PEM sources
 * (rp_bundle.h). The SPIFFE bundle JSON source is rp_bundle_json.c. */
#include "svid-issuer/rp_bundle.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/file.h"
#include "common/ossl.h"
#include "common/spiffe_id.h"
#include "svid-issuer/rp_leaf.h"
#include "svid-issuer/rp_pem.h"

struct domain {
        char td[AE_TRUST_DOMAIN_MAX + 1];
        X509_STORE *store;
        STACK_OF(X509) *roots;
};

struct ae_rp_bundle {
        atomic_int refs;
        size_t n;
        struct domain d[AE_RP_BUNDLE_DOMAINS_MAX];
};

static int why(const char **ret_why, const char *text, int err)
{
        if (ret_why)
                *ret_why = text;
        return err;
}

int ae_rp_bundle_new(struct ae_rp_bundle **ret)
{
        struct ae_rp_bundle *b;

        ENSURE(ret, -EINVAL);
        b = calloc(1, sizeof(*b));
        ENSURE_ALLOC(b);
        atomic_init(&b->refs, 1);
        *ret = b;
        return 0;
}

struct ae_rp_bundle *ae_rp_bundle_ref(struct ae_rp_bundle *b)
{
        if (b)
                atomic_fetch_add(&b->refs, 1);
        return b;
}

void ae_rp_bundle_unref(struct ae_rp_bundle *b)
{
        if (!b || atomic_fetch_sub(&b->refs, 1) != 1)
                return;
        for (size_t i = 0; i < b->n; i++) {
                X509_STORE_free(b->d[i].store);
                ae_x509_stack_free(b->d[i].roots);
        }
        free(b);
}

static struct domain *find(const struct ae_rp_bundle *b, const char *td)
{
        for (size_t i = 0; b && td && i < b->n; i++)
                if (strcmp(b->d[i].td, td) == 0)
                        return (struct domain *)&b->d[i];
        return NULL;
}

size_t ae_rp_bundle_count(const struct ae_rp_bundle *b)
{
        return b ? b->n : 0;
}

const char *ae_rp_bundle_trust_domain(const struct ae_rp_bundle *b, size_t i)
{
        return b && i < b->n ? b->d[i].td : NULL;
}

X509_STORE *ae_rp_bundle_store_at(const struct ae_rp_bundle *b, size_t i)
{
        return b && i < b->n ? b->d[i].store : NULL;
}

X509_STORE *ae_rp_bundle_store(const struct ae_rp_bundle *b, const char *td)
{
        struct domain *d = find(b, td);

        return d ? d->store : NULL;
}

size_t ae_rp_bundle_root_count(const struct ae_rp_bundle *b, const char *td)
{
        struct domain *d = find(b, td);

        return d ? (size_t)sk_X509_num(d->roots) : 0;
}

/* ---- adding roots: check everything, then change the bundle ---- */

/* Whether x may be a root, and of which trust domain (td, or the one its
 * URI SAN names when td is NULL) into ret_td. */
static int check_root(X509 *x, const char *td, char ret_td[AE_TRUST_DOMAIN_MAX + 1],
                      const char **ret_why)
{
        uint32_t flags = X509_get_extension_flags(x);
        struct ae_spiffe_id id;
        bool has_id;

        if (flags & EXFLAG_INVALID)
                return why(ret_why, "root certificate has malformed extensions", -EBADMSG);
        if (!(flags & EXFLAG_CA))
                return why(ret_why, "root certificate is not a CA (basicConstraints cA=true)",
                           -EBADMSG);
        if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & KU_KEY_CERT_SIGN))
                return why(ret_why, "root certificate keyUsage lacks keyCertSign", -EBADMSG);
        has_id = ae_rp_cert_spiffe_id(x, &id, NULL, NULL) == 0;
        if (!td) {
                if (!has_id)
                        return why(ret_why, "root names no trust domain (one spiffe:// URI SAN)",
                                   -EBADMSG);
                td = id.trust_domain;
        } else if (has_id && strcmp(id.trust_domain, td) != 0) {
                return why(ret_why, "root's URI SAN names another trust domain", -EBADMSG);
        }
        memcpy(ret_td, td, strlen(td) + 1);
        return 0;
}

static bool holds(STACK_OF(X509) *roots, const X509 *x)
{
        for (int i = 0; roots && i < sk_X509_num(roots); i++)
                if (X509_cmp(sk_X509_value(roots, i), x) == 0)
                        return true;
        return false;
}

/* Where each new root goes: an existing domain or one to create. */
struct plan {
        size_t n_new;
        char new_td[AE_RP_BUNDLE_DOMAINS_MAX][AE_TRUST_DOMAIN_MAX + 1];
        size_t adds[AE_RP_BUNDLE_DOMAINS_MAX]; /* roots added per domain slot */
};

static int plan_slot(const struct ae_rp_bundle *b, struct plan *p, const char *td, size_t *ret)
{
        for (size_t i = 0; i < b->n; i++) {
                if (strcmp(b->d[i].td, td) == 0) {
                        *ret = i;
                        return 0;
                }
        }
        for (size_t i = 0; i < p->n_new; i++) {
                if (strcmp(p->new_td[i], td) == 0) {
                        *ret = b->n + i;
                        return 0;
                }
        }
        if (b->n + p->n_new >= AE_RP_BUNDLE_DOMAINS_MAX)
                return -E2BIG;
        memcpy(p->new_td[p->n_new], td, strlen(td) + 1);
        *ret = b->n + p->n_new++;
        return 0;
}

static int new_domain(struct domain *d, const char *td)
{
        memset(d, 0, sizeof(*d));
        memcpy(d->td, td, strlen(td) + 1);
        d->store = X509_STORE_new();
        d->roots = sk_X509_new_null();
        if (!d->store || !d->roots) {
                X509_STORE_free(d->store);
                sk_X509_free(d->roots);
                return -ENOMEM;
        }
        return 0;
}

int ae_rp_bundle_add_roots(struct ae_rp_bundle *b, const char *td, STACK_OF(X509) *roots,
                           const char **ret_why)
{
        _cleanup_free_ struct plan *p = NULL;
        _cleanup_free_ size_t *slot = NULL;
        _cleanup_free_ char(*tds)[AE_TRUST_DOMAIN_MAX + 1] = NULL;
        size_t n;

        ENSURE(b && roots, why(ret_why, "no bundle or roots", -EINVAL));
        ENSURE(!td || ae_spiffe_trust_domain_valid(td),
               why(ret_why, "invalid trust domain name", -EINVAL));
        n = (size_t)sk_X509_num(roots);
        ENSURE(n > 0, why(ret_why, "no certificate", -EBADMSG));
        ENSURE(n <= AE_RP_BUNDLE_DOMAINS_MAX * AE_RP_BUNDLE_ROOTS_MAX,
               why(ret_why, "too many roots", -E2BIG));
        p = calloc(1, sizeof(*p));
        slot = calloc(n, sizeof(*slot));
        tds = calloc(n, sizeof(*tds));
        ENSURE(p && slot && tds, why(ret_why, "out of memory", -ENOMEM));

        for (size_t i = 0; i < n; i++) {
                X509 *x = sk_X509_value(roots, (int)i);
                size_t s, have;
                bool dup;

                GUARD(check_root(x, td, tds[i], ret_why));
                ENSURE(plan_slot(b, p, tds[i], &s) == 0,
                       why(ret_why, "too many trust domains", -E2BIG));
                dup = s < b->n && holds(b->d[s].roots, x);
                for (size_t j = 0; j < i && !dup; j++)
                        dup = slot[j] == s && X509_cmp(sk_X509_value(roots, (int)j), x) == 0;
                slot[i] = dup ? SIZE_MAX : s;
                if (dup)
                        continue;
                have = s < b->n ? (size_t)sk_X509_num(b->d[s].roots) : 0;
                ENSURE(have + ++p->adds[s] <= AE_RP_BUNDLE_ROOTS_MAX,
                       why(ret_why, "too many roots for one trust domain", -E2BIG));
        }

        /* Nothing below fails but for memory. */
        for (size_t i = 0; i < p->n_new; i++) {
                ENSURE(new_domain(&b->d[b->n], p->new_td[i]) == 0,
                       why(ret_why, "out of memory", -ENOMEM));
                b->n++;
        }
        for (size_t i = 0; i < n; i++) {
                X509 *x = sk_X509_value(roots, (int)i);
                struct domain *d;

                if (slot[i] == SIZE_MAX)
                        continue;
                d = &b->d[slot[i]];
                ENSURE(X509_STORE_add_cert(d->store, x) == 1 && X509_up_ref(x) == 1,
                       why(ret_why, "out of memory", -ENOMEM));
                if (!sk_X509_push(d->roots, x)) {
                        X509_free(x);
                        return why(ret_why, "out of memory", -ENOMEM);
                }
        }
        return 0;
}

int ae_rp_bundle_add_root(struct ae_rp_bundle *b, const char *td, X509 *root,
                          const char **ret_why)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *one = sk_X509_new_null();

        ENSURE(root, why(ret_why, "no certificate", -EINVAL));
        ENSURE(one && X509_up_ref(root) == 1, why(ret_why, "out of memory", -ENOMEM));
        if (!sk_X509_push(one, root)) {
                X509_free(root);
                return why(ret_why, "out of memory", -ENOMEM);
        }
        return ae_rp_bundle_add_roots(b, td, one, ret_why);
}

/* ---- PEM ---- */

int ae_rp_bundle_add_pem(struct ae_rp_bundle *b, const char *td, const char *pem, size_t len,
                         const char **ret_why)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *certs = NULL;

        ENSURE(b, why(ret_why, "no bundle", -EINVAL));
        GUARD(ae_rp_pem_certs(pem, len, &certs, ret_why));
        return ae_rp_bundle_add_roots(b, td, certs, ret_why);
}

/* ---- files ---- */

int ae_rp_bundle_load_file(struct ae_rp_bundle *b, const char *td, const char *path,
                           const char **ret_why)
{
        _cleanup_free_ uint8_t *data = NULL;
        size_t len = 0, i = 0;
        int r;

        ENSURE(b && path, why(ret_why, "no bundle or path", -EINVAL));
        r = ae_file_read(path, AE_RP_BUNDLE_FILE_MAX, &data, &len);
        if (r == -EFBIG)
                return why(ret_why, "bundle file over the size limit", -E2BIG);
        if (r < 0)
                return why(ret_why, "cannot read the bundle file", r);
        while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
                i++;
        if (i < len && data[i] == '{') {
                ENSURE(td, why(ret_why, "a SPIFFE bundle JSON file needs td=", -EINVAL));
                return ae_rp_bundle_add_spiffe_json(b, td, (const char *)data, len, ret_why);
        }
        return ae_rp_bundle_add_pem(b, td, (const char *)data, len, ret_why);
}

int ae_rp_bundle_load_arg(struct ae_rp_bundle *b, const char *arg, const char **ret_why)
{
        char td[AE_TRUST_DOMAIN_MAX + 1];
        const char *eq;
        size_t n;

        ENSURE(b && arg && arg[0], why(ret_why, "no bundle argument", -EINVAL));
        eq = strchr(arg, '=');
        n = eq ? (size_t)(eq - arg) : 0;
        if (eq && n > 0 && n <= AE_TRUST_DOMAIN_MAX) {
                memcpy(td, arg, n);
                td[n] = '\0';
                if (ae_spiffe_trust_domain_valid(td)) {
                        ENSURE(eq[1], why(ret_why, "td= without a path", -EINVAL));
                        return ae_rp_bundle_load_file(b, td, eq + 1, ret_why);
                }
        }
        return ae_rp_bundle_load_file(b, NULL, arg, ret_why);
}
