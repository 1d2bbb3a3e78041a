/* Opening, migrating and closing the datastore. */
#include "control-plane/server/datastore.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control-plane/server/ds_internal.h"

/* Run every statement of a constant, parameterless script (the migration
 * steps and pragmas), one prepared statement at a time. */
static int exec_script(struct ae_ds *ds, const char *sql)
{
        while (*sql) {
                sqlite3_stmt *raw = NULL;
                const char *tail = NULL;
                int rc = sqlite3_prepare_v2(ds->db, sql, -1, &raw, &tail);
                _cleanup_stmt_ sqlite3_stmt *s = raw;

                if (rc != SQLITE_OK)
                        return ae_ds_err(ds, rc);
                if (s)
                        GUARD(ae_ds_step_done(ds, s));
                if (!tail || tail == sql)
                        break;
                sql = tail;
        }
        return 0;
}

/* An integer pragma's value: "PRAGMA user_version" and the like. */
static int pragma_int(struct ae_ds *ds, const char *sql, int64_t *ret)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        GUARD(ae_ds_prepare(ds, sql, &s));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -EIO);
        *ret = sqlite3_column_int64(s, 0);
        return 0;
}

/* A pragma that answers with text (journal_mode): the answer into buf. */
static int pragma_text(struct ae_ds *ds, const char *sql, char *buf, size_t cap)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        GUARD(ae_ds_prepare(ds, sql, &s));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -EIO);
        return ae_ds_col_text(s, 0, buf, cap);
}

/* Refuse what this code must not touch: a newer schema, another
 * application's file, or a stranger's tables under user_version 0. Reads
 * only. */
static int check_file(struct ae_ds *ds)
{
        int64_t version, app, objects;

        GUARD(pragma_int(ds, "PRAGMA user_version", &version));
        ENSURE(version <= AE_DS_SCHEMA_VERSION, -EPROTO);
        ENSURE(version >= 0, -EBADMSG);
        GUARD(pragma_int(ds, "PRAGMA application_id", &app));
        ENSURE(app == AE_DS_APPLICATION_ID || (app == 0 && version == 0), -EBADMSG);
        if (version == 0) {
                GUARD(pragma_int(ds, "SELECT count(*) FROM sqlite_schema", &objects));
                ENSURE(objects == 0, -EBADMSG);
        }
        return 0;
}

static int configure(struct ae_ds *ds)
{
        char mode[16];

        /* Durable commits: with WAL, FULL fsyncs the log on every commit. */
        GUARD(pragma_text(ds, "PRAGMA journal_mode = WAL", mode, sizeof(mode)));
        ENSURE(strcmp(mode, "wal") == 0, -ENOTSUP);
        GUARD(exec_script(ds, "PRAGMA synchronous = FULL;"
                              "PRAGMA foreign_keys = ON;"
                              "PRAGMA trusted_schema = OFF;"));
        return 0;
}

static int migrate_step(struct ae_ds *ds, const struct ae_ds_migration *m)
{
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        char pragma[64];
        int64_t version;

        GUARD(ae_ds_txn_begin(ds, &t, true));
        /* Another process may have migrated while this one waited. */
        GUARD(pragma_int(ds, "PRAGMA user_version", &version));
        ENSURE(version <= AE_DS_SCHEMA_VERSION, -EPROTO);
        if (version >= m->version)
                return ae_ds_txn_commit(&t);
        ENSURE(version == m->version - 1, -EBADMSG);
        if (m->version == 1) {
                snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d",
                         AE_DS_APPLICATION_ID);
                GUARD(exec_script(ds, pragma));
        }
        GUARD(exec_script(ds, m->sql));
        /* PRAGMA takes no bound parameters; the number is our constant. */
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
        GUARD(exec_script(ds, pragma));
        return ae_ds_txn_commit(&t);
}

static int migrate(struct ae_ds *ds, int upto)
{
        for (int i = 0; i < upto; i++)
                GUARD(migrate_step(ds, &ae_ds_migrations[i]));
        return 0;
}

/* Create the file 0600 before SQLite sees it (SQLite would use 0644; its
 * -wal and -shm files copy the database's mode). An existing file is not
 * changed. */
static int precreate(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

        ENSURE(fd >= 0, -errno);
        return 0;
}

int ae_ds_open_upto(const char *path, int upto, struct ae_ds **ret)
{
        _cleanup_(ae_ds_closep) struct ae_ds *ds = NULL;
        int rc;

        ENSURE(path && *path && ret, -EINVAL);
        ENSURE(upto >= 0 && upto <= AE_DS_SCHEMA_VERSION, -EINVAL);
        ENSURE(sqlite3_threadsafe() != 0, -ENOTSUP);
        GUARD(precreate(path));

        ds = calloc(1, sizeof(*ds));
        ENSURE_ALLOC(ds);
        if (pthread_mutex_init(&ds->lock, NULL) != 0) {
                free(TAKE_PTR(ds));
                return -ENOMEM;
        }
        rc = sqlite3_open_v2(path, &ds->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                             NULL);
        if (rc != SQLITE_OK)
                return ae_ds_err(ds, rc);
        (void)sqlite3_extended_result_codes(ds->db, 1);
        rc = sqlite3_busy_timeout(ds->db, AE_DS_BUSY_TIMEOUT_MS);
        if (rc != SQLITE_OK)
                return ae_ds_err(ds, rc);

        GUARD(check_file(ds));
        GUARD(configure(ds));
        GUARD(migrate(ds, upto));
        *ret = TAKE_PTR(ds);
        return 0;
}

int ae_ds_open(const char *path, struct ae_ds **ret)
{
        return ae_ds_open_upto(path, AE_DS_SCHEMA_VERSION, ret);
}

void ae_ds_close(struct ae_ds *ds)
{
        if (!ds)
                return;
        /* Every statement is finalised by its caller, so close cannot be
         * refused for open statements. */
        (void)sqlite3_close(ds->db);
        pthread_mutex_destroy(&ds->lock);
        free(ds);
}

int ae_ds_schema_version(struct ae_ds *ds, int *ret_version)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        int64_t v;

        ENSURE(ds && ret_version, -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(pragma_int(ds, "PRAGMA user_version", &v));
        *ret_version = (int)v;
        return 0;
}
