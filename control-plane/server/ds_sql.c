/* SQLite at the boundary: result codes become errnos once, here, with
 * SQLite's text kept per thread for the log; lock and transaction scopes;
 * binding and bounded reading of columns. */
#include "control-plane/server/ds_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errmsg[256];

const char *ae_ds_errmsg(void)
{
        return errmsg;
}

static int map_rc(int rc)
{
        switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
                return -EEXIST;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
                return -ENOENT;
        case SQLITE_CONSTRAINT_TRIGGER:
                return -EPERM;
        default:
                break;
        }
        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_FORMAT:
                return -EBADMSG;
        case SQLITE_PERM:
        case SQLITE_AUTH:
        case SQLITE_CANTOPEN:
                return -EACCES;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
        case SQLITE_TOOBIG:
                return -EINVAL;
        default:
                return -EIO;
        }
}

int ae_ds_err(struct ae_ds *ds, int rc)
{
        const char *m = ds && ds->db ? sqlite3_errmsg(ds->db) : sqlite3_errstr(rc);

        ae_ds_copy_trunc(errmsg, sizeof(errmsg), m ? m : sqlite3_errstr(rc));
        return map_rc(rc);
}

struct ae_ds *ae_ds_lock(struct ae_ds *ds)
{
        pthread_mutex_lock(&ds->lock);
        return ds;
}

void ae_ds_unlockp(struct ae_ds **ds)
{
        if (*ds)
                pthread_mutex_unlock(&(*ds)->lock);
}

static int exec_plain(struct ae_ds *ds, const char *sql)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        GUARD(ae_ds_prepare(ds, sql, &s));
        return ae_ds_step_done(ds, s);
}

int ae_ds_txn_begin(struct ae_ds *ds, struct ae_ds_txn *t, bool write)
{
        ENSURE(!t->open, -EINVAL);
        GUARD(exec_plain(ds, write ? "BEGIN IMMEDIATE" : "BEGIN"));
        t->ds = ds;
        t->open = true;
        return 0;
}

int ae_ds_txn_commit(struct ae_ds_txn *t)
{
        ENSURE(t->open, -EINVAL);
        GUARD(exec_plain(t->ds, "COMMIT"));
        t->open = false;
        return 0;
}

void ae_ds_txn_end(struct ae_ds_txn *t)
{
        /* A failed statement may already have ended the transaction
         * (SQLite rolls back on some errors); then there is nothing to do. */
        if (t->open && !sqlite3_get_autocommit(t->ds->db))
                (void)sqlite3_exec(t->ds->db, "ROLLBACK", NULL, NULL, NULL);
        t->open = false;
}

int ae_ds_prepare(struct ae_ds *ds, const char *sql, sqlite3_stmt **ret)
{
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(ds->db, sql, -1, &s, NULL);

        if (rc != SQLITE_OK) {
                (void)sqlite3_finalize(s);
                return ae_ds_err(ds, rc);
        }
        *ret = s;
        return 0;
}

int ae_ds_step_done(struct ae_ds *ds, sqlite3_stmt *s)
{
        int rc;

        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
                ;
        if (rc != SQLITE_DONE)
                return ae_ds_err(ds, rc);
        return 0;
}

int ae_ds_step_row(struct ae_ds *ds, sqlite3_stmt *s)
{
        int rc = sqlite3_step(s);

        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return ae_ds_err(ds, rc);
}

int ae_ds_bind_text(struct ae_ds *ds, sqlite3_stmt *s, int i, const char *v)
{
        int rc = sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);

        return rc == SQLITE_OK ? 0 : ae_ds_err(ds, rc);
}

int ae_ds_bind_blob(struct ae_ds *ds, sqlite3_stmt *s, int i, const void *v, size_t n)
{
        int rc;

        ENSURE(n <= INT_MAX, -EINVAL);
        /* A zero-length blob must still be a blob, not NULL. */
        rc = n ? sqlite3_bind_blob(s, i, v, (int)n, SQLITE_TRANSIENT)
               : sqlite3_bind_zeroblob(s, i, 0);
        return rc == SQLITE_OK ? 0 : ae_ds_err(ds, rc);
}

int ae_ds_bind_int64(struct ae_ds *ds, sqlite3_stmt *s, int i, int64_t v)
{
        int rc = sqlite3_bind_int64(s, i, v);

        return rc == SQLITE_OK ? 0 : ae_ds_err(ds, rc);
}

int ae_ds_bind_null(struct ae_ds *ds, sqlite3_stmt *s, int i)
{
        int rc = sqlite3_bind_null(s, i);

        return rc == SQLITE_OK ? 0 : ae_ds_err(ds, rc);
}

int ae_ds_col_text(sqlite3_stmt *s, int i, char *buf, size_t cap)
{
        const unsigned char *t;
        int n;

        ENSURE(sqlite3_column_type(s, i) == SQLITE_TEXT, -EBADMSG);
        t = sqlite3_column_text(s, i);
        n = sqlite3_column_bytes(s, i);
        ENSURE(t && n >= 0 && (size_t)n < cap, -EBADMSG);
        ENSURE(memchr(t, '\0', (size_t)n) == NULL, -EBADMSG);
        memcpy(buf, t, (size_t)n);
        buf[n] = '\0';
        return 0;
}

int ae_ds_col_blob(sqlite3_stmt *s, int i, uint8_t *buf, size_t cap, size_t *ret_len)
{
        const void *b;
        int n;

        ENSURE(sqlite3_column_type(s, i) == SQLITE_BLOB, -EBADMSG);
        b = sqlite3_column_blob(s, i);
        n = sqlite3_column_bytes(s, i);
        ENSURE(n >= 0 && (size_t)n <= cap, -EBADMSG);
        ENSURE(n == 0 || b, -EBADMSG);
        if (n)
                memcpy(buf, b, (size_t)n);
        *ret_len = (size_t)n;
        return 0;
}

int ae_ds_read_selectors(struct ae_ds *ds, const char *sql, const char *owner,
                         struct ae_ds_selector *sel, size_t max, size_t *ret_n)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        size_t n = 0;
        int r;

        GUARD(ae_ds_prepare(ds, sql, &s));
        GUARD(ae_ds_bind_text(ds, s, 1, owner));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                ENSURE(n < max, -EBADMSG);
                GUARD(ae_ds_col_text(s, 0, sel[n].type, sizeof(sel[n].type)));
                GUARD(ae_ds_col_text(s, 1, sel[n].value, sizeof(sel[n].value)));
                n++;
        }
        GUARD(r);
        *ret_n = n;
        return 0;
}

int ae_ds_grow(void **v, size_t *cap, size_t n, size_t max, size_t elem)
{
        size_t ncap;
        void *nv;

        ENSURE(n < max, -EBADMSG);
        if (n < *cap)
                return 0;
        ncap = *cap ? *cap * 2 : 8;
        if (ncap > max)
                ncap = max;
        nv = realloc(*v, ncap * elem);
        ENSURE_ALLOC(nv);
        *v = nv;
        *cap = ncap;
        return 0;
}
