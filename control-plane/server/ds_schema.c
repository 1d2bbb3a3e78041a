/* The schema, as an ordered list of migration steps. Step i takes
 * user_version from i to i + 1 and runs in its own transaction
 * (datastore.c). Steps are never edited once released: a change is a new
 * step at the end and a bump of AE_DS_SCHEMA_VERSION.
 *
 * Tables are STRICT (SQLite 3.37+): a column holds only its declared type.
 * Child tables (selectors, DNS names, zones, bundle blobs) cascade from
 * their owner, so a delete or replace never leaves orphans. */
#include "control-plane/server/ds_internal.h"

/* Registration entries. selectors_key is the entry's selector set in
 * canonical form (sorted "type:value" lines), which makes SPIRE's duplicate
 * rule a UNIQUE constraint. entry_selectors is indexed by (type, value) for
 * matching queries. */
static const char v1_entries[] =
        "CREATE TABLE entries ("
        " id TEXT PRIMARY KEY NOT NULL,"
        " spiffe_id TEXT NOT NULL,"
        " parent_id TEXT NOT NULL,"
        " selectors_key TEXT NOT NULL,"
        " x509_svid_ttl INTEGER NOT NULL,"
        " jwt_svid_ttl INTEGER NOT NULL,"
        " admin INTEGER NOT NULL CHECK (admin IN (0, 1)),"
        " downstream INTEGER NOT NULL CHECK (downstream IN (0, 1)),"
        " hint TEXT NOT NULL,"
        " created_at INTEGER NOT NULL,"
        " revision_number INTEGER NOT NULL,"
        " UNIQUE (spiffe_id, parent_id, selectors_key)"
        ") STRICT;"
        "CREATE INDEX entries_parent_id ON entries (parent_id);"
        "CREATE TABLE entry_selectors ("
        " entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,"
        " pos INTEGER NOT NULL,"
        " type TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " PRIMARY KEY (entry_id, pos),"
        " UNIQUE (entry_id, type, value)"
        ") STRICT;"
        "CREATE INDEX entry_selectors_type_value ON entry_selectors (type, value);"
        "CREATE TABLE entry_dns_names ("
        " entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,"
        " pos INTEGER NOT NULL,"
        " name TEXT NOT NULL,"
        " PRIMARY KEY (entry_id, pos)"
        ") STRICT;";

/* Attested nodes: replay state and claims as columns; the last accepted
 * fix as three NULLable columns (NULL: none). */
static const char v2_nodes[] =
        "CREATE TABLE nodes ("
        " spiffe_id TEXT PRIMARY KEY NOT NULL,"
        " ek_id BLOB NOT NULL UNIQUE CHECK (length(ek_id) = 32),"
        " replay_known INTEGER NOT NULL CHECK (replay_known IN (0, 1)),"
        " replay_clock INTEGER NOT NULL,"
        " replay_reset_count INTEGER NOT NULL,"
        " replay_restart_count INTEGER NOT NULL,"
        " last_fix_latitude REAL,"
        " last_fix_longitude REAL,"
        " last_fix_time_ms INTEGER,"
        " level TEXT NOT NULL CHECK (level IN ('por', 'pog')),"
        " pcr_policy TEXT NOT NULL,"
        " pcr_digest BLOB NOT NULL,"
        " ak_name BLOB NOT NULL,"
        " attested_at INTEGER NOT NULL,"
        " claim_fix_time_ms INTEGER,"
        " sensor_id TEXT NOT NULL,"
        " last_attested_at INTEGER NOT NULL,"
        " last_result TEXT NOT NULL CHECK (last_result IN ('accepted', 'rejected')),"
        " last_reason TEXT NOT NULL,"
        " svid_serial TEXT NOT NULL,"
        " svid_expires_at INTEGER NOT NULL,"
        " banned INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),"
        " CHECK ((last_fix_latitude IS NULL) = (last_fix_time_ms IS NULL)"
        "    AND (last_fix_longitude IS NULL) = (last_fix_time_ms IS NULL))"
        ") STRICT;"
        "CREATE TABLE node_selectors ("
        " node_id TEXT NOT NULL REFERENCES nodes (spiffe_id) ON DELETE CASCADE,"
        " pos INTEGER NOT NULL,"
        " type TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " PRIMARY KEY (node_id, pos)"
        ") STRICT;"
        "CREATE INDEX node_selectors_type_value ON node_selectors (type, value);"
        "CREATE TABLE node_zones ("
        " node_id TEXT NOT NULL REFERENCES nodes (spiffe_id) ON DELETE CASCADE,"
        " pos INTEGER NOT NULL,"
        " zone TEXT NOT NULL,"
        " PRIMARY KEY (node_id, pos)"
        ") STRICT;";

/* The audit log, append-only by trigger. */
static const char v3_audit[] =
        "CREATE TABLE audit ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " time INTEGER NOT NULL,"
        " kind TEXT NOT NULL,"
        " agent_id TEXT,"
        " ek_id BLOB CHECK (ek_id IS NULL OR length(ek_id) = 32),"
        " accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),"
        " reason TEXT NOT NULL,"
        " detail TEXT NOT NULL"
        ") STRICT;"
        "CREATE INDEX audit_agent_id ON audit (agent_id);"
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* Trust bundles by trust domain (one today; federation would add more).
 * Public material only: the CA key is not stored in this file. */
static const char v4_bundle[] =
        "CREATE TABLE bundles ("
        " trust_domain TEXT PRIMARY KEY NOT NULL,"
        " sequence INTEGER NOT NULL CHECK (sequence > 0)"
        ") STRICT;"
        "CREATE TABLE bundle_roots ("
        " trust_domain TEXT NOT NULL REFERENCES bundles (trust_domain) ON DELETE CASCADE,"
        " pos INTEGER NOT NULL,"
        " der BLOB NOT NULL,"
        " not_after INTEGER NOT NULL,"
        " PRIMARY KEY (trust_domain, pos)"
        ") STRICT;"
        "CREATE TABLE bundle_jwt_keys ("
        " trust_domain TEXT NOT NULL REFERENCES bundles (trust_domain) ON DELETE CASCADE,"
        " pos INTEGER NOT NULL,"
        " kid TEXT NOT NULL,"
        " public_key BLOB NOT NULL,"
        " not_after INTEGER NOT NULL,"
        " PRIMARY KEY (trust_domain, pos),"
        " UNIQUE (trust_domain, kid)"
        ") STRICT;";

const struct ae_ds_migration ae_ds_migrations[AE_DS_SCHEMA_VERSION] = {
        { 1, v1_entries },
        { 2, v2_nodes },
        { 3, v3_audit },
        { 4, v4_bundle },
};
