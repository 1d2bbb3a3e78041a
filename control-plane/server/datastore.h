/* aegis-server's datastore (DESIGN.md section 8): one SQLite file in WAL
 * mode holding the registration entries, the attested nodes, the audit log
 * of attestation attempts and the trust bundle.
 *
 * Durability: the file is opened with journal_mode=WAL and
 * synchronous=FULL, so a call that returned 0 has its transaction on disk:
 * a SIGKILL or power cut afterwards loses nothing it committed, and one
 * during a call leaves either all of that call's rows or none of them
 * (every call that writes is one transaction).
 *
 * Threads: one SQLite connection per struct ae_ds, serialised by a mutex
 * inside it (the connection is opened SQLITE_OPEN_NOMUTEX; the mutex, not
 * SQLite's, keeps a multi-statement transaction of one thread from
 * interleaving with another's). Every function below may be called from any
 * thread. Other processes (the CLI, a test) may open the same file; SQLite's
 * file locks and a busy timeout of AE_DS_BUSY_TIMEOUT_MS order them.
 *
 * Schema: versioned by PRAGMA user_version, applied by an ordered list of
 * migration steps at open, each in its own transaction. A file written by a
 * newer Aegis (user_version above AE_DS_SCHEMA_VERSION) is refused and left
 * as it was; so is a SQLite file of another application.
 *
 * Secrets: no private key is stored here. The CA's signing key stays in
 * the CA directory (svid-issuer), so it is not copied into this file, its
 * WAL, or any backup of them; the bundle below holds public material only.
 *
 * Conventions: 0 or a negative errno; ret_* outputs are written only on
 * success. Strings in the structs are NUL-terminated inside their arrays;
 * a string that fills its array without a NUL is refused (-EINVAL). SQLite
 * failures map to -EBUSY (locked past the timeout), -ENOSPC, -EIO,
 * -EBADMSG (corrupt or not a database), -ENOMEM, -EACCES, -EROFS; the
 * SQLite text behind the calling thread's last such failure is
 * ae_ds_errmsg(). All SQL uses prepared statements with bound parameters. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/guard.h"
#include "common/spiffe_id.h"
#include "node-attestor/verify/replay.h"

struct ae_ds;

/* ---- opening ---------------------------------------------------------- */

/* The schema this code writes and understands. */
#define AE_DS_SCHEMA_VERSION 4
/* PRAGMA application_id of an Aegis datastore ("AEGS"). */
#define AE_DS_APPLICATION_ID 0x41454753
#define AE_DS_BUSY_TIMEOUT_MS 5000

/* Open path, creating it (mode 0600, symlinks refused) when missing, and
 * bring its schema up to AE_DS_SCHEMA_VERSION. -EPROTO: the file has a newer
 * schema (nothing is written to it). -EBADMSG: not an SQLite file, or one of
 * another application. -ENOTSUP: the file system cannot do WAL. */
AE_MUST_USE int ae_ds_open(const char *path, struct ae_ds **ret);
/* Closes the connection (checkpointing the WAL when it is the last one).
 * NULL-safe. */
void ae_ds_close(struct ae_ds *ds);
AE_DEFINE_CLEANUP(struct ae_ds *, ae_ds_close)

/* The file's schema version (AE_DS_SCHEMA_VERSION once open). */
AE_MUST_USE int ae_ds_schema_version(struct ae_ds *ds, int *ret_version);

/* SQLite's text for the calling thread's last failed datastore call ("" if
 * none): for the log, never for decisions. */
const char *ae_ds_errmsg(void);

/* ---- selectors -------------------------------------------------------- */

/* A selector as SPIRE splits it: type ("unix", "aegis_tpm") and value
 * ("sha256:<hex>", "geo_zone:eu-de"). type is 1..AE_DS_SELECTOR_TYPE_MAX
 * bytes of printable ASCII without ':' or space; value is
 * 1..AE_DS_SELECTOR_VALUE_MAX bytes of printable ASCII (space allowed).
 * type ':' value fits the agent's AE_SELECTOR_MAX (512). */
#define AE_DS_SELECTOR_TYPE_MAX 64
#define AE_DS_SELECTOR_VALUE_MAX (512 - 1 - AE_DS_SELECTOR_TYPE_MAX)

struct ae_ds_selector {
        char type[AE_DS_SELECTOR_TYPE_MAX + 1];
        char value[AE_DS_SELECTOR_VALUE_MAX + 1];
};

/* Whether s follows the rules above. */
bool ae_ds_selector_type_valid(const char *type, size_t cap);
bool ae_ds_selector_value_valid(const char *value, size_t cap);

/* ---- registration entries (SPIRE's Entry) ----------------------------- */

#define AE_DS_ENTRY_ID_MAX 36 /* a UUIDv4 in text: 8-4-4-4-12 lowercase hex */
#define AE_DS_ENTRY_ID_SIZE (AE_DS_ENTRY_ID_MAX + 1)
#define AE_DS_ENTRY_SELECTORS_MAX 32
#define AE_DS_DNS_NAMES_MAX 16
#define AE_DS_DNS_NAME_MAX 253
#define AE_DS_HINT_MAX 64
/* SVID lifetimes an entry may ask for, seconds; 0 takes the issuer's default. */
#define AE_DS_TTL_MAX (30 * 24 * 3600LL)
/* Most rows one list call returns; page on with the last one's key. */
#define AE_DS_LIST_MAX 1000

struct ae_ds_entry {
        char id[AE_DS_ENTRY_ID_SIZE];      /* assigned by ae_ds_entry_create */
        char spiffe_id[AE_SPIFFE_ID_SIZE]; /* what a matching workload becomes */
        char parent_id[AE_SPIFFE_ID_SIZE]; /* the agent (or server) it is for */
        size_t n_selectors;                /* 1..AE_DS_ENTRY_SELECTORS_MAX */
        struct ae_ds_selector selectors[AE_DS_ENTRY_SELECTORS_MAX];
        int64_t x509_svid_ttl; /* seconds, 0..AE_DS_TTL_MAX */
        int64_t jwt_svid_ttl;
        bool admin;
        bool downstream;
        size_t n_dns_names; /* 0..AE_DS_DNS_NAMES_MAX */
        char dns_names[AE_DS_DNS_NAMES_MAX][AE_DS_DNS_NAME_MAX + 1];
        char hint[AE_DS_HINT_MAX + 1]; /* Workload API hint, may be "" */
        int64_t created_at;            /* s since the epoch, set by create */
        int64_t revision_number;       /* 0 at create */
};

/* Why ae_ds_entry_create refused an entry. Rules are checked in this order
 * and the first broken one is reported. */
enum ae_ds_entry_reason {
        AE_DS_ENTRY_OK = 0,
        AE_DS_ENTRY_SPIFFE_ID,          /* not a SPIFFE ID with a path */
        AE_DS_ENTRY_PARENT_ID,          /* not a SPIFFE ID with a path */
        AE_DS_ENTRY_TRUST_DOMAIN,       /* parent in another trust domain */
        AE_DS_ENTRY_NO_SELECTORS,
        AE_DS_ENTRY_TOO_MANY_SELECTORS, /* over AE_DS_ENTRY_SELECTORS_MAX */
        AE_DS_ENTRY_SELECTOR_TYPE,      /* empty, too long, ':', space, unprintable */
        AE_DS_ENTRY_SELECTOR_VALUE,     /* empty, too long, unprintable */
        AE_DS_ENTRY_DUPLICATE_SELECTOR, /* the same type and value twice */
        AE_DS_ENTRY_TTL,                /* outside 0..AE_DS_TTL_MAX */
        AE_DS_ENTRY_TOO_MANY_DNS_NAMES, /* over AE_DS_DNS_NAMES_MAX */
        AE_DS_ENTRY_DNS_NAME,           /* not a DNS name ("*." first label allowed) */
        AE_DS_ENTRY_HINT,               /* not printable ASCII */
        AE_DS_ENTRY_EXISTS,             /* same spiffe_id, parent_id and selector set */
        AE_DS_ENTRY_REASON_COUNT
};

/* Short text for the log ("entry has no selectors"). */
const char *ae_ds_entry_reason_str(enum ae_ds_entry_reason r);
/* Stable identifier for machines and the audit log ("no_selectors"). */
const char *ae_ds_entry_reason_id(enum ae_ds_entry_reason r);

/* The first rule e breaks (its id, created_at and revision_number are not
 * looked at), or AE_DS_ENTRY_OK. Does not check for duplicates. */
enum ae_ds_entry_reason ae_ds_entry_validate(const struct ae_ds_entry *e);

/* Store e under a fresh random UUIDv4 (e->id, created_at and
 * revision_number are ignored: created_at becomes the current time,
 * revision_number 0), and append an "entry_created" audit record in the
 * same transaction. -EINVAL for an entry ae_ds_entry_validate refuses;
 * -EEXIST when an entry with the same spiffe_id, parent_id and set of
 * selectors (in any order) exists, as SPIRE refuses it. *reason (may be
 * NULL) is written on every return: AE_DS_ENTRY_OK, or why it was refused.
 * A refused call changes nothing. ret_id (may be NULL) gets the new id. */
AE_MUST_USE int ae_ds_entry_create(struct ae_ds *ds, const struct ae_ds_entry *e,
                                   char ret_id[AE_DS_ENTRY_ID_SIZE],
                                   enum ae_ds_entry_reason *reason);

/* The entry with this id; -ENOENT. */
AE_MUST_USE int ae_ds_entry_get(struct ae_ds *ds, const char *id, struct ae_ds_entry *ret);

/* Delete the entry and its selectors, and append an "entry_deleted" audit
 * record, in one transaction; -ENOENT. */
AE_MUST_USE int ae_ds_entry_delete(struct ae_ds *ds, const char *id);

/* Entries in id order, starting after after_id (NULL or "": from the
 * first), at most max (1..AE_DS_LIST_MAX). *ret is malloc'd (NULL when
 * none), *ret_n its length; fewer than max means the end was reached. */
AE_MUST_USE int ae_ds_entry_list(struct ae_ds *ds, const char *after_id, size_t max,
                                 struct ae_ds_entry **ret, size_t *ret_n);
/* The same, only entries whose parent_id is parent_id (exact match). */
AE_MUST_USE int ae_ds_entry_list_by_parent(struct ae_ds *ds, const char *parent_id,
                                           const char *after_id, size_t max,
                                           struct ae_ds_entry **ret, size_t *ret_n);

/* Number of entries stored. */
AE_MUST_USE int ae_ds_entry_count(struct ae_ds *ds, uint64_t *ret_n);

/* ---- attested nodes --------------------------------------------------- */

#define AE_DS_EK_ID_LEN 32 /* sha256 of the EK SubjectPublicKeyInfo DER */
#define AE_DS_NODE_SELECTORS_MAX 64
#define AE_DS_NAME_MAX 64      /* pcr_policy and zone names */
#define AE_DS_ZONES_MAX 32
#define AE_DS_PCR_DIGEST_MAX 64
#define AE_DS_AK_NAME_MAX (2 + 64) /* nameAlg + digest */
#define AE_DS_SENSOR_ID_MAX 128
#define AE_DS_REASON_MAX 64        /* a reason code id ("quote_signature") */
#define AE_DS_SVID_SERIAL_MAX 64   /* lowercase hex of the serial number */

enum ae_ds_level { AE_DS_LEVEL_POR, AE_DS_LEVEL_POG }; /* stored "por" / "pog" */

/* One attested node, keyed by its agent SPIFFE ID (which the EK determines,
 * so ek_id is unique too). Plain data. */
struct ae_ds_node {
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        uint8_t ek_id[AE_DS_EK_ID_LEN];
        /* Replay protection, stored column by column: the TPM clock and
         * reset/restart counts of the last accepted quote, and the last
         * accepted location fix (has_fix false: none; stored as NULLs). The
         * TPM clock is a uint64 kept in SQLite's int64 bit for bit. */
        struct ae_node_replay_state replay;
        /* Node selectors of the latest accepted attestation. */
        size_t n_selectors;
        struct ae_ds_selector selectors[AE_DS_NODE_SELECTORS_MAX];
        /* What an SVID's attestation claims say about the node. */
        enum ae_ds_level level;
        char pcr_policy[AE_DS_NAME_MAX + 1];
        uint8_t pcr_digest[AE_DS_PCR_DIGEST_MAX];
        size_t pcr_digest_len;
        uint8_t ak_name[AE_DS_AK_NAME_MAX];
        size_t ak_name_len;
        int64_t attested_at;      /* s since the epoch, of the accepted attestation */
        bool has_fix;             /* the quote covered a usable fix */
        int64_t fix_time_ms;      /* that fix's time; 0 without one */
        char sensor_id[AE_DS_SENSOR_ID_MAX + 1]; /* printable, may be "" */
        size_t n_zones;
        char zones[AE_DS_ZONES_MAX][AE_DS_NAME_MAX + 1];
        /* The latest attempt: when, and whether it was accepted (reason ""
         * then) or rejected (reason: the verifier's reason id). */
        int64_t last_attested_at;
        bool last_accepted;
        char last_reason[AE_DS_REASON_MAX + 1];
        /* The agent's current SVID. */
        char svid_serial[AE_DS_SVID_SERIAL_MAX + 1];
        int64_t svid_expires_at;
        bool banned;
};

/* Store an accepted attestation of node n, creating or replacing its row and
 * its selectors and zones in one transaction. last_attested_at becomes
 * n->attested_at, last_accepted true, last_reason ""; n->banned is ignored
 * (a stored ban stays; a new node is not banned). -EINVAL for a node that
 * breaks the limits above (invalid SPIFFE ID or selector, unprintable
 * sensor id, zone or pcr_policy not [A-Za-z0-9._-]); -EEXIST when its ek_id
 * belongs to another SPIFFE ID. */
AE_MUST_USE int ae_ds_node_upsert(struct ae_ds *ds, const struct ae_ds_node *n);

/* A failed re-attestation of a known node: sets last_attested_at = at,
 * last_accepted false and last_reason, and keeps everything the last
 * accepted attestation stored, so the server sees the node failing.
 * -ENOENT for a node never accepted (record those in the audit log only);
 * -EINVAL for an empty, too long or unprintable reason. */
AE_MUST_USE int ae_ds_node_record_failure(struct ae_ds *ds, const char *spiffe_id, int64_t at,
                                          const char *reason);

/* Record the agent SVID just issued to the node; -ENOENT. */
AE_MUST_USE int ae_ds_node_set_svid(struct ae_ds *ds, const char *spiffe_id, const char *serial,
                                    int64_t expires_at);
/* Ban or unban; -ENOENT. */
AE_MUST_USE int ae_ds_node_set_banned(struct ae_ds *ds, const char *spiffe_id, bool banned);
/* An operator's ban (SPIRE's Agent/BanAgent): sets banned and appends an
 * "agent_banned" audit record (agent_id the node, detail as given: who
 * banned it) in one transaction. Banning a banned node bans it again (and
 * audits it). -ENOENT for a node never attested (nothing written); -EINVAL
 * for an unprintable or too long detail. */
AE_MUST_USE int ae_ds_node_ban(struct ae_ds *ds, const char *spiffe_id, int64_t at,
                               const char *detail);
/* An operator's eviction (SPIRE's Agent/DeleteAgent): removes the node's
 * row, selectors and zones, which lifts a ban and makes the node attest
 * afresh (its replay state starts over), and appends an "agent_deleted"
 * audit record, in one transaction. -ENOENT and -EINVAL as
 * ae_ds_node_ban. */
AE_MUST_USE int ae_ds_node_delete(struct ae_ds *ds, const char *spiffe_id, int64_t at,
                                  const char *detail);

/* The node with this SPIFFE ID / EK; -ENOENT. */
AE_MUST_USE int ae_ds_node_get(struct ae_ds *ds, const char *spiffe_id, struct ae_ds_node *ret);
AE_MUST_USE int ae_ds_node_get_by_ek(struct ae_ds *ds, const uint8_t ek_id[AE_DS_EK_ID_LEN],
                                     struct ae_ds_node *ret);

/* Nodes in SPIFFE ID order after after_id (NULL or "": from the first), at
 * most max (1..AE_DS_LIST_MAX); *ret malloc'd (NULL when none). */
AE_MUST_USE int ae_ds_node_list(struct ae_ds *ds, const char *after_id, size_t max,
                                struct ae_ds_node **ret, size_t *ret_n);

/* ---- audit log -------------------------------------------------------- */

/* Append-only: SQLite triggers refuse UPDATE and DELETE on the table, so
 * not even a bug here can rewrite history. It is not pruned by this code. */
#define AE_DS_AUDIT_DETAIL_MAX 512

enum ae_ds_audit_kind {
        AE_DS_AUDIT_ATTESTATION = 0, /* "attestation": an attestation attempt */
        AE_DS_AUDIT_ENTRY_CREATED,   /* "entry_created" (written by ae_ds_entry_create) */
        AE_DS_AUDIT_ENTRY_DELETED,   /* "entry_deleted" (written by ae_ds_entry_delete) */
        AE_DS_AUDIT_SVID_REFUSED,    /* "svid_refused" */
        AE_DS_AUDIT_AGENT_BANNED,    /* "agent_banned" (written by ae_ds_node_ban) */
        AE_DS_AUDIT_AGENT_DELETED,   /* "agent_deleted" (written by ae_ds_node_delete) */
        AE_DS_AUDIT_KIND_COUNT
};

/* Stored name of a kind; NULL outside the enum. */
const char *ae_ds_audit_kind_name(enum ae_ds_audit_kind kind);

struct ae_ds_audit {
        int64_t seq;  /* assigned by append, increasing */
        int64_t time; /* s since the epoch */
        enum ae_ds_audit_kind kind;
        char agent_id[AE_SPIFFE_ID_SIZE]; /* "" when unknown (early rejection) */
        bool has_ek_id;                   /* false when unknown */
        uint8_t ek_id[AE_DS_EK_ID_LEN];
        bool accepted;
        char reason[AE_DS_REASON_MAX + 1]; /* reason id, "" for none */
        char detail[AE_DS_AUDIT_DETAIL_MAX + 1];
};

/* Append a (its seq is ignored). agent_id, reason and detail must be
 * printable ASCII (-EINVAL); agent_id, when given, a SPIFFE ID. ret_seq (may
 * be NULL) gets the record's sequence number. */
AE_MUST_USE int ae_ds_audit_append(struct ae_ds *ds, const struct ae_ds_audit *a,
                                   int64_t *ret_seq);

/* The newest max (1..AE_DS_LIST_MAX) records, newest first. *ret malloc'd
 * (NULL when none). */
AE_MUST_USE int ae_ds_audit_list(struct ae_ds *ds, size_t max, struct ae_ds_audit **ret,
                                 size_t *ret_n);

/* ---- trust bundle ----------------------------------------------------- */

#define AE_DS_BUNDLE_ROOTS_MAX 16
#define AE_DS_BUNDLE_JWT_KEYS_MAX 16
#define AE_DS_DER_MAX 16384 /* one certificate or public key, DER */
#define AE_DS_KID_MAX 64

struct ae_ds_bundle_root {
        uint8_t *der; /* the root certificate, DER */
        size_t der_len;
        int64_t not_after; /* s since the epoch */
};

struct ae_ds_jwt_key {
        char kid[AE_DS_KID_MAX + 1]; /* 1..AE_DS_KID_MAX printable, unique per bundle */
        uint8_t *public_key; /* SubjectPublicKeyInfo DER */
        size_t public_key_len;
        int64_t not_after;
};

/* A trust domain's bundle. sequence goes up by one with every set, starting
 * at 1, so agents and relying parties can tell a newer one. */
struct ae_ds_bundle {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        uint64_t sequence;
        size_t n_roots; /* 1..AE_DS_BUNDLE_ROOTS_MAX */
        struct ae_ds_bundle_root roots[AE_DS_BUNDLE_ROOTS_MAX];
        size_t n_jwt_keys; /* 0..AE_DS_BUNDLE_JWT_KEYS_MAX */
        struct ae_ds_jwt_key jwt_keys[AE_DS_BUNDLE_JWT_KEYS_MAX];
};

/* Replace b->trust_domain's bundle with b's roots and keys in one
 * transaction (b->sequence is ignored) and bump its sequence;
 * ret_sequence (may be NULL) gets the new one. The blobs are not parsed
 * here, only bounded: -EINVAL for no root, an empty or over-AE_DS_DER_MAX
 * blob, an invalid trust domain or kid, or a repeated kid; -E2BIG past the
 * counts above. */
AE_MUST_USE int ae_ds_bundle_set(struct ae_ds *ds, const struct ae_ds_bundle *b,
                                 uint64_t *ret_sequence);

/* The stored bundle of trust_domain; -ENOENT when none was set. *ret is
 * malloc'd with its blobs: free it with ae_ds_bundle_free. */
AE_MUST_USE int ae_ds_bundle_get(struct ae_ds *ds, const char *trust_domain,
                                 struct ae_ds_bundle **ret);
/* Frees a bundle from ae_ds_bundle_get and its blobs. NULL-safe. */
void ae_ds_bundle_free(struct ae_ds_bundle *b);
AE_DEFINE_CLEANUP(struct ae_ds_bundle *, ae_ds_bundle_free)
