/* Shared by the datastore's files, not part of its API: the handle, the
 * lock and transaction scopes, SQLite error mapping, binding and reading
 * helpers. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "control-plane/server/datastore.h"

struct ae_ds {
        sqlite3 *db;
        pthread_mutex_t lock;
};

/* The migration steps (ds_schema.c): step i brings user_version from
 * i to i + 1. */
struct ae_ds_migration {
        int version;
        const char *sql;
};
extern const struct ae_ds_migration ae_ds_migrations[AE_DS_SCHEMA_VERSION];

/* ae_ds_open, stopping the migrations at version upto (tests build older
 * files with it). */
AE_MUST_USE int ae_ds_open_upto(const char *path, int upto, struct ae_ds **ret);

/* Map an SQLite result code to a negative errno and keep SQLite's message
 * for ae_ds_errmsg(). */
int ae_ds_err(struct ae_ds *ds, int rc);

/* ---- scopes ---- */

/* _cleanup_(ae_ds_unlockp) struct ae_ds *locked = ae_ds_lock(ds); */
struct ae_ds *ae_ds_lock(struct ae_ds *ds);
void ae_ds_unlockp(struct ae_ds **ds);

/* A transaction rolled back when it leaves scope uncommitted:
 * _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
 * GUARD(ae_ds_txn_begin(ds, &t, true)); ... GUARD(ae_ds_txn_commit(&t)); */
struct ae_ds_txn {
        struct ae_ds *ds;
        bool open;
};
/* write: BEGIN IMMEDIATE (takes the write lock now, so a commit never finds
 * another writer in its way); else BEGIN (a consistent read snapshot). */
AE_MUST_USE int ae_ds_txn_begin(struct ae_ds *ds, struct ae_ds_txn *t, bool write);
AE_MUST_USE int ae_ds_txn_commit(struct ae_ds_txn *t);
void ae_ds_txn_end(struct ae_ds_txn *t);

/* ---- statements ---- */

static inline void ae_ds_finalize(sqlite3_stmt *s)
{
        (void)sqlite3_finalize(s);
}
AE_DEFINE_CLEANUP(sqlite3_stmt *, ae_ds_finalize)
#define _cleanup_stmt_ _cleanup_(ae_ds_finalizep)

AE_MUST_USE int ae_ds_prepare(struct ae_ds *ds, const char *sql, sqlite3_stmt **ret);
/* Run a statement that returns no rows to its end. */
AE_MUST_USE int ae_ds_step_done(struct ae_ds *ds, sqlite3_stmt *s);
/* Room in *v (an array of elem-byte items holding n, with capacity *cap)
 * for one more of at most max items: doubled from 8, never past max.
 * -EBADMSG when n already is max (a query returned more rows than its
 * LIMIT), -ENOMEM. */
AE_MUST_USE int ae_ds_grow(void **v, size_t *cap, size_t n, size_t max, size_t elem);

/* One step: 1 for a row, 0 at the end, negative errno. */
AE_MUST_USE int ae_ds_step_row(struct ae_ds *ds, sqlite3_stmt *s);

AE_MUST_USE int ae_ds_bind_text(struct ae_ds *ds, sqlite3_stmt *s, int i, const char *v);
AE_MUST_USE int ae_ds_bind_blob(struct ae_ds *ds, sqlite3_stmt *s, int i, const void *v,
                                size_t n);
AE_MUST_USE int ae_ds_bind_int64(struct ae_ds *ds, sqlite3_stmt *s, int i, int64_t v);
AE_MUST_USE int ae_ds_bind_null(struct ae_ds *ds, sqlite3_stmt *s, int i);

/* Column i of the current row into buf (cap bytes with the NUL); -EBADMSG
 * for NULL, a non-text value or one that does not fit. */
AE_MUST_USE int ae_ds_col_text(sqlite3_stmt *s, int i, char *buf, size_t cap);
/* A blob column into buf; -EBADMSG for NULL or one longer than cap. */
AE_MUST_USE int ae_ds_col_blob(sqlite3_stmt *s, int i, uint8_t *buf, size_t cap,
                               size_t *ret_len);

/* ---- checks shared between concerns ---- */

/* strnlen(s, cap) < cap: a NUL inside the array. */
bool ae_ds_terminated(const char *s, size_t cap);
/* 0..cap-1 bytes of printable ASCII (0x20..0x7e); min_len 0 or 1. */
bool ae_ds_printable(const char *s, size_t cap, size_t min_len);
/* A SPIFFE ID with a path, inside an array of cap bytes; *ret (may be
 * NULL) gets it parsed. */
bool ae_ds_spiffe_id_valid(const char *s, size_t cap, struct ae_spiffe_id *ret);
/* 1..cap-1 bytes of [A-Za-z0-9._-] (policy names, zones). */
bool ae_ds_name_valid(const char *s, size_t cap);

/* Append an audit record inside the caller's transaction (ds_audit.c). */
AE_MUST_USE int ae_ds_audit_insert(struct ae_ds *ds, const struct ae_ds_audit *a,
                                   int64_t *ret_seq);

/* Copy up to size-1 bytes of s, NUL-terminated (detail texts). */
void ae_ds_copy_trunc(char *dst, size_t size, const char *s);

/* Read the selectors of one owner from a (pos-ordered) child table query
 * with ?1 = owner key: "SELECT type, value FROM ... WHERE owner = ?1 ORDER
 * BY pos". -EBADMSG when more than max are stored. */
AE_MUST_USE int ae_ds_read_selectors(struct ae_ds *ds, const char *sql, const char *owner,
                                     struct ae_ds_selector *sel, size_t max, size_t *ret_n);
