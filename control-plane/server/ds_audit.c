/* The audit log: one row per attestation attempt and per entry or SVID
 * event, appended and never changed (the schema's triggers refuse UPDATE
 * and DELETE). */
#include "control-plane/server/datastore.h"

#include <stdlib.h>
#include <string.h>

#include "control-plane/server/ds_internal.h"

static const char *const kinds[AE_DS_AUDIT_KIND_COUNT] = {
        [AE_DS_AUDIT_ATTESTATION] = "attestation",
        [AE_DS_AUDIT_ENTRY_CREATED] = "entry_created",
        [AE_DS_AUDIT_ENTRY_DELETED] = "entry_deleted",
        [AE_DS_AUDIT_SVID_REFUSED] = "svid_refused",
        [AE_DS_AUDIT_AGENT_BANNED] = "agent_banned",
        [AE_DS_AUDIT_AGENT_DELETED] = "agent_deleted",
};

const char *ae_ds_audit_kind_name(enum ae_ds_audit_kind kind)
{
        return (unsigned)kind < AE_DS_AUDIT_KIND_COUNT ? kinds[kind] : NULL;
}

static int kind_parse(const char *name, enum ae_ds_audit_kind *ret)
{
        for (unsigned i = 0; i < AE_DS_AUDIT_KIND_COUNT; i++)
                if (strcmp(name, kinds[i]) == 0) {
                        *ret = (enum ae_ds_audit_kind)i;
                        return 0;
                }
        return -EBADMSG;
}

static bool record_valid(const struct ae_ds_audit *a)
{
        if (!ae_ds_audit_kind_name(a->kind))
                return false;
        if (!ae_ds_terminated(a->agent_id, sizeof(a->agent_id)))
                return false;
        if (a->agent_id[0] && !ae_ds_spiffe_id_valid(a->agent_id, sizeof(a->agent_id), NULL))
                return false;
        return ae_ds_printable(a->reason, sizeof(a->reason), 0) &&
               ae_ds_printable(a->detail, sizeof(a->detail), 0);
}

int ae_ds_audit_insert(struct ae_ds *ds, const struct ae_ds_audit *a, int64_t *ret_seq)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        ENSURE(record_valid(a), -EINVAL);
        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO audit (time, kind, agent_id, ek_id, accepted, reason, detail)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            &s));
        GUARD(ae_ds_bind_int64(ds, s, 1, a->time));
        GUARD(ae_ds_bind_text(ds, s, 2, kinds[a->kind]));
        if (a->agent_id[0])
                GUARD(ae_ds_bind_text(ds, s, 3, a->agent_id));
        else
                GUARD(ae_ds_bind_null(ds, s, 3));
        if (a->has_ek_id)
                GUARD(ae_ds_bind_blob(ds, s, 4, a->ek_id, sizeof(a->ek_id)));
        else
                GUARD(ae_ds_bind_null(ds, s, 4));
        GUARD(ae_ds_bind_int64(ds, s, 5, a->accepted));
        GUARD(ae_ds_bind_text(ds, s, 6, a->reason));
        GUARD(ae_ds_bind_text(ds, s, 7, a->detail));
        GUARD(ae_ds_step_done(ds, s));
        if (ret_seq)
                *ret_seq = sqlite3_last_insert_rowid(ds->db);
        return 0;
}

int ae_ds_audit_append(struct ae_ds *ds, const struct ae_ds_audit *a, int64_t *ret_seq)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        int64_t seq;

        ENSURE(ds && a, -EINVAL);
        ENSURE(record_valid(a), -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, true));
        GUARD(ae_ds_audit_insert(ds, a, &seq));
        GUARD(ae_ds_txn_commit(&t));
        if (ret_seq)
                *ret_seq = seq;
        return 0;
}

static int read_record(sqlite3_stmt *s, struct ae_ds_audit *a)
{
        char kind[32];
        size_t len;

        memset(a, 0, sizeof(*a));
        a->seq = sqlite3_column_int64(s, 0);
        a->time = sqlite3_column_int64(s, 1);
        GUARD(ae_ds_col_text(s, 2, kind, sizeof(kind)));
        GUARD(kind_parse(kind, &a->kind));
        if (sqlite3_column_type(s, 3) != SQLITE_NULL)
                GUARD(ae_ds_col_text(s, 3, a->agent_id, sizeof(a->agent_id)));
        if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
                GUARD(ae_ds_col_blob(s, 4, a->ek_id, sizeof(a->ek_id), &len));
                ENSURE(len == sizeof(a->ek_id), -EBADMSG);
                a->has_ek_id = true;
        }
        a->accepted = sqlite3_column_int64(s, 5) != 0;
        GUARD(ae_ds_col_text(s, 6, a->reason, sizeof(a->reason)));
        GUARD(ae_ds_col_text(s, 7, a->detail, sizeof(a->detail)));
        return 0;
}

int ae_ds_audit_list(struct ae_ds *ds, size_t max, struct ae_ds_audit **ret, size_t *ret_n)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ struct ae_ds_audit *v = NULL;
        size_t n = 0, cap = 0;
        int r;

        ENSURE(ds && ret && ret_n, -EINVAL);
        ENSURE(max >= 1 && max <= AE_DS_LIST_MAX, -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_prepare(ds,
                            "SELECT seq, time, kind, agent_id, ek_id, accepted, reason, detail"
                            " FROM audit ORDER BY seq DESC LIMIT ?1",
                            &s));
        GUARD(ae_ds_bind_int64(ds, s, 1, (int64_t)max));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                GUARD(ae_ds_grow((void **)&v, &cap, n, max, sizeof(*v)));
                GUARD(read_record(s, &v[n]));
                n++;
        }
        GUARD(r);
        *ret = n ? TAKE_PTR(v) : NULL;
        *ret_n = n;
        return 0;
}
