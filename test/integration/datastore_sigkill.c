/* The datastore under SIGKILL: a writer process (this binary with
 * --writer) creates entries, appends audit records, upserts nodes and
 * replaces the bundle as fast as it can, and reports each row on a pipe only
 * after the call that committed it returned. The parent kills it at a
 * random moment, twenty times over the same file, and after each kill
 * opens the file and checks: SQLite's integrity check passes, every row the
 * writer reported is there, and nothing is half-written (an entry without
 * its selectors or its audit record, a node whose selectors and zones come
 * from different upserts, a bundle mixing two sets). A kill during the
 * writer's first open can leave a half-migrated file: the parent's open
 * must finish it.
 *
 * Nothing about timing is asserted. The seed is printed; set
 * AEGIS_SIGKILL_SEED to repeat a run. */
#define _GNU_SOURCE /* pipe2 */
#include "control-plane/server/datastore.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"

#define ROUNDS 20
#define DELAY_MIN_MS 5
#define DELAY_MAX_MS 100
#define PARENT "spiffe://example.org/spire/agent/aegis_tpm/writer"
#define TD "example.org"

/* ---- the writer ---- */

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line to the pipe, in one write (under PIPE_BUF: never torn). */
static void report(const char *fmt, ...)
{
        char line[256];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        if (n <= 0 || (size_t)n >= sizeof(line) || write(STDOUT_FILENO, line, (size_t)n) != n)
                _exit(3);
}

static void writer_fail(const char *what, int r)
{
        fprintf(stderr, "writer: %s: %s (%s)\n", what, strerror(-r), ae_ds_errmsg());
        _exit(2);
}

static void write_entry(struct ae_ds *ds, struct ae_ds_entry *e, int round, long i)
{
        char id[AE_DS_ENTRY_ID_SIZE];
        int r;

        memset(e, 0, sizeof(*e));
        snprintf(e->spiffe_id, sizeof(e->spiffe_id), "spiffe://" TD "/r%d/w%ld", round, i);
        strcpy(e->parent_id, PARENT);
        e->n_selectors = 3;
        strcpy(e->selectors[0].type, "unix");
        snprintf(e->selectors[0].value, sizeof(e->selectors[0].value), "uid:%ld", i);
        strcpy(e->selectors[1].type, "unix");
        snprintf(e->selectors[1].value, sizeof(e->selectors[1].value), "gid:%d", round);
        strcpy(e->selectors[2].type, "aegis_tpm");
        strcpy(e->selectors[2].value, "geo_zone:eu-de");
        e->n_dns_names = 1;
        snprintf(e->dns_names[0], sizeof(e->dns_names[0]), "w%ld.r%d.example.org", i, round);
        r = ae_ds_entry_create(ds, e, id, NULL);
        if (r < 0)
                writer_fail("entry create", r);
        report("E %s\n", id);
}

static void write_audit(struct ae_ds *ds, int round, long i)
{
        struct ae_ds_audit a = { .time = time(NULL), .kind = AE_DS_AUDIT_ATTESTATION };
        int64_t seq;
        int r;

        a.accepted = i % 2;
        strcpy(a.reason, a.accepted ? "" : "quote_signature");
        snprintf(a.detail, sizeof(a.detail), "round %d attempt %ld", round, i);
        r = ae_ds_audit_append(ds, &a, &seq);
        if (r < 0)
                writer_fail("audit append", r);
        report("A %lld\n", (long long)seq);
}

/* k selectors, k zones and pcr_policy "k<k>": all from one upsert or the
 * node is torn. */
static void write_node(struct ae_ds *ds, struct ae_ds_node *n, int round, long i)
{
        int slot = (int)(i % 7), k = (int)(i % 5) + 1, r;

        memset(n, 0, sizeof(*n));
        snprintf(n->spiffe_id, sizeof(n->spiffe_id),
                 "spiffe://" TD "/spire/agent/aegis_tpm/r%dn%d", round, slot);
        n->ek_id[0] = (uint8_t)round;
        n->ek_id[1] = (uint8_t)slot;
        n->replay.known = true;
        n->replay.clock = (uint64_t)i;
        n->n_selectors = (size_t)k;
        n->n_zones = (size_t)k;
        for (int j = 0; j < k; j++) {
                strcpy(n->selectors[j].type, "aegis_tpm");
                snprintf(n->selectors[j].value, sizeof(n->selectors[j].value), "geo_zone:z%d", j);
                snprintf(n->zones[j], sizeof(n->zones[j]), "z%d", j);
        }
        n->level = AE_DS_LEVEL_POG;
        snprintf(n->pcr_policy, sizeof(n->pcr_policy), "k%d", k);
        n->pcr_digest_len = 32;
        n->ak_name_len = 34;
        n->attested_at = time(NULL);
        r = ae_ds_node_upsert(ds, n);
        if (r < 0)
                writer_fail("node upsert", r);
        report("N %s\n", n->spiffe_id);
}

/* n roots and n keys, every root 64 * n bytes of the value n. */
static void write_bundle(struct ae_ds *ds, long i)
{
        static uint8_t blob[64 * 4];
        struct ae_ds_bundle b = { .trust_domain = TD };
        size_t n = (size_t)(i % 4) + 1;
        uint64_t seq;
        int r;

        memset(blob, (int)n, sizeof(blob));
        b.n_roots = b.n_jwt_keys = n;
        for (size_t j = 0; j < n; j++) {
                b.roots[j] = (struct ae_ds_bundle_root){ blob, 64 * n, 2000000000 };
                snprintf(b.jwt_keys[j].kid, sizeof(b.jwt_keys[j].kid), "k%zu", j);
                b.jwt_keys[j].public_key = blob;
                b.jwt_keys[j].public_key_len = 64 * n;
        }
        r = ae_ds_bundle_set(ds, &b, &seq);
        if (r < 0)
                writer_fail("bundle set", r);
        report("B %llu\n", (unsigned long long)seq);
}

static int writer(const char *path, int round)
{
        struct ae_ds_entry *e = malloc(sizeof(*e));
        struct ae_ds_node *n = malloc(sizeof(*n));
        struct ae_ds *ds = NULL;
        int r;

        if (!e || !n)
                return 2;
        r = ae_ds_open(path, &ds);
        if (r < 0)
                writer_fail("open", r);
        for (long i = 0;; i++) {
                write_entry(ds, e, round, i);
                write_audit(ds, round, i);
                if (i % 3 == 0)
                        write_node(ds, n, round, i);
                if (i % 5 == 0)
                        write_bundle(ds, i);
        }
}

/* ---- the parent ---- */

struct reported {
        char (*entries)[AE_DS_ENTRY_ID_SIZE];
        size_t n_entries, cap_entries;
        int64_t *audit;
        size_t n_audit, cap_audit;
        char (*nodes)[AE_SPIFFE_ID_SIZE];
        size_t n_nodes, cap_nodes;
        uint64_t bundle_seq;
};

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
        if (n < *cap)
                return v;
        *cap = *cap ? *cap * 2 : 64;
        v = realloc(v, *cap * size);
        ck_assert_ptr_nonnull(v);
        return v;
}

static void parse_line(struct reported *rep, const char *line)
{
        switch (line[0]) {
        case 'E':
                rep->entries = grow(rep->entries, &rep->cap_entries, rep->n_entries,
                                    sizeof(*rep->entries));
                ck_assert_uint_eq(strlen(line + 2), AE_DS_ENTRY_ID_MAX);
                strcpy(rep->entries[rep->n_entries++], line + 2);
                break;
        case 'A':
                rep->audit = grow(rep->audit, &rep->cap_audit, rep->n_audit, sizeof(*rep->audit));
                rep->audit[rep->n_audit++] = strtoll(line + 2, NULL, 10);
                break;
        case 'N':
                rep->nodes = grow(rep->nodes, &rep->cap_nodes, rep->n_nodes, sizeof(*rep->nodes));
                ck_assert_uint_lt(strlen(line + 2), AE_SPIFFE_ID_SIZE);
                strcpy(rep->nodes[rep->n_nodes++], line + 2);
                break;
        case 'B': {
                uint64_t seq = strtoull(line + 2, NULL, 10);

                if (seq > rep->bundle_seq)
                        rep->bundle_seq = seq;
                break;
        }
        default:
                ck_abort_msg("writer said \"%s\"", line);
        }
}

/* Read what the pipe has, splitting lines into rep. timeout_ms < 0: until
 * EOF. Returns false at EOF. */
static bool drain(int fd, char *buf, size_t *len, size_t cap, struct reported *rep,
                  int timeout_ms)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t n;
        char *nl;

        if (poll(&p, 1, timeout_ms) == 0)
                return true;
        n = read(fd, buf + *len, cap - *len - 1);
        if (n < 0 && errno == EINTR)
                return true;
        ck_assert_int_ge(n, 0);
        if (n == 0) {
                ck_assert_msg(*len == 0, "torn line from the writer");
                return false;
        }
        *len += (size_t)n;
        buf[*len] = '\0';
        while ((nl = strchr(buf, '\n'))) {
                *nl = '\0';
                parse_line(rep, buf);
                memmove(buf, nl + 1, *len - (size_t)(nl + 1 - buf) + 1);
                *len -= (size_t)(nl + 1 - buf);
        }
        return true;
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One writer run, killed after delay_ms. */
static void run_round(const char *path, int round, int delay_ms, struct reported *rep)
{
        char buf[4096], round_s[16];
        size_t len = 0;
        int fds[2], status;
        int64_t deadline;
        pid_t pid;

        ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
        snprintf(round_s, sizeof(round_s), "%d", round);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (dup2(fds[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execl("/proc/self/exe", "datastore_sigkill", "--writer", path, round_s,
                      (char *)NULL);
                _exit(127);
        }
        close(fds[1]);
        deadline = now_ms() + delay_ms;
        for (int64_t left; (left = deadline - now_ms()) > 0;)
                if (!drain(fds[0], buf, &len, sizeof(buf), rep, (int)left))
                        break;
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "round %d: writer ended on its own (status 0x%x)", round, status);
        while (drain(fds[0], buf, &len, sizeof(buf), rep, -1))
                ;
        close(fds[0]);
}

static int64_t query_int(sqlite3 *db, const char *sql, const char *text, int64_t num)
{
        sqlite3_stmt *s = NULL;
        int64_t v;

        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        if (text)
                ck_assert_int_eq(sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC), SQLITE_OK);
        else if (sqlite3_bind_parameter_count(s) > 0)
                ck_assert_int_eq(sqlite3_bind_int64(s, 1, num), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
        v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return v;
}

/* The file as the kill left it, as SQLite sees it with no datastore code
 * in between: its pages and its foreign keys. */
static void check_integrity(const char *path)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *s = NULL;

        ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL),
                         SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "ok");
        sqlite3_finalize(s);
        ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL),
                         SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
        sqlite3_finalize(s);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* The rows, read with plain SQL (after ae_ds_open has finished any
 * migration the kill interrupted, so every table exists). */
static void check_rows(const char *path, const struct reported *rep)
{
        sqlite3 *db = NULL;

        ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        /* Every entry whole: 3 selectors, 1 DNS name, its audit record. */
        ck_assert_int_eq(query_int(db,
                                   "SELECT count(*) FROM entries e WHERE"
                                   " (SELECT count(*) FROM entry_selectors s WHERE s.entry_id = e.id) != 3"
                                   " OR (SELECT count(*) FROM entry_dns_names d WHERE d.entry_id = e.id) != 1"
                                   " OR NOT EXISTS (SELECT 1 FROM audit a WHERE a.kind = 'entry_created'"
                                   "  AND substr(a.detail, 1, 36) = e.id)",
                                   NULL, 0),
                         0);
        ck_assert_int_eq(query_int(db,
                                   "SELECT count(*) FROM audit a WHERE a.kind = 'entry_created'"
                                   " AND NOT EXISTS (SELECT 1 FROM entries e"
                                   "  WHERE e.id = substr(a.detail, 1, 36))",
                                   NULL, 0),
                         0);
        /* Each reported audit record is there. */
        for (size_t i = 0; i < rep->n_audit; i++)
                ck_assert_int_eq(query_int(db, "SELECT count(*) FROM audit WHERE seq = ?1"
                                                " AND kind = 'attestation'",
                                           NULL, rep->audit[i]),
                                 1);
        /* At most one committed-but-unreported row per kill. */
        ck_assert_int_le(query_int(db, "SELECT count(*) FROM entries", NULL, 0) -
                                 (int64_t)rep->n_entries,
                         ROUNDS);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

static void check_through_datastore(const char *path, const struct reported *rep)
{
        struct ae_ds_entry *e = malloc(sizeof(*e));
        struct ae_ds_node *v = NULL;
        struct ae_ds_bundle *b = NULL;
        struct ae_ds *ds = NULL;
        size_t n = 0;

        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(ae_ds_open(path, &ds), 0);
        for (size_t i = 0; i < rep->n_entries; i++) {
                ck_assert_msg(ae_ds_entry_get(ds, rep->entries[i], e) == 0,
                              "committed entry %s lost", rep->entries[i]);
                ck_assert_uint_eq(e->n_selectors, 3);
        }
        for (size_t i = 0; i < rep->n_nodes; i++) {
                struct ae_ds_node *one = malloc(sizeof(*one));

                ck_assert_ptr_nonnull(one);
                ck_assert_msg(ae_ds_node_get(ds, rep->nodes[i], one) == 0,
                              "committed node %s lost", rep->nodes[i]);
                free(one);
        }
        ck_assert_int_eq(ae_ds_node_list(ds, NULL, AE_DS_LIST_MAX, &v, &n), 0);
        for (size_t i = 0; i < n; i++) {
                char want[16];

                snprintf(want, sizeof(want), "k%zu", v[i].n_selectors);
                ck_assert_uint_eq(v[i].n_zones, v[i].n_selectors);
                ck_assert_str_eq(v[i].pcr_policy, want);
        }
        free(v);
        if (rep->bundle_seq) {
                ck_assert_int_eq(ae_ds_bundle_get(ds, TD, &b), 0);
                ck_assert_uint_ge(b->sequence, rep->bundle_seq);
                ck_assert_uint_eq(b->n_jwt_keys, b->n_roots);
                for (size_t i = 0; i < b->n_roots; i++) {
                        ck_assert_uint_eq(b->roots[i].der_len, 64 * b->n_roots);
                        for (size_t j = 0; j < b->roots[i].der_len; j++)
                                ck_assert_uint_eq(b->roots[i].der[j], b->n_roots);
                }
                ae_ds_bundle_free(b);
        }
        ae_ds_close(ds);
        free(e);
}

START_TEST(sigkill_loses_nothing_committed)
{
        char dir[] = "/tmp/aegis-ds-kill-XXXXXX", path[64], cmd[96];
        struct reported rep = { 0 };
        const char *env = getenv("AEGIS_SIGKILL_SEED");
        unsigned seed = env ? (unsigned)strtoul(env, NULL, 10)
                            : (unsigned)time(NULL) ^ (unsigned)getpid();

        fprintf(stderr, "datastore_sigkill: seed %u\n", seed);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/aegis.db", dir);
        for (int round = 0; round < ROUNDS; round++) {
                int delay = DELAY_MIN_MS + (int)(rand_r(&seed) % (DELAY_MAX_MS - DELAY_MIN_MS + 1));

                run_round(path, round, delay, &rep);
                if (access(path, F_OK) != 0)
                        continue; /* killed before it made the file */
                check_integrity(path);
                check_through_datastore(path, &rep);
                check_rows(path, &rep);
        }
        fprintf(stderr,
                "datastore_sigkill: %d rounds, %zu entries, %zu audit records, %zu node upserts, "
                "bundle sequence %llu reported and found\n",
                ROUNDS, rep.n_entries, rep.n_audit, rep.n_nodes,
                (unsigned long long)rep.bundle_seq);
        free(rep.entries);
        free(rep.audit);
        free(rep.nodes);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(int argc, char **argv)
{
        Suite *s;
        TCase *tc;

        if (argc == 4 && strcmp(argv[1], "--writer") == 0)
                return writer(argv[2], atoi(argv[3]));
        s = suite_create("datastore_sigkill");
        tc = tcase_create("sigkill");
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, sigkill_loses_nothing_committed);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
