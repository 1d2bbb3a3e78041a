/* Attested nodes: one row per agent SPIFFE ID with its replay state and
 * claims as columns, its selectors and zones in child tables replaced
 * whole by every accepted attestation. */
#include "control-plane/server/datastore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "control-plane/server/ds_internal.h"

#define NODE_COLUMNS                                                                           \
        "spiffe_id, ek_id, replay_known, replay_clock, replay_reset_count, "                 \
        "replay_restart_count, last_fix_latitude, last_fix_longitude, last_fix_time_ms, "    \
        "level, pcr_policy, pcr_digest, ak_name, attested_at, claim_fix_time_ms, sensor_id, " \
        "last_attested_at, last_result, last_reason, svid_serial, svid_expires_at, banned"

static const char *const level_names[] = { [AE_DS_LEVEL_POR] = "por", [AE_DS_LEVEL_POG] = "pog" };

/* "" or 1..AE_DS_SVID_SERIAL_MAX lowercase hex digits. */
static bool serial_valid(const char *s, size_t cap)
{
        if (!ae_ds_terminated(s, cap) || strlen(s) > AE_DS_SVID_SERIAL_MAX)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

static bool fix_valid(const struct ae_node_replay_state *r)
{
        return !r->has_fix || (isfinite(r->fix_latitude) && isfinite(r->fix_longitude) &&
                               fabs(r->fix_latitude) <= 90 && fabs(r->fix_longitude) <= 180);
}

static bool node_valid(const struct ae_ds_node *n)
{
        if (!ae_ds_spiffe_id_valid(n->spiffe_id, sizeof(n->spiffe_id), NULL) || !fix_valid(&n->replay))
                return false;
        if (n->n_selectors > AE_DS_NODE_SELECTORS_MAX)
                return false;
        for (size_t i = 0; i < n->n_selectors; i++)
                if (!ae_ds_selector_type_valid(n->selectors[i].type, sizeof(n->selectors[i].type)) ||
                    !ae_ds_selector_value_valid(n->selectors[i].value,
                                                sizeof(n->selectors[i].value)))
                        return false;
        if ((unsigned)n->level > AE_DS_LEVEL_POG || !ae_ds_name_valid(n->pcr_policy, sizeof(n->pcr_policy)))
                return false;
        if (n->pcr_digest_len > sizeof(n->pcr_digest) || n->ak_name_len > sizeof(n->ak_name))
                return false;
        if (!ae_ds_printable(n->sensor_id, sizeof(n->sensor_id), 0))
                return false;
        if (n->n_zones > AE_DS_ZONES_MAX)
                return false;
        for (size_t i = 0; i < n->n_zones; i++)
                if (!ae_ds_name_valid(n->zones[i], sizeof(n->zones[i])))
                        return false;
        return serial_valid(n->svid_serial, sizeof(n->svid_serial));
}

static int upsert_row(struct ae_ds *ds, const struct ae_ds_node *n)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        const struct ae_node_replay_state *r = &n->replay;

        GUARD(ae_ds_prepare(
                ds,
                "INSERT INTO nodes (spiffe_id, ek_id, replay_known, replay_clock,"
                " replay_reset_count, replay_restart_count, last_fix_latitude, last_fix_longitude,"
                " last_fix_time_ms, level, pcr_policy, pcr_digest, ak_name, attested_at,"
                " claim_fix_time_ms, sensor_id, last_attested_at, last_result, last_reason,"
                " svid_serial, svid_expires_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                " ?14, 'accepted', '', ?17, ?18)"
                " ON CONFLICT (spiffe_id) DO UPDATE SET ek_id = excluded.ek_id,"
                " replay_known = excluded.replay_known, replay_clock = excluded.replay_clock,"
                " replay_reset_count = excluded.replay_reset_count,"
                " replay_restart_count = excluded.replay_restart_count,"
                " last_fix_latitude = excluded.last_fix_latitude,"
                " last_fix_longitude = excluded.last_fix_longitude,"
                " last_fix_time_ms = excluded.last_fix_time_ms, level = excluded.level,"
                " pcr_policy = excluded.pcr_policy, pcr_digest = excluded.pcr_digest,"
                " ak_name = excluded.ak_name, attested_at = excluded.attested_at,"
                " claim_fix_time_ms = excluded.claim_fix_time_ms, sensor_id = excluded.sensor_id,"
                " last_attested_at = excluded.last_attested_at, last_result = 'accepted',"
                " last_reason = '', svid_serial = excluded.svid_serial,"
                " svid_expires_at = excluded.svid_expires_at",
                &s));
        GUARD(ae_ds_bind_text(ds, s, 1, n->spiffe_id));
        GUARD(ae_ds_bind_blob(ds, s, 2, n->ek_id, sizeof(n->ek_id)));
        GUARD(ae_ds_bind_int64(ds, s, 3, r->known));
        /* uint64 kept bit for bit in SQLite's int64. */
        GUARD(ae_ds_bind_int64(ds, s, 4, (int64_t)r->clock));
        GUARD(ae_ds_bind_int64(ds, s, 5, r->reset_count));
        GUARD(ae_ds_bind_int64(ds, s, 6, r->restart_count));
        if (r->has_fix) {
                int rc = sqlite3_bind_double(s, 7, r->fix_latitude);

                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_double(s, 8, r->fix_longitude);
                if (rc != SQLITE_OK)
                        return ae_ds_err(ds, rc);
                GUARD(ae_ds_bind_int64(ds, s, 9, r->fix_time_ms));
        } else {
                GUARD(ae_ds_bind_null(ds, s, 7));
                GUARD(ae_ds_bind_null(ds, s, 8));
                GUARD(ae_ds_bind_null(ds, s, 9));
        }
        GUARD(ae_ds_bind_text(ds, s, 10, level_names[n->level]));
        GUARD(ae_ds_bind_text(ds, s, 11, n->pcr_policy));
        GUARD(ae_ds_bind_blob(ds, s, 12, n->pcr_digest, n->pcr_digest_len));
        GUARD(ae_ds_bind_blob(ds, s, 13, n->ak_name, n->ak_name_len));
        GUARD(ae_ds_bind_int64(ds, s, 14, n->attested_at));
        if (n->has_fix)
                GUARD(ae_ds_bind_int64(ds, s, 15, n->fix_time_ms));
        else
                GUARD(ae_ds_bind_null(ds, s, 15));
        GUARD(ae_ds_bind_text(ds, s, 16, n->sensor_id));
        GUARD(ae_ds_bind_text(ds, s, 17, n->svid_serial));
        GUARD(ae_ds_bind_int64(ds, s, 18, n->svid_expires_at));
        return ae_ds_step_done(ds, s);
}

/* Run sql (?1 = node id) once. */
static int exec_for_node(struct ae_ds *ds, const char *sql, const char *id)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        GUARD(ae_ds_prepare(ds, sql, &s));
        GUARD(ae_ds_bind_text(ds, s, 1, id));
        return ae_ds_step_done(ds, s);
}

static int replace_children(struct ae_ds *ds, const struct ae_ds_node *n)
{
        _cleanup_stmt_ sqlite3_stmt *sel = NULL, *zone = NULL;

        GUARD(exec_for_node(ds, "DELETE FROM node_selectors WHERE node_id = ?1", n->spiffe_id));
        GUARD(exec_for_node(ds, "DELETE FROM node_zones WHERE node_id = ?1", n->spiffe_id));
        GUARD(ae_ds_prepare(ds,
                            "INSERT INTO node_selectors (node_id, pos, type, value)"
                            " VALUES (?1, ?2, ?3, ?4)",
                            &sel));
        for (size_t i = 0; i < n->n_selectors; i++) {
                GUARD(ae_ds_bind_text(ds, sel, 1, n->spiffe_id));
                GUARD(ae_ds_bind_int64(ds, sel, 2, (int64_t)i));
                GUARD(ae_ds_bind_text(ds, sel, 3, n->selectors[i].type));
                GUARD(ae_ds_bind_text(ds, sel, 4, n->selectors[i].value));
                GUARD(ae_ds_step_done(ds, sel));
                (void)sqlite3_reset(sel);
        }
        GUARD(ae_ds_prepare(ds, "INSERT INTO node_zones (node_id, pos, zone) VALUES (?1, ?2, ?3)",
                            &zone));
        for (size_t i = 0; i < n->n_zones; i++) {
                GUARD(ae_ds_bind_text(ds, zone, 1, n->spiffe_id));
                GUARD(ae_ds_bind_int64(ds, zone, 2, (int64_t)i));
                GUARD(ae_ds_bind_text(ds, zone, 3, n->zones[i]));
                GUARD(ae_ds_step_done(ds, zone));
                (void)sqlite3_reset(zone);
        }
        return 0;
}

int ae_ds_node_upsert(struct ae_ds *ds, const struct ae_ds_node *n)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };

        ENSURE(ds && n, -EINVAL);
        ENSURE(node_valid(n), -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, true));
        GUARD(upsert_row(ds, n));
        GUARD(replace_children(ds, n));
        return ae_ds_txn_commit(&t);
}

/* An UPDATE of one node (?1 = its SPIFFE ID), bound by bind; -ENOENT when
 * no row changed. */
static int update_node(struct ae_ds *ds, const char *spiffe_id, const char *sql,
                       int (*bind)(struct ae_ds *, sqlite3_stmt *, const void *), const void *arg)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        locked = ae_ds_lock(ds);
        GUARD(ae_ds_prepare(ds, sql, &s));
        GUARD(ae_ds_bind_text(ds, s, 1, spiffe_id));
        GUARD(bind(ds, s, arg));
        GUARD(ae_ds_step_done(ds, s));
        ENSURE(sqlite3_changes(ds->db) == 1, -ENOENT);
        return 0;
}

struct failure {
        int64_t at;
        const char *reason;
};

static int bind_failure(struct ae_ds *ds, sqlite3_stmt *s, const void *arg)
{
        const struct failure *f = arg;

        GUARD(ae_ds_bind_int64(ds, s, 2, f->at));
        return ae_ds_bind_text(ds, s, 3, f->reason);
}

int ae_ds_node_record_failure(struct ae_ds *ds, const char *spiffe_id, int64_t at,
                              const char *reason)
{
        struct failure f = { at, reason };

        ENSURE(ds && spiffe_id && reason, -EINVAL);
        ENSURE(ae_ds_printable(reason, AE_DS_REASON_MAX + 1, 1), -EINVAL);
        return update_node(ds, spiffe_id,
                           "UPDATE nodes SET last_attested_at = ?2, last_result = 'rejected',"
                           " last_reason = ?3 WHERE spiffe_id = ?1",
                           bind_failure, &f);
}

struct svid {
        const char *serial;
        int64_t expires_at;
};

static int bind_svid(struct ae_ds *ds, sqlite3_stmt *s, const void *arg)
{
        const struct svid *v = arg;

        GUARD(ae_ds_bind_text(ds, s, 2, v->serial));
        return ae_ds_bind_int64(ds, s, 3, v->expires_at);
}

int ae_ds_node_set_svid(struct ae_ds *ds, const char *spiffe_id, const char *serial,
                        int64_t expires_at)
{
        struct svid v = { serial, expires_at };

        ENSURE(ds && spiffe_id && serial, -EINVAL);
        ENSURE(serial[0] && serial_valid(serial, AE_DS_SVID_SERIAL_MAX + 1), -EINVAL);
        return update_node(ds, spiffe_id,
                           "UPDATE nodes SET svid_serial = ?2, svid_expires_at = ?3"
                           " WHERE spiffe_id = ?1",
                           bind_svid, &v);
}

static int bind_banned(struct ae_ds *ds, sqlite3_stmt *s, const void *arg)
{
        return ae_ds_bind_int64(ds, s, 2, *(const bool *)arg);
}

int ae_ds_node_set_banned(struct ae_ds *ds, const char *spiffe_id, bool banned)
{
        ENSURE(ds && spiffe_id, -EINVAL);
        return update_node(ds, spiffe_id, "UPDATE nodes SET banned = ?2 WHERE spiffe_id = ?1",
                           bind_banned, &banned);
}

/* An operator's change to one node's row (sql, with the SPIFFE ID as ?1)
 * and its audit record, in one transaction; -ENOENT when no row changed. */
static int operator_write(struct ae_ds *ds, const char *sql, enum ae_ds_audit_kind kind,
                          const char *spiffe_id, int64_t at, const char *detail)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        struct ae_ds_audit a = { .time = at, .kind = kind, .accepted = true };

        ENSURE(ds && spiffe_id && detail, -EINVAL);
        ENSURE(strlen(spiffe_id) < sizeof(a.agent_id) && strlen(detail) < sizeof(a.detail),
               -EINVAL);
        memcpy(a.agent_id, spiffe_id, strlen(spiffe_id) + 1);
        memcpy(a.detail, detail, strlen(detail) + 1);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, true));
        GUARD(ae_ds_prepare(ds, sql, &s));
        GUARD(ae_ds_bind_text(ds, s, 1, spiffe_id));
        GUARD(ae_ds_step_done(ds, s));
        ENSURE(sqlite3_changes(ds->db) == 1, -ENOENT);
        GUARD(ae_ds_audit_insert(ds, &a, NULL));
        return ae_ds_txn_commit(&t);
}

int ae_ds_node_ban(struct ae_ds *ds, const char *spiffe_id, int64_t at, const char *detail)
{
        return operator_write(ds, "UPDATE nodes SET banned = 1 WHERE spiffe_id = ?1",
                              AE_DS_AUDIT_AGENT_BANNED, spiffe_id, at, detail);
}

int ae_ds_node_delete(struct ae_ds *ds, const char *spiffe_id, int64_t at, const char *detail)
{
        /* Its selectors and zones go with it (ON DELETE CASCADE). */
        return operator_write(ds, "DELETE FROM nodes WHERE spiffe_id = ?1",
                              AE_DS_AUDIT_AGENT_DELETED, spiffe_id, at, detail);
}

static int col_u32(sqlite3_stmt *s, int i, uint32_t *ret)
{
        int64_t v = sqlite3_column_int64(s, i);

        ENSURE(v >= 0 && v <= UINT32_MAX, -EBADMSG);
        *ret = (uint32_t)v;
        return 0;
}

/* Columns in NODE_COLUMNS order into n; children not read. */
static int read_row(sqlite3_stmt *s, struct ae_ds_node *n)
{
        struct ae_node_replay_state *r = &n->replay;
        char text[16];
        size_t len;

        memset(n, 0, sizeof(*n));
        GUARD(ae_ds_col_text(s, 0, n->spiffe_id, sizeof(n->spiffe_id)));
        GUARD(ae_ds_col_blob(s, 1, n->ek_id, sizeof(n->ek_id), &len));
        ENSURE(len == sizeof(n->ek_id), -EBADMSG);
        r->known = sqlite3_column_int64(s, 2) != 0;
        r->clock = (uint64_t)sqlite3_column_int64(s, 3);
        GUARD(col_u32(s, 4, &r->reset_count));
        GUARD(col_u32(s, 5, &r->restart_count));
        r->has_fix = sqlite3_column_type(s, 8) != SQLITE_NULL;
        if (r->has_fix) {
                r->fix_latitude = sqlite3_column_double(s, 6);
                r->fix_longitude = sqlite3_column_double(s, 7);
                r->fix_time_ms = sqlite3_column_int64(s, 8);
        }
        GUARD(ae_ds_col_text(s, 9, text, sizeof(text)));
        if (strcmp(text, "pog") == 0)
                n->level = AE_DS_LEVEL_POG;
        else if (strcmp(text, "por") == 0)
                n->level = AE_DS_LEVEL_POR;
        else
                return -EBADMSG;
        GUARD(ae_ds_col_text(s, 10, n->pcr_policy, sizeof(n->pcr_policy)));
        GUARD(ae_ds_col_blob(s, 11, n->pcr_digest, sizeof(n->pcr_digest), &n->pcr_digest_len));
        GUARD(ae_ds_col_blob(s, 12, n->ak_name, sizeof(n->ak_name), &n->ak_name_len));
        n->attested_at = sqlite3_column_int64(s, 13);
        n->has_fix = sqlite3_column_type(s, 14) != SQLITE_NULL;
        n->fix_time_ms = n->has_fix ? sqlite3_column_int64(s, 14) : 0;
        GUARD(ae_ds_col_text(s, 15, n->sensor_id, sizeof(n->sensor_id)));
        n->last_attested_at = sqlite3_column_int64(s, 16);
        GUARD(ae_ds_col_text(s, 17, text, sizeof(text)));
        n->last_accepted = strcmp(text, "accepted") == 0;
        GUARD(ae_ds_col_text(s, 18, n->last_reason, sizeof(n->last_reason)));
        GUARD(ae_ds_col_text(s, 19, n->svid_serial, sizeof(n->svid_serial)));
        n->svid_expires_at = sqlite3_column_int64(s, 20);
        n->banned = sqlite3_column_int64(s, 21) != 0;
        return 0;
}

static int read_children(struct ae_ds *ds, struct ae_ds_node *n)
{
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        size_t k = 0;
        int r;

        GUARD(ae_ds_read_selectors(ds,
                                   "SELECT type, value FROM node_selectors WHERE node_id = ?1"
                                   " ORDER BY pos",
                                   n->spiffe_id, n->selectors, AE_DS_NODE_SELECTORS_MAX,
                                   &n->n_selectors));
        GUARD(ae_ds_prepare(ds, "SELECT zone FROM node_zones WHERE node_id = ?1 ORDER BY pos", &s));
        GUARD(ae_ds_bind_text(ds, s, 1, n->spiffe_id));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                ENSURE(k < AE_DS_ZONES_MAX, -EBADMSG);
                GUARD(ae_ds_col_text(s, 0, n->zones[k], sizeof(n->zones[k])));
                k++;
        }
        GUARD(r);
        n->n_zones = k;
        return 0;
}

/* The one node that "WHERE <column> = ?1" finds, key bound by the caller's
 * choice of text or blob. */
static int get_one(struct ae_ds *ds, const char *sql, const char *text_key, const uint8_t *ek_id,
                   struct ae_ds_node *ret)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ struct ae_ds_node *n = NULL;
        int r;

        n = malloc(sizeof(*n));
        ENSURE_ALLOC(n);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, false));
        GUARD(ae_ds_prepare(ds, sql, &s));
        if (text_key)
                GUARD(ae_ds_bind_text(ds, s, 1, text_key));
        else
                GUARD(ae_ds_bind_blob(ds, s, 1, ek_id, AE_DS_EK_ID_LEN));
        r = ae_ds_step_row(ds, s);
        GUARD(r);
        ENSURE(r == 1, -ENOENT);
        GUARD(read_row(s, n));
        GUARD(read_children(ds, n));
        GUARD(ae_ds_txn_commit(&t));
        memcpy(ret, n, sizeof(*n));
        return 0;
}

int ae_ds_node_get(struct ae_ds *ds, const char *spiffe_id, struct ae_ds_node *ret)
{
        ENSURE(ds && spiffe_id && ret, -EINVAL);
        return get_one(ds, "SELECT " NODE_COLUMNS " FROM nodes WHERE spiffe_id = ?1", spiffe_id,
                       NULL, ret);
}

int ae_ds_node_get_by_ek(struct ae_ds *ds, const uint8_t ek_id[AE_DS_EK_ID_LEN],
                         struct ae_ds_node *ret)
{
        ENSURE(ds && ek_id && ret, -EINVAL);
        return get_one(ds, "SELECT " NODE_COLUMNS " FROM nodes WHERE ek_id = ?1", NULL, ek_id,
                       ret);
}

int ae_ds_node_list(struct ae_ds *ds, const char *after_id, size_t max, struct ae_ds_node **ret,
                    size_t *ret_n)
{
        _cleanup_(ae_ds_unlockp) struct ae_ds *locked = NULL;
        _cleanup_(ae_ds_txn_end) struct ae_ds_txn t = { 0 };
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ struct ae_ds_node *v = NULL;
        size_t n = 0, cap = 0;
        int r;

        ENSURE(ds && ret && ret_n, -EINVAL);
        ENSURE(max >= 1 && max <= AE_DS_LIST_MAX, -EINVAL);
        locked = ae_ds_lock(ds);
        GUARD(ae_ds_txn_begin(ds, &t, false));
        GUARD(ae_ds_prepare(ds,
                            "SELECT " NODE_COLUMNS " FROM nodes WHERE spiffe_id > ?1"
                            " ORDER BY spiffe_id LIMIT ?2",
                            &s));
        GUARD(ae_ds_bind_text(ds, s, 1, after_id ? after_id : ""));
        GUARD(ae_ds_bind_int64(ds, s, 2, (int64_t)max));
        while ((r = ae_ds_step_row(ds, s)) == 1) {
                GUARD(ae_ds_grow((void **)&v, &cap, n, max, sizeof(*v)));
                GUARD(read_row(s, &v[n]));
                GUARD(read_children(ds, &v[n]));
                n++;
        }
        GUARD(r);
        GUARD(ae_ds_txn_commit(&t));
        *ret = n ? TAKE_PTR(v) : NULL;
        *ret_n = n;
        return 0;
}
