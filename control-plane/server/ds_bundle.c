/* The trust bundle per trust domain: root certificates and JWT keys,
 * replaced whole, with a sequence number that moves on every set. */
#include "control-plane/server/datastore.h"

#include <stdlib.h>
#include <string.h>

#include "control-plane/server/ds_internal.h"

static bool blob_valid(const uint8_t *b, size_t n)
{
        return b && n > 0 && n <= AE_DS_DER_MAX;
}

static int bundle_check(const struct ae_ds_bundle *b)
{
        ENSURE(ae_ds_terminated(b->trust_domain, sizeof(b->trust_domain)) &&
                       ae_spiffe_trust_domain_valid(b->trust_domain),
               -EINVAL);
        ENSURE(b->n_roots <= AE_DS_BUNDLE_ROOTS_MAX && b->n_jwt_keys <= AE_DS_BUNDLE_JWT_KEYS_MAX,
               -E2BIG);
        ENSURE(b->n_roots > 0, -EINVAL);
        for (size_t i = 0; i < b->n_roots; i++)
                ENSURE(blob_valid(b->roots[i].der, b->roots[i].der_len), -EINVAL);
        for (size_t i = 0; i < b->n_jwt_keys; i++) {
                const struct ae_ds_jwt_key *k = &b->jwt_keys[i];

                ENSURE(blob_valid(k->public_key, k->public_key_len), -EINVAL);
                ENSURE(ae_ds_printable(k->kid, sizeof(k->kid), 1), -EINVAL);
                for (size_t j = 0; j < i; j++)
                        ENSURE(strcmp(k->kid, b->jwt_keys[j].kid) != 0, -EINVAL);
        }
        return 0;
}

/* Insert or bump the bundles row; the new sequence into *ret. */
static int bump(struct ae_ds *ds, const char *td, uint64_t *ret)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO bundles (trust_domain, sequence) VALUES (?1, 1)"
                            " ON CONFLICT (trust_domain) DO UPDATE SET sequence = sequence + 1"
                            " RETURNING sequence",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, td));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -EIO);
        *ret = (uint64_t)sqlite3_column_int64(s, 0);
        return ae_ds_step_done(ds, s);
}

static int exec_td(struct ae_ds *ds, const char *sql, const char *td)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        GUARD(ae_ds_prepare(ds, sql, &s));
        GUARD(ae_ds_bind_text(ds, s, 1, td));
        return ae_ds_step_done(ds, s);
}

static int insert_material(struct ae_ds *ds, const struct ae_ds_bundle *b)
{
        _cleanup_stmt_ sqlite3_stmt *root = NULL, *key = NULL;

        GUARD(exec_td(ds, "DELETE FROM bundle_roots WHERE trust_domain = ?1", b->trust_domain));
        GUARD(exec_td(ds, "DELETE FROM bundle_jwt_keys WHERE trust_domain = ?1", b->trust_domain));
        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO bundle_roots (trust_domain, pos, der, not_after)"
                            " VALUES (?1, ?2, ?3, ?4)",
                            &root));
        for (size_t i = 0; i < b->n_roots; i++) {
                GUARD(ae_ds_bind_text(ds, root, 1, b->trust_domain));
                GUARD(ae_ds_bind_int64(ds, root, 2, (int64_t)i));
                GUARD(ae_ds_bind_blob(ds, root, 3, b->roots[i].der, b->roots[i].der_len));
                GUARD(ae_ds_bind_int64(ds, root, 4, b->roots[i].not_after));
                GUARD(ae_ds_step_done(ds, root));
                (void)sqlite3_reset(root);
        }
        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO bundle_jwt_keys (trust_domain, pos, kid, public_key, not_after)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)",
                            &key));
        for (size_t i = 0; i < b->n_jwt_keys; i++) {
                const struct ae_ds_jwt_key *k = &b->jwt_keys[i];

                GUARD(ae_ds_bind_text(ds, key, 1, b->trust_domain));
                GUARD(ae_ds_bind_int64(ds, key, 2, (int64_t)i));
                GUARD(ae_ds_bind_text(ds, key, 3, k->kid));
                GUARD(ae_ds_bind_blob(ds, key, 4, k->public_key, k->public_key_len));
                GUARD(ae_ds_bind_int64(ds, key, 5, k->not_after));
                GUARD(ae_ds_step_done(ds, key));
                (void)sqlite3_reset(key);
        }
        return 0;
}

int ae_ds_bundle_set(struct ae_ds *ds, const struct ae_ds_bundle *b, uint64_t *ret_sequence)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        uint64_t seq;

        ENSURE(ds && b, -EINVAL);
        GUARD(bundle_check(b));
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, true));
        GUARD(bump(ds, b->trust_domain, &seq));
        GUARD(insert_material(ds, b));
        GUARD(ae_ds_txn_commit(&t));
        if (ret_sequence)
                *ret_sequence = seq;
        return 0;
}

void ae_ds_bundle_free(struct ae_ds_bundle *b)
{
        if (!b)
                return;
        for (size_t i = 0; i < b->n_roots; i++)
                free(b->roots[i].der);
        for (size_t i = 0; i < b->n_jwt_keys; i++)
                free(b->jwt_keys[i].public_key);
        free(b);
}

/* A blob column (1..AE_DS_DER_MAX bytes) as a malloc'd copy. */
static int col_dup(sqlite3_stmt *s, int i, uint8_t **ret, size_t *ret_len)
{
        const void *p;
        uint8_t *copy;
        int n;

        ENSURE(sqlite3_column_type(s, i) == SQLITE_BLOB, -EBADMSG);
        p = sqlite3_column_blob(s, i);
        n = sqlite3_column_bytes(s, i);
        ENSURE(p && n > 0 && n <= AE_DS_DER_MAX, -EBADMSG);
        copy = malloc((size_t)n);
        ENSURE_ALLOC(copy);
        memcpy(copy, p, (size_t)n);
        *ret = copy;
        *ret_len = (size_t)n;
        return 0;
}

static int read_roots(struct ae_ds *ds, struct ae_ds_bundle *b)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        GUARD(ae_ds_prepare(ds,
                            "SELECT der, not_after FROM bundle_roots WHERE trust_domain = ?1"
                            " ORDER BY pos",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, b->trust_domain));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                struct ae_ds_bundle_root *root;

                ENSURE(b->n_roots < AE_DS_BUNDLE_ROOTS_MAX, -EBADMSG);
                root = &b->roots[b->n_roots];
                GUARD(col_dup(s, 0, &root->der, &root->der_len));
                root->not_after = sqlite3_column_int64(s, 1);
                b->n_roots++;
        }
        GUARD(r);
        ENSURE(b->n_roots > 0, -EBADMSG);
        return 0;
}

static int read_keys(struct ae_ds *ds, struct ae_ds_bundle *b)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        GUARD(ae_ds_prepare(ds,
                            "SELECT kid, public_key, not_after FROM bundle_jwt_keys"
                            " WHERE trust_domain = ?1 ORDER BY pos",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, b->trust_domain));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                struct ae_ds_jwt_key *k;

                ENSURE(b->n_jwt_keys < AE_DS_BUNDLE_JWT_KEYS_MAX, -EBADMSG);
                k = &b->jwt_keys[b->n_jwt_keys];
                GUARD(ae_ds_col_text(s, 0, k->kid, sizeof(k->kid)));
                GUARD(col_dup(s, 1, &k->public_key, &k->public_key_len));
                k->not_after = sqlite3_column_int64(s, 2);
                b->n_jwt_keys++;
        }
        return r;
}

int ae_ds_bundle_get(struct ae_ds *ds, const char *trust_domain, struct ae_ds_bundle **ret)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_(ae_ds_bundle_freep) struct ae_ds_bundle *b = NULL;
        int r;

        ENSURE(ds && trust_domain && ret, -EINVAL);
        ENSURE(strnlen(trust_domain, AE_TRUST_DOMAIN_MAX + 1) <= AE_TRUST_DOMAIN_MAX, -EINVAL);
        b = calloc(1, sizeof(*b));
        ENSURE_ALLOC(b);
        strcpy(b->trust_domain, trust_domain);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, false));
        GUARD(ae_ds_prepare(ds, "SELECT sequence FROM bundles WHERE trust_domain = ?1", &s));
        GUARD(ae_ds_bind_text(ds, s, 1, trust_domain));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -ENOENT);
        b->sequence = (uint64_t)sqlite3_column_int64(s, 0);
        GUARD(read_roots(ds, b));
        GUARD(read_keys(ds, b));
        GUARD(ae_ds_txn_commit(&t));
        *ret = TAKE_PTR(b);
        return 0;
}
