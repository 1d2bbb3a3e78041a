/* aegis-server's datastore (control-plane/server/datastore.h): schema
 * migrations and refusals, entries with every rejection reason, nodes,
 * the audit log, the bundle, and use from several threads. Each test works
 * in its own temporary directory. */
#include "control-plane/server/datastore.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"
#include "control-plane/server/ds_internal.h"

static char dir[64];
static char db_path[128];

static void setup(void)
{
        strcpy(dir, "/tmp/aegis-ds-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(db_path, sizeof(db_path), "%s/aegis.db", dir);
}

static void teardown(void)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

static struct ae_ds *open_ds(void)
{
        struct ae_ds *ds = NULL;

        ck_assert_int_eq(ae_ds_open(db_path, &ds), 0);
        ck_assert_ptr_nonnull(ds);
        return ds;
}

/* Run one statement on the file with SQLite directly (no datastore). */
static void raw_exec(const char *sql)
{
        sqlite3 *db = NULL;

        ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* One integer a query returns, read with SQLite directly. */
static int64_t raw_int(const char *sql)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *s = NULL;
        int64_t v;

        ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
        v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
        return v;
}

/* The text a query returns, read with SQLite directly, into buf. */
static void raw_text(const char *sql, char *buf, size_t cap)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *s = NULL;

        ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

static void read_all(const char *path, uint8_t **ret, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        uint8_t *buf;
        long n;

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        ck_assert_int_gt(n, 0);
        rewind(f);
        buf = malloc((size_t)n);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        *ret = buf;
        *ret_len = (size_t)n;
}

static void sel(struct ae_ds_selector *s, const char *type, const char *value)
{
        snprintf(s->type, sizeof(s->type), "%s", type);
        snprintf(s->value, sizeof(s->value), "%s", value);
}

/* A valid entry for spiffe_id under parent with n selectors unix:uid:<i>. */
static struct ae_ds_entry *entry_new(const char *spiffe_id, const char *parent, size_t n)
{
        struct ae_ds_entry *e = calloc(1, sizeof(*e));

        ck_assert_ptr_nonnull(e);
        snprintf(e->spiffe_id, sizeof(e->spiffe_id), "%s", spiffe_id);
        snprintf(e->parent_id, sizeof(e->parent_id), "%s", parent);
        for (size_t i = 0; i < n && i < AE_DS_ENTRY_SELECTORS_MAX; i++) {
                char v[32];

                snprintf(v, sizeof(v), "uid:%zu", 1000 + i);
                sel(&e->selectors[i], "unix", v);
        }
        e->n_selectors = n;
        e->x509_svid_ttl = 3600;
        e->jwt_svid_ttl = 300;
        return e;
}

#define AGENT_A "spiffe://example.org/spire/agent/aegis_tpm/aa"
#define AGENT_B "spiffe://example.org/spire/agent/aegis_tpm/bb"

static uint64_t entry_count(struct ae_ds *ds)
{
        uint64_t n = 42;

        ck_assert_int_eq(ae_ds_entry_count(ds, &n), 0);
        return n;
}

/* ---- schema ---- */

START_TEST(migrates_from_empty)
{
        struct ae_ds *ds = open_ds();
        struct stat st;
        char mode[16];
        int v = -1;

        ck_assert_int_eq(ae_ds_schema_version(ds, &v), 0);
        ck_assert_int_eq(v, AE_DS_SCHEMA_VERSION);
        ae_ds_close(ds);
        ck_assert_int_eq(stat(db_path, &st), 0);
        ck_assert_int_eq(st.st_mode & 0777, 0600);
        ck_assert_int_eq(raw_int("PRAGMA user_version"), AE_DS_SCHEMA_VERSION);
        ck_assert_int_eq(raw_int("PRAGMA application_id"), AE_DS_APPLICATION_ID);
        /* WAL is a property of the file: a plain open sees it. */
        raw_text("PRAGMA journal_mode", mode, sizeof(mode));
        ck_assert_str_eq(mode, "wal");
        ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
                                 " ('entries', 'entry_selectors', 'entry_dns_names', 'nodes',"
                                 " 'node_selectors', 'node_zones', 'audit', 'bundles',"
                                 " 'bundle_roots', 'bundle_jwt_keys')"),
                         10);
}
END_TEST

START_TEST(migrates_older_file_keeping_data)
{
        struct ae_ds *ds = NULL;
        struct ae_ds_entry *e = entry_new("spiffe://example.org/web", AGENT_A, 2);
        struct ae_ds_entry *got = calloc(1, sizeof(*got));
        char id[AE_DS_ENTRY_ID_SIZE];
        int v = -1;

        /* A version-2 file: entries and nodes, no audit table yet. Creating
         * an entry writes an audit record, so the row goes in directly. */
        ck_assert_int_eq(ae_ds_open_upto(db_path, 2, &ds), 0);
        ck_assert_int_eq(ae_ds_schema_version(ds, &v), 0);
        ck_assert_int_eq(v, 2);
        ae_ds_close(ds);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE name = 'audit'"), 0);
        raw_exec("INSERT INTO entries VALUES ('0b8c0f8e-0000-4000-8000-000000000001',"
                 " 'spiffe://example.org/old', '" AGENT_A "', 'unix:uid:1\n', 0, 0, 0, 0, '',"
                 " 1700000000, 0);"
                 "INSERT INTO entry_selectors VALUES ('0b8c0f8e-0000-4000-8000-000000000001', 0,"
                 " 'unix', 'uid:1')");

        ds = open_ds();
        ck_assert_int_eq(ae_ds_schema_version(ds, &v), 0);
        ck_assert_int_eq(v, AE_DS_SCHEMA_VERSION);
        ck_assert_int_eq(ae_ds_entry_get(ds, "0b8c0f8e-0000-4000-8000-000000000001", got), 0);
        ck_assert_str_eq(got->spiffe_id, "spiffe://example.org/old");
        ck_assert_int_eq(got->created_at, 1700000000);
        ck_assert_uint_eq(got->n_selectors, 1);
        /* The newer tables work. */
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id, NULL), 0);
        ck_assert_uint_eq(entry_count(ds), 2);
        ae_ds_close(ds);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 1);
        free(e);
        free(got);
}
END_TEST

START_TEST(reopen_keeps_data)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_entry *e = entry_new("spiffe://example.org/web", AGENT_A, 3), *got;
        char id[AE_DS_ENTRY_ID_SIZE];

        ck_assert_int_eq(ae_ds_entry_create(ds, e, id, NULL), 0);
        ae_ds_close(ds);
        ds = open_ds();
        got = calloc(1, sizeof(*got));
        ck_assert_int_eq(ae_ds_entry_get(ds, id, got), 0);
        ck_assert_str_eq(got->spiffe_id, e->spiffe_id);
        ck_assert_uint_eq(got->n_selectors, 3);
        ck_assert_uint_eq(entry_count(ds), 1);
        ae_ds_close(ds);
        free(e);
        free(got);
}
END_TEST

START_TEST(newer_schema_refused_untouched)
{
        struct ae_ds *ds = open_ds(), *sentinel = (struct ae_ds *)0x1;
        struct ae_ds_entry *e = entry_new("spiffe://example.org/a", AGENT_A, 1);
        char id[AE_DS_ENTRY_ID_SIZE];
        uint8_t *before, *after;
        size_t nb, na;
        char wal[160];

        ck_assert_int_eq(ae_ds_entry_create(ds, e, id, NULL), 0);
        ae_ds_close(ds);
        free(e);
        /* In rollback-journal mode, so that even switching it to WAL would
         * show in the file's header. */
        raw_exec("PRAGMA journal_mode = DELETE; PRAGMA user_version = 5");
        read_all(db_path, &before, &nb);

        ck_assert_int_eq(ae_ds_open(db_path, &sentinel), -EPROTO);
        ck_assert_ptr_eq(sentinel, (struct ae_ds *)0x1);
        read_all(db_path, &after, &na);
        ck_assert_uint_eq(na, nb);
        ck_assert_mem_eq(after, before, nb);
        snprintf(wal, sizeof(wal), "%s-wal", db_path);
        ck_assert_int_ne(access(wal, F_OK), 0); /* no transaction left behind */
        ck_assert_int_eq(raw_int("PRAGMA user_version"), 5);
        free(before);
        free(after);
}
END_TEST

START_TEST(foreign_files_refused)
{
        struct ae_ds *ds = NULL;
        int fd;

        /* Another application's SQLite file. */
        raw_exec("CREATE TABLE theirs (x)");
        ck_assert_int_eq(ae_ds_open(db_path, &ds), -EBADMSG);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema"), 1);
        raw_exec("PRAGMA application_id = 7; PRAGMA user_version = 1");
        ck_assert_int_eq(ae_ds_open(db_path, &ds), -EBADMSG);
        /* Not SQLite at all. */
        ck_assert_int_eq(unlink(db_path), 0);
        fd = open(db_path, O_WRONLY | O_CREAT, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "this is not a database, not even a little bit, honestly.\n"
                                   "this is not a database, not even a little bit, honestly.\n",
                               114),
                         114);
        close(fd);
        ck_assert_int_eq(ae_ds_open(db_path, &ds), -EBADMSG);
        ck_assert_ptr_null(ds);
}
END_TEST

START_TEST(symlink_refused)
{
        struct ae_ds *ds = NULL;
        char link[160];

        snprintf(link, sizeof(link), "%s/link.db", dir);
        ck_assert_int_eq(symlink(db_path, link), 0);
        ck_assert_int_eq(ae_ds_open(link, &ds), -ELOOP);
        ck_assert_ptr_null(ds);
}
END_TEST

/* ---- entries ---- */

START_TEST(entries_create_get_list_delete)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_entry *e = entry_new("spiffe://example.org/web", AGENT_A, 2), *got, *v = NULL;
        char id1[AE_DS_ENTRY_ID_SIZE], id2[AE_DS_ENTRY_ID_SIZE], id3[AE_DS_ENTRY_ID_SIZE];
        enum ae_ds_entry_reason why = AE_DS_ENTRY_EXISTS;
        struct ae_ds_audit *log = NULL;
        size_t n = 99;
        time_t now = time(NULL);

        e->admin = true;
        e->n_dns_names = 2;
        strcpy(e->dns_names[0], "web.example.org");
        strcpy(e->dns_names[1], "*.web.example.org");
        strcpy(e->hint, "frontend");
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id1, &why), 0);
        ck_assert_int_eq(why, AE_DS_ENTRY_OK);
        ck_assert_uint_eq(strlen(id1), 36);
        ck_assert_int_eq(id1[14], '4'); /* UUID version 4 */
        ck_assert(strchr("89ab", id1[19]));

        got = calloc(1, sizeof(*got));
        ck_assert_int_eq(ae_ds_entry_get(ds, id1, got), 0);
        ck_assert_str_eq(got->id, id1);
        ck_assert_str_eq(got->spiffe_id, "spiffe://example.org/web");
        ck_assert_str_eq(got->parent_id, AGENT_A);
        ck_assert_uint_eq(got->n_selectors, 2);
        ck_assert_str_eq(got->selectors[0].type, "unix");
        ck_assert_str_eq(got->selectors[0].value, "uid:1000");
        ck_assert_str_eq(got->selectors[1].value, "uid:1001");
        ck_assert_int_eq(got->x509_svid_ttl, 3600);
        ck_assert_int_eq(got->jwt_svid_ttl, 300);
        ck_assert(got->admin);
        ck_assert(!got->downstream);
        ck_assert_uint_eq(got->n_dns_names, 2);
        ck_assert_str_eq(got->dns_names[1], "*.web.example.org");
        ck_assert_str_eq(got->hint, "frontend");
        ck_assert_int_ge(got->created_at, now);
        ck_assert_int_le(got->created_at, now + 60);
        ck_assert_int_eq(got->revision_number, 0);

        free(e);
        e = entry_new("spiffe://example.org/db", AGENT_A, 1);
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id2, NULL), 0);
        free(e);
        e = entry_new("spiffe://example.org/web", AGENT_B, 2);
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id3, NULL), 0);

        ck_assert_int_eq(ae_ds_entry_list(ds, NULL, AE_DS_LIST_MAX, &v, &n), 0);
        ck_assert_uint_eq(n, 3);
        for (size_t i = 1; i < n; i++)
                ck_assert_int_lt(strcmp(v[i - 1].id, v[i].id), 0);
        free(v);

        ck_assert_int_eq(ae_ds_entry_list_by_parent(ds, AGENT_A, NULL, AE_DS_LIST_MAX, &v, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(v[0].parent_id, AGENT_A);
        ck_assert_str_eq(v[1].parent_id, AGENT_A);
        ck_assert(strcmp(v[0].id, id1) == 0 || strcmp(v[1].id, id1) == 0);
        /* Paging: one at a time, after the last one seen. */
        {
                struct ae_ds_entry *p = NULL;
                size_t pn = 0;

                ck_assert_int_eq(ae_ds_entry_list_by_parent(ds, AGENT_A, NULL, 1, &p, &pn), 0);
                ck_assert_uint_eq(pn, 1);
                ck_assert_str_eq(p[0].id, v[0].id);
                free(p);
                ck_assert_int_eq(ae_ds_entry_list_by_parent(ds, AGENT_A, v[0].id, 1, &p, &pn), 0);
                ck_assert_uint_eq(pn, 1);
                ck_assert_str_eq(p[0].id, v[1].id);
                free(p);
                p = (struct ae_ds_entry *)0x1;
                ck_assert_int_eq(ae_ds_entry_list_by_parent(ds, AGENT_A, v[1].id, 1, &p, &pn), 0);
                ck_assert_uint_eq(pn, 0);
                ck_assert_ptr_null(p);
        }
        free(v);
        ck_assert_int_eq(ae_ds_entry_list(ds, NULL, 0, &v, &n), -EINVAL);
        ck_assert_int_eq(ae_ds_entry_list(ds, NULL, AE_DS_LIST_MAX + 1, &v, &n), -EINVAL);

        ck_assert_int_eq(ae_ds_entry_delete(ds, id2), 0);
        ck_assert_int_eq(ae_ds_entry_get(ds, id2, got), -ENOENT);
        ck_assert_int_eq(ae_ds_entry_delete(ds, id2), -ENOENT);
        ck_assert_int_eq(ae_ds_entry_get(ds, "no-such-id", got), -ENOENT);
        ck_assert_uint_eq(entry_count(ds), 2);
        /* The selectors went with it. */
        ae_ds_close(ds);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM entry_selectors"), 4);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM entry_dns_names"), 2);

        /* Every create and the delete are in the audit log, newest first. */
        ds = open_ds();
        ck_assert_int_eq(ae_ds_audit_list(ds, 10, &log, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(log[0].kind, AE_DS_AUDIT_ENTRY_DELETED);
        ck_assert_int_eq(strncmp(log[0].detail, id2, 36), 0);
        ck_assert_str_eq(log[0].detail + 37, "spiffe://example.org/db");
        ck_assert_int_eq(log[3].kind, AE_DS_AUDIT_ENTRY_CREATED);
        ck_assert_int_eq(strncmp(log[3].detail, id1, 36), 0);
        free(log);
        ae_ds_close(ds);
        free(e);
        free(got);
}
END_TEST

START_TEST(entry_duplicate_refused)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_entry *e = entry_new("spiffe://example.org/web", AGENT_A, 3);
        char id[AE_DS_ENTRY_ID_SIZE], id2[AE_DS_ENTRY_ID_SIZE] = "untouched";
        enum ae_ds_entry_reason why;
        struct ae_ds_selector tmp;

        ck_assert_int_eq(ae_ds_entry_create(ds, e, id, NULL), 0);
        /* The same set in another order is the same entry. */
        tmp = e->selectors[0];
        e->selectors[0] = e->selectors[2];
        e->selectors[2] = tmp;
        e->x509_svid_ttl = 60; /* other fields do not make it different */
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id2, &why), -EEXIST);
        ck_assert_int_eq(why, AE_DS_ENTRY_EXISTS);
        ck_assert_str_eq(ae_ds_entry_reason_id(why), "exists");
        ck_assert_str_eq(id2, "untouched");
        ck_assert_uint_eq(entry_count(ds), 1);
        /* A subset, another parent or another SPIFFE ID is a different entry. */
        e->n_selectors = 2;
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id2, &why), 0);
        e->n_selectors = 3;
        strcpy(e->parent_id, AGENT_B);
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id2, &why), 0);
        strcpy(e->spiffe_id, "spiffe://example.org/web2");
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id2, &why), 0);
        ck_assert_uint_eq(entry_count(ds), 4);
        ae_ds_close(ds);
        free(e);
}
END_TEST

/* One way to break an entry and the reason it must get. */
struct breakage {
        const char *name;
        void (*apply)(struct ae_ds_entry *e);
        enum ae_ds_entry_reason reason;
        const char *reason_id;
};

static void bad_spiffe(struct ae_ds_entry *e)
{
        strcpy(e->spiffe_id, "spiffe://Example.org/web");
}
static void spiffe_no_path(struct ae_ds_entry *e)
{
        strcpy(e->spiffe_id, "spiffe://example.org");
}
static void spiffe_unterminated(struct ae_ds_entry *e)
{
        memset(e->spiffe_id, 'a', sizeof(e->spiffe_id));
}
static void bad_parent(struct ae_ds_entry *e)
{
        strcpy(e->parent_id, "https://example.org/agent");
}
static void parent_other_domain(struct ae_ds_entry *e)
{
        strcpy(e->parent_id, "spiffe://other.org/spire/agent/x");
}
static void no_selectors(struct ae_ds_entry *e)
{
        e->n_selectors = 0;
}
static void too_many_selectors(struct ae_ds_entry *e)
{
        e->n_selectors = AE_DS_ENTRY_SELECTORS_MAX + 1;
}
static void type_empty(struct ae_ds_entry *e)
{
        e->selectors[1].type[0] = '\0';
}
static void type_colon(struct ae_ds_entry *e)
{
        strcpy(e->selectors[1].type, "unix:uid");
}
static void type_unterminated(struct ae_ds_entry *e)
{
        memset(e->selectors[1].type, 'u', sizeof(e->selectors[1].type));
}
static void value_empty(struct ae_ds_entry *e)
{
        e->selectors[0].value[0] = '\0';
}
static void value_newline(struct ae_ds_entry *e)
{
        strcpy(e->selectors[0].value, "uid:1\nunix:uid:0");
}
static void value_unterminated(struct ae_ds_entry *e)
{
        memset(e->selectors[0].value, 'v', sizeof(e->selectors[0].value));
}
static void duplicate_selector(struct ae_ds_entry *e)
{
        e->selectors[2] = e->selectors[0];
}
static void ttl_negative(struct ae_ds_entry *e)
{
        e->x509_svid_ttl = -1;
}
static void ttl_too_long(struct ae_ds_entry *e)
{
        e->jwt_svid_ttl = AE_DS_TTL_MAX + 1;
}
static void too_many_dns(struct ae_ds_entry *e)
{
        e->n_dns_names = AE_DS_DNS_NAMES_MAX + 1;
}
static void dns_bad(struct ae_ds_entry *e)
{
        e->n_dns_names = 1;
        strcpy(e->dns_names[0], "web..example.org");
}
static void dns_bad_wildcard(struct ae_ds_entry *e)
{
        e->n_dns_names = 1;
        strcpy(e->dns_names[0], "web.*.example.org");
}
static void hint_control(struct ae_ds_entry *e)
{
        strcpy(e->hint, "front\tend");
}

static const struct breakage breakages[] = {
        { "bad spiffe id", bad_spiffe, AE_DS_ENTRY_SPIFFE_ID, "spiffe_id" },
        { "spiffe id without path", spiffe_no_path, AE_DS_ENTRY_SPIFFE_ID, "spiffe_id" },
        { "spiffe id unterminated", spiffe_unterminated, AE_DS_ENTRY_SPIFFE_ID, "spiffe_id" },
        { "bad parent", bad_parent, AE_DS_ENTRY_PARENT_ID, "parent_id" },
        { "parent elsewhere", parent_other_domain, AE_DS_ENTRY_TRUST_DOMAIN, "trust_domain" },
        { "no selectors", no_selectors, AE_DS_ENTRY_NO_SELECTORS, "no_selectors" },
        { "too many selectors", too_many_selectors, AE_DS_ENTRY_TOO_MANY_SELECTORS,
          "too_many_selectors" },
        { "empty type", type_empty, AE_DS_ENTRY_SELECTOR_TYPE, "selector_type" },
        { "type with colon", type_colon, AE_DS_ENTRY_SELECTOR_TYPE, "selector_type" },
        { "type unterminated", type_unterminated, AE_DS_ENTRY_SELECTOR_TYPE, "selector_type" },
        { "empty value", value_empty, AE_DS_ENTRY_SELECTOR_VALUE, "selector_value" },
        { "value with newline", value_newline, AE_DS_ENTRY_SELECTOR_VALUE, "selector_value" },
        { "value unterminated", value_unterminated, AE_DS_ENTRY_SELECTOR_VALUE, "selector_value" },
        { "duplicate selector", duplicate_selector, AE_DS_ENTRY_DUPLICATE_SELECTOR,
          "duplicate_selector" },
        { "negative ttl", ttl_negative, AE_DS_ENTRY_TTL, "ttl" },
        { "ttl too long", ttl_too_long, AE_DS_ENTRY_TTL, "ttl" },
        { "too many dns names", too_many_dns, AE_DS_ENTRY_TOO_MANY_DNS_NAMES,
          "too_many_dns_names" },
        { "bad dns name", dns_bad, AE_DS_ENTRY_DNS_NAME, "dns_name" },
        { "wildcard not first", dns_bad_wildcard, AE_DS_ENTRY_DNS_NAME, "dns_name" },
        { "hint with tab", hint_control, AE_DS_ENTRY_HINT, "hint" },
};

START_TEST(entry_rejections)
{
        const struct breakage *b = &breakages[_i];
        struct ae_ds *ds = open_ds();
        struct ae_ds_entry *e = entry_new("spiffe://example.org/web", AGENT_A, 3);
        char id[AE_DS_ENTRY_ID_SIZE] = "untouched";
        enum ae_ds_entry_reason why = AE_DS_ENTRY_OK;
        struct ae_ds_audit *log = NULL;
        size_t n = 1;

        /* All AE_DS_ENTRY_SELECTORS_MAX + 1 selectors distinct and valid, so
         * only the count is wrong when it is raised. */
        for (size_t i = 0; i < AE_DS_ENTRY_SELECTORS_MAX; i++)
                snprintf(e->selectors[i].value, sizeof(e->selectors[i].value), "uid:%zu", i);
        for (size_t i = 0; i < AE_DS_DNS_NAMES_MAX; i++)
                snprintf(e->dns_names[i], sizeof(e->dns_names[i]), "n%zu.example.org", i);
        ck_assert_int_eq(ae_ds_entry_validate(e), AE_DS_ENTRY_OK);
        b->apply(e);
        ck_assert_msg(ae_ds_entry_validate(e) == b->reason, "%s: validate says %s", b->name,
                      ae_ds_entry_reason_id(ae_ds_entry_validate(e)));
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id, &why), -EINVAL);
        ck_assert_msg(why == b->reason, "%s: got %s", b->name, ae_ds_entry_reason_id(why));
        ck_assert_str_eq(ae_ds_entry_reason_id(why), b->reason_id);
        ck_assert_str_ne(ae_ds_entry_reason_str(why), "unknown");
        ck_assert_str_eq(id, "untouched");
        /* Nothing changed: no entry, no audit record. */
        ck_assert_uint_eq(entry_count(ds), 0);
        ck_assert_int_eq(ae_ds_audit_list(ds, 10, &log, &n), 0);
        ck_assert_uint_eq(n, 0);
        ae_ds_close(ds);
        free(e);
}
END_TEST

START_TEST(entry_reason_texts_distinct)
{
        for (int i = 0; i < AE_DS_ENTRY_REASON_COUNT; i++)
                for (int j = 0; j < i; j++) {
                        ck_assert_str_ne(ae_ds_entry_reason_id(i), ae_ds_entry_reason_id(j));
                        ck_assert_str_ne(ae_ds_entry_reason_str(i), ae_ds_entry_reason_str(j));
                }
        ck_assert_str_eq(ae_ds_entry_reason_id(AE_DS_ENTRY_REASON_COUNT), "unknown");
}
END_TEST

/* ---- nodes ---- */

#define NODE_ID "spiffe://example.org/spire/agent/aegis_tpm/0123abcd"

static struct ae_ds_node *node_new(const char *spiffe_id, uint8_t ek_byte)
{
        struct ae_ds_node *n = calloc(1, sizeof(*n));

        ck_assert_ptr_nonnull(n);
        snprintf(n->spiffe_id, sizeof(n->spiffe_id), "%s", spiffe_id);
        memset(n->ek_id, ek_byte, sizeof(n->ek_id));
        n->replay = (struct ae_node_replay_state){
                .known = true,
                .clock = 0x8000000000000123ULL, /* high bit: must survive int64 */
                .reset_count = 7,
                .restart_count = 4000000000U,
                .has_fix = true,
                .fix_latitude = 52.52,
                .fix_longitude = 13.405,
                .fix_time_ms = 1795238290123LL,
        };
        n->n_selectors = 3;
        sel(&n->selectors[0], "aegis_tpm", "ek_hash:0123abcd");
        sel(&n->selectors[1], "aegis_tpm", "level:pog");
        sel(&n->selectors[2], "aegis_tpm", "geo_zone:eu-de");
        n->level = AE_DS_LEVEL_POG;
        strcpy(n->pcr_policy, "base");
        memset(n->pcr_digest, 0xd1, 32);
        n->pcr_digest_len = 32;
        n->ak_name[0] = 0x00;
        n->ak_name[1] = 0x0b;
        memset(n->ak_name + 2, 0xa4, 32);
        n->ak_name_len = 34;
        n->attested_at = 1795238298;
        n->has_fix = true;
        n->fix_time_ms = 1795238290123LL;
        strcpy(n->sensor_id, "ublox F9P-0042");
        n->n_zones = 2;
        strcpy(n->zones[0], "eu-de");
        strcpy(n->zones[1], "berlin");
        strcpy(n->svid_serial, "0a1b2c");
        n->svid_expires_at = 1795241898;
        return n;
}

static void assert_accepted_data(const struct ae_ds_node *g, const struct ae_ds_node *n)
{
        ck_assert_str_eq(g->spiffe_id, n->spiffe_id);
        ck_assert_mem_eq(g->ek_id, n->ek_id, AE_DS_EK_ID_LEN);
        ck_assert(g->replay.known);
        ck_assert(g->replay.clock == n->replay.clock);
        ck_assert_uint_eq(g->replay.reset_count, n->replay.reset_count);
        ck_assert_uint_eq(g->replay.restart_count, n->replay.restart_count);
        ck_assert(g->replay.has_fix == n->replay.has_fix);
        ck_assert(g->replay.fix_latitude == n->replay.fix_latitude);
        ck_assert(g->replay.fix_longitude == n->replay.fix_longitude);
        ck_assert_int_eq(g->replay.fix_time_ms, n->replay.fix_time_ms);
        ck_assert_uint_eq(g->n_selectors, n->n_selectors);
        for (size_t i = 0; i < n->n_selectors; i++) {
                ck_assert_str_eq(g->selectors[i].type, n->selectors[i].type);
                ck_assert_str_eq(g->selectors[i].value, n->selectors[i].value);
        }
        ck_assert_int_eq(g->level, n->level);
        ck_assert_str_eq(g->pcr_policy, n->pcr_policy);
        ck_assert_uint_eq(g->pcr_digest_len, n->pcr_digest_len);
        ck_assert_mem_eq(g->pcr_digest, n->pcr_digest, n->pcr_digest_len);
        ck_assert_uint_eq(g->ak_name_len, n->ak_name_len);
        ck_assert_mem_eq(g->ak_name, n->ak_name, n->ak_name_len);
        ck_assert_int_eq(g->attested_at, n->attested_at);
        ck_assert(g->has_fix == n->has_fix);
        ck_assert_int_eq(g->fix_time_ms, n->fix_time_ms);
        ck_assert_str_eq(g->sensor_id, n->sensor_id);
        ck_assert_uint_eq(g->n_zones, n->n_zones);
        for (size_t i = 0; i < n->n_zones; i++)
                ck_assert_str_eq(g->zones[i], n->zones[i]);
        ck_assert_str_eq(g->svid_serial, n->svid_serial);
        ck_assert_int_eq(g->svid_expires_at, n->svid_expires_at);
}

START_TEST(nodes_upsert_get_list)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_node *n = node_new(NODE_ID, 0x11), *g = calloc(1, sizeof(*g)), *v = NULL;
        uint8_t ek[AE_DS_EK_ID_LEN];
        size_t cnt = 0;

        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), -ENOENT);
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        assert_accepted_data(g, n);
        ck_assert(g->last_accepted);
        ck_assert_str_eq(g->last_reason, "");
        ck_assert_int_eq(g->last_attested_at, n->attested_at);
        ck_assert(!g->banned);

        memset(ek, 0x11, sizeof(ek));
        memset(g, 0, sizeof(*g));
        ck_assert_int_eq(ae_ds_node_get_by_ek(ds, ek, g), 0);
        ck_assert_str_eq(g->spiffe_id, NODE_ID);
        memset(ek, 0x12, sizeof(ek));
        ck_assert_int_eq(ae_ds_node_get_by_ek(ds, ek, g), -ENOENT);

        /* Re-attested as PoR without a fix: selectors and zones replaced. */
        n->level = AE_DS_LEVEL_POR;
        n->n_selectors = 1;
        n->n_zones = 0;
        n->has_fix = false;
        n->fix_time_ms = 0;
        n->replay.has_fix = false;
        n->replay.fix_latitude = n->replay.fix_longitude = 0;
        n->replay.fix_time_ms = 0;
        n->replay.clock = 99;
        n->attested_at += 600;
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        assert_accepted_data(g, n);

        /* A second node, and one whose EK belongs to the first. */
        free(n);
        n = node_new("spiffe://example.org/spire/agent/aegis_tpm/ffee", 0x22);
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        strcpy(n->spiffe_id, "spiffe://example.org/spire/agent/aegis_tpm/dup");
        memset(n->ek_id, 0x11, sizeof(n->ek_id));
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EEXIST);

        ck_assert_int_eq(ae_ds_node_list(ds, NULL, AE_DS_LIST_MAX, &v, &cnt), 0);
        ck_assert_uint_eq(cnt, 2);
        ck_assert_str_eq(v[0].spiffe_id, NODE_ID);
        ck_assert_str_eq(v[1].spiffe_id, "spiffe://example.org/spire/agent/aegis_tpm/ffee");
        ck_assert_uint_eq(v[1].n_selectors, 3);
        free(v);
        ck_assert_int_eq(ae_ds_node_list(ds, NODE_ID, AE_DS_LIST_MAX, &v, &cnt), 0);
        ck_assert_uint_eq(cnt, 1);
        free(v);

        ae_ds_close(ds);
        free(n);
        free(g);
}
END_TEST

START_TEST(node_failed_reattestation_keeps_data)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_node *n = node_new(NODE_ID, 0x11), *g = calloc(1, sizeof(*g));

        ck_assert_int_eq(ae_ds_node_record_failure(ds, NODE_ID, 1795239000, "quote_signature"),
                         -ENOENT);
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_record_failure(ds, NODE_ID, 1795239000, "quote_signature"),
                         0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(!g->last_accepted);
        ck_assert_str_eq(g->last_reason, "quote_signature");
        ck_assert_int_eq(g->last_attested_at, 1795239000);
        /* Everything the accepted attestation stored is still there. */
        assert_accepted_data(g, n);
        ck_assert_int_eq(g->attested_at, n->attested_at);

        /* A bad reason is refused and changes nothing. */
        ck_assert_int_eq(ae_ds_node_record_failure(ds, NODE_ID, 1795239100, ""), -EINVAL);
        ck_assert_int_eq(ae_ds_node_record_failure(ds, NODE_ID, 1795239100, "a\nb"), -EINVAL);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert_int_eq(g->last_attested_at, 1795239000);

        /* The next accepted attestation clears the failure. */
        n->attested_at = 1795239200;
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(g->last_accepted);
        ck_assert_str_eq(g->last_reason, "");
        ck_assert_int_eq(g->last_attested_at, 1795239200);
        ae_ds_close(ds);
        free(n);
        free(g);
}
END_TEST

START_TEST(node_ban_and_svid)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_node *n = node_new(NODE_ID, 0x11), *g = calloc(1, sizeof(*g));

        ck_assert_int_eq(ae_ds_node_set_banned(ds, NODE_ID, true), -ENOENT);
        ck_assert_int_eq(ae_ds_node_set_svid(ds, NODE_ID, "ff", 1), -ENOENT);
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_set_banned(ds, NODE_ID, true), 0);
        ck_assert_int_eq(ae_ds_node_set_svid(ds, NODE_ID, "00ff10", 1795300000), 0);
        ck_assert_int_eq(ae_ds_node_set_svid(ds, NODE_ID, "00FF10", 1795300000), -EINVAL);
        ck_assert_int_eq(ae_ds_node_set_svid(ds, NODE_ID, "", 1795300000), -EINVAL);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(g->banned);
        ck_assert_str_eq(g->svid_serial, "00ff10");
        ck_assert_int_eq(g->svid_expires_at, 1795300000);
        /* An upsert does not lift a ban (n->banned is false). */
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(g->banned);
        ck_assert_int_eq(ae_ds_node_set_banned(ds, NODE_ID, false), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(!g->banned);
        ae_ds_close(ds);
        free(n);
        free(g);
}
END_TEST

/* An operator's ban: the flag and its audit record together, or neither. */
START_TEST(node_ban_audited)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_node *n = node_new(NODE_ID, 0x11), *g = calloc(1, sizeof(*g));
        struct ae_ds_audit *log = NULL;
        size_t k = 0;

        ck_assert_int_eq(ae_ds_node_ban(ds, NODE_ID, 1795239000, "by uid 0"), -ENOENT);
        ck_assert_int_eq(ae_ds_audit_list(ds, 10, &log, &k), 0);
        ck_assert_uint_eq(k, 0);
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_ban(ds, NODE_ID, 1795239000, "by\nuid 0"), -EINVAL);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(!g->banned);
        ck_assert_int_eq(ae_ds_node_ban(ds, NODE_ID, 1795239001, "by uid 0"), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(g->banned);
        ck_assert_int_eq(ae_ds_audit_list(ds, 10, &log, &k), 0);
        ck_assert_uint_eq(k, 1);
        ck_assert_str_eq(ae_ds_audit_kind_name(log[0].kind), "agent_banned");
        ck_assert_str_eq(log[0].agent_id, NODE_ID);
        ck_assert_str_eq(log[0].detail, "by uid 0");
        ck_assert_int_eq(log[0].time, 1795239001);
        ck_assert(log[0].accepted);
        free(log);
        ae_ds_close(ds);
        free(n);
        free(g);
}
END_TEST

/* An operator's eviction: the node's row, selectors and zones go with the
 * audit record, a ban with them; the node may then be stored afresh. */
START_TEST(node_delete_audited)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_node *n = node_new(NODE_ID, 0x11), *g = calloc(1, sizeof(*g));
        struct ae_ds_audit *log = NULL;
        size_t k = 0;

        ck_assert_int_eq(ae_ds_node_delete(ds, NODE_ID, 1795239000, "by uid 0"), -ENOENT);
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_ban(ds, NODE_ID, 1795239001, "by uid 0"), 0);
        ck_assert_int_eq(ae_ds_node_delete(ds, NODE_ID, 1795239002, "by\nuid 0"), -EINVAL);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert_int_eq(ae_ds_node_delete(ds, NODE_ID, 1795239003, "DeleteAgent by uid 0"), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), -ENOENT);
        ck_assert_int_eq(raw_int("SELECT (SELECT count(*) FROM node_selectors) + "
                                 "(SELECT count(*) FROM node_zones)"),
                         0);
        ck_assert_int_eq(ae_ds_audit_list(ds, 10, &log, &k), 0);
        ck_assert_uint_eq(k, 2);
        ck_assert_str_eq(ae_ds_audit_kind_name(log[0].kind), "agent_deleted");
        ck_assert_str_eq(log[0].agent_id, NODE_ID);
        ck_assert_str_eq(log[0].detail, "DeleteAgent by uid 0");
        ck_assert_int_eq(log[0].time, 1795239003);
        free(log);
        /* Back as a new node: not banned. */
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), 0);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), 0);
        ck_assert(!g->banned);
        ae_ds_close(ds);
        free(n);
        free(g);
}
END_TEST

START_TEST(node_invalid_refused)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_node *n = node_new(NODE_ID, 0x11), *g = calloc(1, sizeof(*g));

        strcpy(n->spiffe_id, "spiffe://example.org");
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EINVAL);
        strcpy(n->spiffe_id, NODE_ID);
        strcpy(n->zones[1], "berlin mitte");
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EINVAL);
        strcpy(n->zones[1], "berlin");
        n->replay.fix_latitude = 91;
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EINVAL);
        n->replay.fix_latitude = 52;
        sel(&n->selectors[2], "aegis tpm", "x");
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EINVAL);
        sel(&n->selectors[2], "aegis_tpm", "x");
        n->pcr_digest_len = AE_DS_PCR_DIGEST_MAX + 1;
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EINVAL);
        n->pcr_digest_len = 32;
        n->level = 7;
        ck_assert_int_eq(ae_ds_node_upsert(ds, n), -EINVAL);
        ck_assert_int_eq(ae_ds_node_get(ds, NODE_ID, g), -ENOENT);
        ae_ds_close(ds);
        free(n);
        free(g);
}
END_TEST

/* ---- audit ---- */

START_TEST(audit_append_list_order)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_audit a = { 0 }, *v = NULL;
        int64_t s1 = 0, s2 = 0, s3 = 0;
        size_t n = 0;

        /* An early rejection: nothing known about the agent. */
        a.time = 100;
        a.kind = AE_DS_AUDIT_ATTESTATION;
        strcpy(a.reason, "message_malformed");
        strcpy(a.detail, "payload did not parse");
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, &s1), 0);
        /* A rejection with the EK known. */
        a.time = 101;
        a.has_ek_id = true;
        memset(a.ek_id, 0x5e, sizeof(a.ek_id));
        strcpy(a.agent_id, NODE_ID);
        strcpy(a.reason, "quote_signature");
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, &s2), 0);
        /* An acceptance. */
        a.time = 102;
        a.accepted = true;
        strcpy(a.reason, "");
        strcpy(a.detail, "pog eu-de");
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, NULL), 0);
        a.kind = AE_DS_AUDIT_SVID_REFUSED;
        a.accepted = false;
        strcpy(a.reason, "banned");
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, &s3), 0);
        ck_assert_int_lt(s1, s2);
        ck_assert_int_lt(s2, s3);

        ck_assert_int_eq(ae_ds_audit_list(ds, 3, &v, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(v[0].seq, s3);
        ck_assert_int_eq(v[0].kind, AE_DS_AUDIT_SVID_REFUSED);
        ck_assert_str_eq(v[0].reason, "banned");
        ck_assert_int_eq(v[1].time, 102);
        ck_assert(v[1].accepted);
        ck_assert_str_eq(v[1].detail, "pog eu-de");
        ck_assert_int_eq(v[2].seq, s2);
        ck_assert(!v[2].accepted);
        ck_assert(v[2].has_ek_id);
        ck_assert_uint_eq(v[2].ek_id[31], 0x5e);
        ck_assert_str_eq(v[2].agent_id, NODE_ID);
        free(v);
        ck_assert_int_eq(ae_ds_audit_list(ds, 10, &v, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(v[3].seq, s1);
        ck_assert(!v[3].has_ek_id);
        ck_assert_str_eq(v[3].agent_id, "");
        ck_assert_str_eq(v[3].reason, "message_malformed");
        free(v);

        /* Refused records. */
        strcpy(a.agent_id, "not a spiffe id");
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, NULL), -EINVAL);
        strcpy(a.agent_id, "");
        strcpy(a.detail, "line\nbreak");
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, NULL), -EINVAL);
        strcpy(a.detail, "");
        a.kind = AE_DS_AUDIT_KIND_COUNT;
        ck_assert_int_eq(ae_ds_audit_append(ds, &a, NULL), -EINVAL);
        ae_ds_close(ds);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 4);
        ck_assert_str_eq(ae_ds_audit_kind_name(AE_DS_AUDIT_ATTESTATION), "attestation");
        ck_assert_ptr_null(ae_ds_audit_kind_name(AE_DS_AUDIT_KIND_COUNT));
}
END_TEST

START_TEST(audit_is_append_only)
{
        struct ae_ds *ds = open_ds();
        struct ae_ds_audit a = { .time = 1, .kind = AE_DS_AUDIT_ATTESTATION };
        sqlite3 *db = NULL;

        ck_assert_int_eq(ae_ds_audit_append(ds, &a, NULL), 0);
        ae_ds_close(ds);
        ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(db, "UPDATE audit SET accepted = 1", NULL, NULL, NULL),
                         SQLITE_CONSTRAINT);
        ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL),
                         SQLITE_CONSTRAINT);
        sqlite3_close(db);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM audit WHERE accepted = 0"), 1);
}
END_TEST

/* ---- bundle ---- */

START_TEST(bundle_sequence_bumps)
{
        struct ae_ds *ds = open_ds();
        uint8_t root1[300], root2[500], key1[91];
        struct ae_ds_bundle b = { .trust_domain = "example.org" }, *got = NULL;
        uint64_t seq = 0;

        memset(root1, 0x30, sizeof(root1));
        memset(root2, 0x31, sizeof(root2));
        memset(key1, 0x32, sizeof(key1));
        ck_assert_int_eq(ae_ds_bundle_get(ds, "example.org", &got), -ENOENT);
        b.n_roots = 1;
        b.roots[0] = (struct ae_ds_bundle_root){ root1, sizeof(root1), 1800000000 };
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), 0);
        ck_assert_uint_eq(seq, 1);
        ck_assert_int_eq(ae_ds_bundle_get(ds, "example.org", &got), 0);
        ck_assert_uint_eq(got->sequence, 1);
        ck_assert_uint_eq(got->n_roots, 1);
        ck_assert_uint_eq(got->roots[0].der_len, sizeof(root1));
        ck_assert_mem_eq(got->roots[0].der, root1, sizeof(root1));
        ck_assert_int_eq(got->roots[0].not_after, 1800000000);
        ck_assert_uint_eq(got->n_jwt_keys, 0);
        ae_ds_bundle_free(got);

        /* Rotation: a second root and a JWT key. */
        b.n_roots = 2;
        b.roots[1] = (struct ae_ds_bundle_root){ root2, sizeof(root2), 1900000000 };
        b.n_jwt_keys = 1;
        strcpy(b.jwt_keys[0].kid, "k1");
        b.jwt_keys[0].public_key = key1;
        b.jwt_keys[0].public_key_len = sizeof(key1);
        b.jwt_keys[0].not_after = 1800000500;
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), 0);
        ck_assert_uint_eq(seq, 2);
        ck_assert_int_eq(ae_ds_bundle_get(ds, "example.org", &got), 0);
        ck_assert_uint_eq(got->sequence, 2);
        ck_assert_uint_eq(got->n_roots, 2);
        ck_assert_mem_eq(got->roots[1].der, root2, sizeof(root2));
        ck_assert_uint_eq(got->n_jwt_keys, 1);
        ck_assert_str_eq(got->jwt_keys[0].kid, "k1");
        ck_assert_mem_eq(got->jwt_keys[0].public_key, key1, sizeof(key1));
        ae_ds_bundle_free(got);

        /* The old root retired. */
        b.n_roots = 1;
        b.roots[0] = b.roots[1];
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, NULL), 0);

        /* Refused sets change nothing, the sequence included. */
        b.n_roots = 0;
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), -EINVAL);
        b.n_roots = AE_DS_BUNDLE_ROOTS_MAX + 1;
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), -E2BIG);
        b.n_roots = 1;
        b.n_jwt_keys = 2;
        b.jwt_keys[1] = b.jwt_keys[0]; /* repeated kid */
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), -EINVAL);
        b.n_jwt_keys = 1;
        b.roots[0].der_len = AE_DS_DER_MAX + 1;
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), -EINVAL);
        b.roots[0].der_len = sizeof(root2);
        strcpy(b.trust_domain, "Example.org");
        ck_assert_int_eq(ae_ds_bundle_set(ds, &b, &seq), -EINVAL);
        ck_assert_uint_eq(seq, 2);

        ck_assert_int_eq(ae_ds_bundle_get(ds, "example.org", &got), 0);
        ck_assert_uint_eq(got->sequence, 3);
        ck_assert_uint_eq(got->n_roots, 1);
        ck_assert_mem_eq(got->roots[0].der, root2, sizeof(root2));
        ae_ds_bundle_free(got);
        /* Other trust domains have their own. */
        ck_assert_int_eq(ae_ds_bundle_get(ds, "other.org", &got), -ENOENT);
        ae_ds_close(ds);
}
END_TEST

/* ---- threads ---- */

#define THREADS 4
#define PER_THREAD 40

struct worker {
        struct ae_ds *ds;
        int index;
        int failures;
};

static void *work(void *arg)
{
        struct worker *w = arg;
        struct ae_ds_entry *e = entry_new("spiffe://example.org/x", AGENT_A, 2), *got;
        struct ae_ds_audit a = { .kind = AE_DS_AUDIT_ATTESTATION, .accepted = true };
        char id[AE_DS_ENTRY_ID_SIZE];

        got = calloc(1, sizeof(*got));
        for (int i = 0; i < PER_THREAD; i++) {
                struct ae_ds_entry *v = NULL;
                size_t n = 0;

                snprintf(e->spiffe_id, sizeof(e->spiffe_id), "spiffe://example.org/t%d/w%d",
                         w->index, i);
                snprintf(e->selectors[1].value, sizeof(e->selectors[1].value), "gid:%d", i);
                if (ae_ds_entry_create(w->ds, e, id, NULL) < 0)
                        w->failures++;
                else if (ae_ds_entry_get(w->ds, id, got) < 0 ||
                         strcmp(got->spiffe_id, e->spiffe_id) != 0 || got->n_selectors != 2)
                        w->failures++;
                a.time = i;
                if (ae_ds_audit_append(w->ds, &a, NULL) < 0)
                        w->failures++;
                /* Readers see whole entries only. */
                if (ae_ds_entry_list(w->ds, NULL, 50, &v, &n) < 0)
                        w->failures++;
                for (size_t k = 0; k < n; k++)
                        if (v[k].n_selectors != 2)
                                w->failures++;
                free(v);
        }
        free(e);
        free(got);
        return NULL;
}

START_TEST(threads_consistent_counts)
{
        struct ae_ds *ds = open_ds();
        struct worker w[THREADS];
        pthread_t t[THREADS];
        struct ae_ds_entry *v = NULL;
        size_t n = 0, total = 0;
        char after[AE_DS_ENTRY_ID_SIZE] = "";

        for (int i = 0; i < THREADS; i++) {
                w[i] = (struct worker){ .ds = ds, .index = i };
                ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
        }
        for (int i = 0; i < THREADS; i++) {
                ck_assert_int_eq(pthread_join(t[i], NULL), 0);
                ck_assert_int_eq(w[i].failures, 0);
        }
        ck_assert_uint_eq(entry_count(ds), THREADS * PER_THREAD);
        /* Page through them all. */
        do {
                ck_assert_int_eq(ae_ds_entry_list(ds, after, 64, &v, &n), 0);
                total += n;
                if (n)
                        strcpy(after, v[n - 1].id);
                free(v);
        } while (n == 64);
        ck_assert_uint_eq(total, THREADS * PER_THREAD);
        ae_ds_close(ds);
        /* One audit record per create and one per append. */
        ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 2 * THREADS * PER_THREAD);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM entry_selectors"), 2 * THREADS * PER_THREAD);
        {
                char ok[16];

                raw_text("PRAGMA integrity_check", ok, sizeof(ok));
                ck_assert_str_eq(ok, "ok");
        }
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("datastore");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, migrates_from_empty);
        tcase_add_test(tc, migrates_older_file_keeping_data);
        tcase_add_test(tc, reopen_keeps_data);
        tcase_add_test(tc, newer_schema_refused_untouched);
        tcase_add_test(tc, foreign_files_refused);
        tcase_add_test(tc, symlink_refused);
        tcase_add_test(tc, entries_create_get_list_delete);
        tcase_add_test(tc, entry_duplicate_refused);
        tcase_add_loop_test(tc, entry_rejections, 0, (int)(sizeof(breakages) / sizeof(breakages[0])));
        tcase_add_test(tc, entry_reason_texts_distinct);
        tcase_add_test(tc, nodes_upsert_get_list);
        tcase_add_test(tc, node_failed_reattestation_keeps_data);
        tcase_add_test(tc, node_ban_and_svid);
        tcase_add_test(tc, node_ban_audited);
        tcase_add_test(tc, node_delete_audited);
        tcase_add_test(tc, node_invalid_refused);
        tcase_add_test(tc, audit_append_list_order);
        tcase_add_test(tc, audit_is_append_only);
        tcase_add_test(tc, bundle_sequence_bumps);
        tcase_add_test(tc, threads_consistent_counts);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return ae_check_run(suite());
}
