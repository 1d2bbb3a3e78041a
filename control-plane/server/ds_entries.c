/* Registration entries: rows in entries, their selectors and DNS names in
 * child tables, an audit record with every create and delete. */
#include "control-plane/server/datastore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "control-plane/server/ds_internal.h"

#define ENTRY_COLUMNS                                                                          \
        "id, spiffe_id, parent_id, x509_svid_ttl, jwt_svid_ttl, admin, downstream, hint, "   \
        "created_at, revision_number"

/* A random UUIDv4 (RFC 9562 section 5.4) in lowercase text. */
static int uuid4(char buf[AE_DS_ENTRY_ID_SIZE])
{
        static const char hex[] = "0123456789abcdef";
        uint8_t b[16];
        size_t o = 0;

        ENSURE(getrandom(b, sizeof(b), 0) == (ssize_t)sizeof(b), -EIO);
        b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
        b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
        for (size_t i = 0; i < sizeof(b); i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        buf[o++] = '-';
                buf[o++] = hex[b[i] >> 4];
                buf[o++] = hex[b[i] & 0x0f];
        }
        buf[o] = '\0';
        return 0;
}

static int selector_cmp(const void *a, const void *b)
{
        const struct ae_ds_selector *x = a, *y = b;
        int c = strcmp(x->type, y->type);

        return c ? c : strcmp(x->value, y->value);
}

/* The selector set in canonical form: sorted "type:value\n" lines. Types
 * hold no ':' and no text holds '\n', so equal keys mean equal sets. */
static int selectors_key(const struct ae_ds_entry *e, char **ret)
{
        _cleanup_free_ struct ae_ds_selector *sorted = NULL;
        _cleanup_free_ char *key = NULL;
        size_t cap = 1, o = 0;

        sorted = malloc(e->n_selectors * sizeof(*sorted));
        ENSURE_ALLOC(sorted);
        memcpy(sorted, e->selectors, e->n_selectors * sizeof(*sorted));
        qsort(sorted, e->n_selectors, sizeof(*sorted), selector_cmp);
        for (size_t i = 0; i < e->n_selectors; i++)
                cap += strlen(sorted[i].type) + strlen(sorted[i].value) + 2;
        key = malloc(cap);
        ENSURE_ALLOC(key);
        for (size_t i = 0; i < e->n_selectors; i++) {
                size_t t = strlen(sorted[i].type), v = strlen(sorted[i].value);

                memcpy(key + o, sorted[i].type, t);
                o += t;
                key[o++] = ':';
                memcpy(key + o, sorted[i].value, v);
                o += v;
                key[o++] = '\n';
        }
        key[o] = '\0';
        *ret = TAKE_PTR(key);
        return 0;
}

static int entry_exists(struct ae_ds *ds, const struct ae_ds_entry *e, const char *key,
                        bool *ret)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        GUARD(ae_ds_prepare(ds,
                            "SELECT 1 FROM entries WHERE spiffe_id = ?1 AND parent_id = ?2"
                            " AND selectors_key = ?3",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, e->spiffe_id));
        GUARD(ae_ds_bind_text(ds, s, 2, e->parent_id));
        GUARD(ae_ds_bind_text(ds, s, 3, key));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        *ret = r == 1;
        return 0;
}

static int insert_row(struct ae_ds *ds, const struct ae_ds_entry *e, const char *id,
                      const char *key, int64_t now)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO entries (" ENTRY_COLUMNS ", selectors_key)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, id));
        GUARD(ae_ds_bind_text(ds, s, 2, e->spiffe_id));
        GUARD(ae_ds_bind_text(ds, s, 3, e->parent_id));
        GUARD(ae_ds_bind_int64(ds, s, 4, e->x509_svid_ttl));
        GUARD(ae_ds_bind_int64(ds, s, 5, e->jwt_svid_ttl));
        GUARD(ae_ds_bind_int64(ds, s, 6, e->admin));
        GUARD(ae_ds_bind_int64(ds, s, 7, e->downstream));
        GUARD(ae_ds_bind_text(ds, s, 8, e->hint));
        GUARD(ae_ds_bind_int64(ds, s, 9, now));
        GUARD(ae_ds_bind_text(ds, s, 10, key));
        return ae_ds_step_done(ds, s);
}

static int insert_children(struct ae_ds *ds, const struct ae_ds_entry *e, const char *id)
{
        _cleanup_stmt_ sqlite3_stmt *sel = NULL, *dns = NULL;

        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO entry_selectors (entry_id, pos, type, value)"
                            " VALUES (?1, ?2, ?3, ?4)",
                            &sel));
        for (size_t i = 0; i < e->n_selectors; i++) {
                GUARD(ae_ds_bind_text(ds, sel, 1, id));
                GUARD(ae_ds_bind_int64(ds, sel, 2, (int64_t)i));
                GUARD(ae_ds_bind_text(ds, sel, 3, e->selectors[i].type));
                GUARD(ae_ds_bind_text(ds, sel, 4, e->selectors[i].value));
                GUARD(ae_ds_step_done(ds, sel));
                (void)sqlite3_reset(sel);
        }
        GUARD(ae_ds_prepare(ds, "INSERT INTO entry_dns_names (entry_id, pos, name) VALUES (?1, ?2, ?3)",
                            &dns));
        for (size_t i = 0; i < e->n_dns_names; i++) {
                GUARD(ae_ds_bind_text(ds, dns, 1, id));
                GUARD(ae_ds_bind_int64(ds, dns, 2, (int64_t)i));
                GUARD(ae_ds_bind_text(ds, dns, 3, e->dns_names[i]));
                GUARD(ae_ds_step_done(ds, dns));
                (void)sqlite3_reset(dns);
        }
        return 0;
}

/* The audit record of an entry event: the entry id and its SPIFFE ID. */
static int audit_entry(struct ae_ds *ds, enum ae_ds_audit_kind kind, const char *id,
                       const char *spiffe_id, int64_t now)
{
        struct ae_ds_audit a = { .time = now, .kind = kind, .accepted = true };
        size_t n = strlen(id);

        memcpy(a.detail, id, n);
        a.detail[n++] = ' ';
        ae_ds_copy_trunc(a.detail + n, sizeof(a.detail) - n, spiffe_id);
        return ae_ds_audit_insert(ds, &a, NULL);
}

int ae_ds_entry_create(struct ae_ds *ds, const struct ae_ds_entry *e,
                       char ret_id[AE_DS_ENTRY_ID_SIZE], enum ae_ds_entry_reason *reason)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_free_ char *key = NULL;
        enum ae_ds_entry_reason why;
        char id[AE_DS_ENTRY_ID_SIZE];
        int64_t now = (int64_t)time(NULL);
        bool exists;

        if (reason)
                *reason = AE_DS_ENTRY_OK;
        ENSURE(ds && e, -EINVAL);
        why = ae_ds_entry_validate(e);
        if (why != AE_DS_ENTRY_OK) {
                if (reason)
                        *reason = why;
                return -EINVAL;
        }
        GUARD(selectors_key(e, &key));
        GUARD(uuid4(id));

        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, true));
        GUARD(entry_exists(ds, e, key, &exists));
        if (exists) {
                if (reason)
                        *reason = AE_DS_ENTRY_EXISTS;
                return -EEXIST;
        }
        GUARD(insert_row(ds, e, id, key, now));
        GUARD(insert_children(ds, e, id));
        GUARD(audit_entry(ds, AE_DS_AUDIT_ENTRY_CREATED, id, e->spiffe_id, now));
        GUARD(ae_ds_txn_commit(&t));
        if (ret_id)
                memcpy(ret_id, id, sizeof(id));
        return 0;
}

/* Columns in ENTRY_COLUMNS order into e; children not read. */
static int read_row(sqlite3_stmt *s, struct ae_ds_entry *e)
{
        memset(e, 0, sizeof(*e));
        GUARD(ae_ds_col_text(s, 0, e->id, sizeof(e->id)));
        GUARD(ae_ds_col_text(s, 1, e->spiffe_id, sizeof(e->spiffe_id)));
        GUARD(ae_ds_col_text(s, 2, e->parent_id, sizeof(e->parent_id)));
        e->x509_svid_ttl = sqlite3_column_int64(s, 3);
        e->jwt_svid_ttl = sqlite3_column_int64(s, 4);
        e->admin = sqlite3_column_int64(s, 5) != 0;
        e->downstream = sqlite3_column_int64(s, 6) != 0;
        GUARD(ae_ds_col_text(s, 7, e->hint, sizeof(e->hint)));
        e->created_at = sqlite3_column_int64(s, 8);
        e->revision_number = sqlite3_column_int64(s, 9);
        return 0;
}

static int read_children(struct ae_ds *ds, struct ae_ds_entry *e)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        size_t n = 0;
        int r;

        GUARD(ae_ds_read_selectors(ds,
                                   "SELECT type, value FROM entry_selectors WHERE entry_id = ?1"
                                   " ORDER BY pos",
                                   e->id, e->selectors, AE_DS_ENTRY_SELECTORS_MAX,
                                   &e->n_selectors));
        /* The schema cannot tell an entry from a half-written one; this can. */
        ENSURE(e->n_selectors > 0, -EBADMSG);
        GUARD(ae_ds_prepare(ds, "SELECT name FROM entry_dns_names WHERE entry_id = ?1 ORDER BY pos",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, e->id));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                ENSURE(n < AE_DS_DNS_NAMES_MAX, -EBADMSG);
                GUARD(ae_ds_col_text(s, 0, e->dns_names[n], sizeof(e->dns_names[n])));
                n++;
        }
        GUARD(r);
        e->n_dns_names = n;
        return 0;
}

int ae_ds_entry_get(struct ae_ds *ds, const char *id, struct ae_ds_entry *ret)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ struct ae_ds_entry *e = NULL;
        int r;

        ENSURE(ds && id && ret, -EINVAL);
        e = malloc(sizeof(*e));
        ENSURE_ALLOC(e);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, false));
        GUARD(ae_ds_prepare(ds, "SELECT " ENTRY_COLUMNS " FROM entries WHERE id = ?1", &s));
        GUARD(ae_ds_bind_text(ds, s, 1, id));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -ENOENT);
        GUARD(read_row(s, e));
        GUARD(read_children(ds, e));
        GUARD(ae_ds_txn_commit(&t));
        memcpy(ret, e, sizeof(*e));
        return 0;
}

int ae_ds_entry_delete(struct ae_ds *ds, const char *id)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *del = NULL;
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        int r;

        ENSURE(ds && id, -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, true));
        GUARD(ae_ds_prepare(ds, "SELECT spiffe_id FROM entries WHERE id = ?1", &s));
        GUARD(ae_ds_bind_text(ds, s, 1, id));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -ENOENT);
        GUARD(ae_ds_col_text(s, 0, spiffe_id, sizeof(spiffe_id)));
        GUARD(ae_ds_prepare(ds, "DELETE FROM entries WHERE id = ?1", &del));
        GUARD(ae_ds_bind_text(ds, del, 1, id));
        GUARD(ae_ds_step_done(ds, del));
        GUARD(audit_entry(ds, AE_DS_AUDIT_ENTRY_DELETED, id, spiffe_id, (int64_t)time(NULL)));
        return ae_ds_txn_commit(&t);
}

/* Rows of a prepared listing (ENTRY_COLUMNS, at most max) with children. */
static int collect(struct ae_ds *ds, sqlite3_stmt *s, size_t max, struct ae_ds_entry **ret,
                   size_t *ret_n)
{
        _cleanup_free_ struct ae_ds_entry *v = NULL;
        size_t n = 0, cap = 0;
        int r;

        while ((r = ae_ds_step_row(ds, s)) == 1) {
                GUARD(ae_ds_grow((void **)&v, &cap, n, max, sizeof(*v)));
                GUARD(read_row(s, &v[n]));
                GUARD(read_children(ds, &v[n]));
                n++;
        }
        GUARD(r);
        *ret = n ? TAKE_PTR(v) : NULL;
        *ret_n = n;
        return 0;
}

static int list(struct ae_ds *ds, const char *parent_id, const char *after_id, size_t max,
                struct ae_ds_entry **ret, size_t *ret_n)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        struct ae_ds_entry *v = NULL;
        size_t n = 0;
        int r;

        ENSURE(ds && ret && ret_n, -EINVAL);
        ENSURE(max >= 1 && max <= AE_DS_LIST_MAX, -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, false));
        GUARD(ae_ds_prepare(ds,
                            "SELECT " ENTRY_COLUMNS " FROM entries"
                            " WHERE id > ?1 AND (?2 IS NULL OR parent_id = ?2)"
                            " ORDER BY id LIMIT ?3",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, after_id ? after_id : ""));
        if (parent_id)
                GUARD(ae_ds_bind_text(ds, s, 2, parent_id));
        else
                GUARD(ae_ds_bind_null(ds, s, 2));
        GUARD(ae_ds_bind_int64(ds, s, 3, (int64_t)max));
        GUARD(collect(ds, s, max, &v, &n));
        r = ae_ds_txn_commit(&t);
        if (r < 0) {
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int ae_ds_entry_list(struct ae_ds *ds, const char *after_id, size_t max,
                     struct ae_ds_entry **ret, size_t *ret_n)
{
        return list(ds, NULL, after_id, max, ret, ret_n);
}

int ae_ds_entry_list_by_parent(struct ae_ds *ds, const char *parent_id, const char *after_id,
                               size_t max, struct ae_ds_entry **ret, size_t *ret_n)
{
        ENSURE(parent_id, -EINVAL);
        return list(ds, parent_id, after_id, max, ret, ret_n);
}

int ae_ds_entry_count(struct ae_ds *ds, uint64_t *ret_n)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        ENSURE(ds && ret_n, -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_prepare(ds, "SELECT count(*) FROM entries", &s));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -EIO);
        *ret_n = (uint64_t)sqlite3_column_int64(s, 0);
        return 0;
}
