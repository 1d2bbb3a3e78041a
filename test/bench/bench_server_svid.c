/* BatchNewX509SVID through aegis-server, the way an agent calls it: TLS,
 * AttestAgent through the fixture's TPM, then mTLS with the agent SVID
 * (control-plane/agent/server_client.h). The CSRs are made before anything
 * is timed, one key per entry.
 *
 *   bench_server_svid ADDR BUNDLE TD TCTI ENTRIES [SECONDS]
 *
 * ENTRIES holds "<entry id> <spiffe id>" lines (up to BATCH_BIG of them),
 * entries the server authorises for this node and that name a code hash,
 * so every SVID carries the attestation claims. For each shape (batch of 1
 * or of BATCH_BIG CSRs, from 1 or CONNS_MANY connections, each connection
 * its own TLS session and its own thread) calls run back to back for
 * SECONDS (default 3):
 *
 *   server_x509_b<B>_c<C>      SVIDs per second over the wall time; ref:
 *                              the issuer library's mints per second on
 *                              one core (ae_x509_svid_mint, P-256 CA,
 *                              claims, as bench_svid_mint measures it,
 *                              taken right before each shape),
 *                              ratio = value / ref (higher is better; the
 *                              server has two workers on this 2-core
 *                              machine, and shares it with this client)
 *   server_x509_b<B>_c<C>_p50  per-call latency (ms); ref: B library mints
 *   server_x509_b<B>_c<C>_p99  (ms), ratio = ref / value (higher is better)
 *
 * Every result is checked: status OK, the entry's SPIFFE ID, the leaf
 * carrying that SPIFFE ID and the CSR's public key; the first SVID on each
 * connection is verified in full (leaf rules, chain to BUNDLE). A refusal
 * or a wrong SVID fails the run (exit 1). Nothing is asserted about time. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <protobuf-c/protobuf-c.h>

#include "common/file.h"
#include "bench_ca.h"
#include "ca_test_util.h"
#include "common/ossl.h"
#include "control-plane/agent/server_client.h"
#include "node-attestor/tpm/node_agent.h"
#include "spire/api/server/svid/v1/svid.pb-c.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "svid-issuer/key_gen.h"
#include "svid-issuer/rp_leaf.h"
#include "svid-issuer/x509_svid.h"

#define BATCH_BIG 50
#define CONNS_MANY 4
#define CALLS_MAX 200000 /* latencies kept per connection */
#define REF_ROUNDS 7
#define REF_SECONDS 0.25

typedef Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse BatchResponse;

/* One entry and the request made for it. */
struct csr {
        char entry_id[64];
        char spiffe_id[AE_SPIFFE_ID_SIZE];
        uint8_t *der;
        size_t len;
        unsigned char *spki; /* the key's SubjectPublicKeyInfo, DER */
        size_t spki_len;
};

struct shape {
        size_t batch, conns;
};

/* One connection's run. */
struct worker {
        struct ae_server_conn *conn;
        const struct csr *csrs;
        size_t n_csrs, batch;
        double deadline_offset_s;
        pthread_barrier_t *start;
        double t_start, t_end;
        double *lat;
        size_t calls, svids;
        int failed;
};

int main(int argc, char **argv);

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noreturn)) static void die(const char *what, const char *why)
{
        fprintf(stderr, "bench_server_svid: %s: %s\n", what, why);
        exit(1);
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

/* The p-quantile of v[0..n), sorted. */
static double pct(const double *v, size_t n, double p)
{
        return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

static char *slurp(const char *path)
{
        uint8_t *data = NULL;
        size_t len;
        char *s;

        if (ae_file_read(path, 1 << 20, &data, &len) < 0)
                die(path, "cannot read");
        s = realloc(data, len + 1);
        if (!s)
                die(path, "out of memory");
        s[len] = '\0';
        return s;
}

/* ---- the reference: the issuer library's mint rate ---- */

/* Mints per second on this thread, best of REF_ROUNDS rounds. */
static double mint_rate(const char *spiffe_id)
{
        struct ae_ca_options o = { .trust_domain = "aegis.test", .key_type = AE_CA_KEY_P256 };
        _cleanup_(ae_ca_freep) struct ae_ca *ca = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        char dir[] = "/tmp/aegis-bench-server-XXXXXX";
        struct ae_claims claims;
        struct ae_x509_svid_request req = { .spiffe_id = spiffe_id, .claims = &claims };
        enum ae_svid_reason why;
        time_t at = time(NULL);
        double best = 0;

        if (!mkdtemp(dir))
                die("reference", "no scratch directory");
        if (ae_ca_init(dir, &o, at, &why) < 0 || ae_ca_load(dir, at, &ca, &why) < 0 ||
            ae_svid_key_generate(AE_CA_KEY_P256, &key) < 0) {
                bench_remove_ca(dir);
                die("reference", "no CA");
        }
        ctu_claims(&claims, spiffe_id);
        req.public_key = key;
        for (int round = 0; round < REF_ROUNDS; round++) {
                double t0 = now(), t;
                long n = 0;

                do {
                        X509 *leaf = NULL;

                        if (ae_x509_svid_mint(ca, &req, at, &leaf, &why) < 0) {
                                bench_remove_ca(dir);
                                die("reference", ae_svid_reason_str(why));
                        }
                        X509_free(leaf);
                        n++;
                } while ((t = now() - t0) < REF_SECONDS);
                if ((double)n / t > best)
                        best = (double)n / t;
        }
        bench_remove_ca(dir);
        return best;
}

/* ---- setup ---- */

static size_t read_entries(const char *path, struct csr *out, size_t max)
{
        FILE *f = fopen(path, "r");
        char line[512];
        size_t n = 0;

        if (!f)
                die(path, strerror(errno));
        while (n < max && fgets(line, sizeof(line), f)) {
                if (sscanf(line, "%63s %255s", out[n].entry_id, out[n].spiffe_id) == 2)
                        n++;
        }
        fclose(f);
        if (n == 0)
                die(path, "no entries");
        return n;
}

/* A key and its CSR per entry: all made before anything is timed. */
static void make_csrs(struct csr *c, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
                int len;

                if (ae_svid_key_generate(AE_CA_KEY_P256, &key) < 0 ||
                    ae_server_make_csr(key, &c[i].der, &c[i].len) < 0)
                        die("CSR", "cannot make one");
                len = i2d_PUBKEY(key, &c[i].spki);
                if (len <= 0)
                        die("CSR", "no SubjectPublicKeyInfo");
                c[i].spki_len = (size_t)len;
        }
}

static void attest(const struct ae_server_client_config *cfg, const char *tcti,
                   struct ae_agent_identity *ret)
{
        struct ae_node_agent_config ac = { .tcti = tcti, .ek_alg = AE_TPM_EK_RSA2048,
                                           .ak_alg = AE_TPM_AK_ECC_P256 };
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *tpm = NULL;
        struct ae_grpc_status st = { 0 };
        int r = ae_node_agent_open(&ac, &tpm);

        if (r < 0)
                die("TPM", strerror(-r));
        r = ae_server_attest(cfg, NULL, tpm, NULL, 0, NULL, 0, ret, &st);
        if (r < 0)
                die("AttestAgent", st.message[0] ? st.message : strerror(-r));
}

/* ---- checks ---- */

/* The result for c: status OK, c's SPIFFE ID, a leaf naming it and holding
 * c's key. NULL, or what is wrong. */
static const char *check_result(const Spire__Api__Server__Svid__V1__BatchNewX509SVIDResponse__Result *res,
                                const struct csr *c)
{
        const Spire__Api__Types__X509SVID *svid = res->svid;
        char id[AE_SPIFFE_ID_SIZE];
        const ProtobufCBinaryData *leaf;

        if (res->status->code != 0)
                return res->status->message && res->status->message[0] ? res->status->message
                                                                       : "refused";
        if (!svid || !svid->id || !svid->id->trust_domain || !svid->id->path ||
            svid->n_cert_chain == 0)
                return "result without an SVID";
        snprintf(id, sizeof(id), "spiffe://%s%s", svid->id->trust_domain, svid->id->path);
        if (strcmp(id, c->spiffe_id) != 0)
                return "SVID for another SPIFFE ID";
        leaf = &svid->cert_chain[0];
        if (!memmem(leaf->data, leaf->len, c->spki, c->spki_len))
                return "leaf without the CSR's key";
        if (!memmem(leaf->data, leaf->len, c->spiffe_id, strlen(c->spiffe_id)))
                return "leaf without the SPIFFE ID";
        return NULL;
}

/* The first SVID on a connection in full: leaf rules, the SPIFFE ID, the
 * chain to the bundle. */
static void verify_full(const Spire__Api__Types__X509SVID *svid, const struct csr *c,
                        X509_STORE *roots)
{
        _cleanup_(ae_x509_stack_freep) STACK_OF(X509) *rest = sk_X509_new_null();
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        _cleanup_(X509_freep) X509 *leaf = NULL;
        struct ae_spiffe_id sid;
        enum ae_rp_reason why;
        char text[AE_SPIFFE_ID_SIZE];

        if (!rest || !ctx)
                die("verify", "out of memory");
        for (size_t i = 0; i < svid->n_cert_chain; i++) {
                const unsigned char *p = svid->cert_chain[i].data;
                X509 *x = d2i_X509(NULL, &p, (long)svid->cert_chain[i].len);

                if (!x)
                        die("verify", "chain does not parse");
                if (i == 0)
                        leaf = x;
                else if (!sk_X509_push(rest, x))
                        die("verify", "out of memory");
        }
        if (ae_rp_leaf_check(leaf, &sid, &why, NULL) < 0 ||
            ae_spiffe_id_format(&sid, text, sizeof(text), NULL) < 0 ||
            strcmp(text, c->spiffe_id) != 0)
                die("verify", "leaf is not an X509-SVID for its entry");
        if (X509_STORE_CTX_init(ctx, roots, leaf, rest) != 1 || X509_verify_cert(ctx) != 1)
                die("verify", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
}

/* ---- the calls ---- */

/* One call of n CSRs from c[first..] (wrapping); the number of SVIDs, all
 * checked, or -1 with the reason printed. With roots, the first SVID is
 * verified in full. */
static int call(struct ae_server_conn *conn, const struct csr *c, size_t n_csrs, size_t first,
                size_t n, X509_STORE *roots)
{
        struct ae_server_csr p[BATCH_BIG] = { 0 };
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *m = NULL;
        BatchResponse *resp;
        const char *why = NULL;
        size_t bad = 0;
        int r;

        for (size_t i = 0; i < n && i < BATCH_BIG; i++) {
                const struct csr *ci = &c[(first + i) % n_csrs];

                p[i] = (struct ae_server_csr){ ci->entry_id, ci->der, ci->len };
        }
        r = ae_server_conn_x509_batch(conn, p, n, &m, &st);
        if (r < 0) {
                fprintf(stderr, "bench_server_svid: BatchNewX509SVID: %s (%d %s)\n",
                        strerror(-r), (int)st.code, st.message);
                return -1;
        }
        resp = (BatchResponse *)m;
        for (size_t i = 0; !why && i < n; i++) {
                bad = (first + i) % n_csrs;
                why = check_result(resp->results[i], &c[bad]);
        }
        if (why)
                fprintf(stderr, "bench_server_svid: entry %s (%s): %s\n", c[bad].entry_id,
                        c[bad].spiffe_id, why); /* why may live in m */
        else if (roots)
                verify_full(resp->results[0]->svid, &c[first % n_csrs], roots);
        protobuf_c_message_free_unpacked(m, NULL);
        return why ? -1 : (int)n;
}

static void *run(void *arg)
{
        struct worker *w = arg;
        size_t next = 0;
        double deadline;

        pthread_barrier_wait(w->start);
        w->t_start = now();
        deadline = w->t_start + w->deadline_offset_s;
        do {
                double t0 = now();
                int n = call(w->conn, w->csrs, w->n_csrs, next, w->batch, NULL);

                if (n < 0) {
                        w->failed = 1;
                        break;
                }
                w->lat[w->calls++] = now() - t0;
                w->svids += (size_t)n;
                next = (next + w->batch) % w->n_csrs;
        } while (now() < deadline && w->calls < CALLS_MAX);
        w->t_end = now();
        return NULL;
}

static void run_shape(const struct ae_server_client_config *cfg,
                      const struct ae_agent_identity *id, const struct csr *csrs, size_t n_csrs,
                      struct shape sh, double seconds, double ref, X509_STORE *roots)
{
        struct worker w[CONNS_MANY];
        pthread_t th[CONNS_MANY];
        pthread_barrier_t start;
        double *all, t0 = 1e300, t1 = 0, per_call_ref;
        size_t calls = 0, svids = 0, k = 0;
        char name[64];

        pthread_barrier_init(&start, NULL, (unsigned)sh.conns);
        for (size_t i = 0; i < sh.conns; i++) {
                w[i] = (struct worker){ .csrs = csrs, .n_csrs = n_csrs, .batch = sh.batch,
                                        .deadline_offset_s = seconds, .start = &start };
                w[i].lat = malloc(CALLS_MAX * sizeof(double));
                if (!w[i].lat || ae_server_conn_new(cfg, id, &w[i].conn) < 0)
                        die("connection", "cannot make one");
                /* The handshake and a first SVID, verified in full: untimed. */
                if (call(w[i].conn, csrs, n_csrs, i, 1, roots) < 0)
                        die("first call", "failed");
        }
        for (size_t i = 0; i < sh.conns; i++)
                if (pthread_create(&th[i], NULL, run, &w[i]) != 0)
                        die("thread", "cannot start");
        for (size_t i = 0; i < sh.conns; i++)
                pthread_join(th[i], NULL);
        pthread_barrier_destroy(&start);
        for (size_t i = 0; i < sh.conns; i++) {
                if (w[i].failed)
                        exit(1);
                calls += w[i].calls;
                svids += w[i].svids;
                t0 = w[i].t_start < t0 ? w[i].t_start : t0;
                t1 = w[i].t_end > t1 ? w[i].t_end : t1;
        }
        all = malloc(calls * sizeof(double));
        if (!all)
                die("latencies", "out of memory");
        for (size_t i = 0; i < sh.conns; i++) {
                memcpy(all + k, w[i].lat, w[i].calls * sizeof(double));
                k += w[i].calls;
                free(w[i].lat);
                ae_server_conn_free(w[i].conn);
        }
        qsort(all, calls, sizeof(double), cmp_double);
        per_call_ref = (double)sh.batch / ref * 1e3;
        snprintf(name, sizeof(name), "server_x509_b%zu_c%zu", sh.batch, sh.conns);
        printf("BENCH %s value=%.0f unit=svids/s ref=%.0f ratio=%.3f calls=%zu\n", name,
               (double)svids / (t1 - t0), ref, (double)svids / (t1 - t0) / ref, calls);
        printf("BENCH %s_p50 value=%.3f unit=ms ref=%.3f ratio=%.3f\n", name,
               pct(all, calls, 0.50) * 1e3, per_call_ref, per_call_ref / (pct(all, calls, 0.50) * 1e3));
        printf("BENCH %s_p99 value=%.3f unit=ms ref=%.3f ratio=%.3f\n", name,
               pct(all, calls, 0.99) * 1e3, per_call_ref, per_call_ref / (pct(all, calls, 0.99) * 1e3));
        fflush(stdout);
        free(all);
}

static X509_STORE *load_roots(const char *pem)
{
        X509_STORE *store = X509_STORE_new();
        BIO *b = BIO_new_mem_buf(pem, -1);
        X509 *x;
        int n = 0;

        if (!store || !b)
                die("bundle", "out of memory");
        while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                if (X509_STORE_add_cert(store, x) != 1)
                        die("bundle", "cannot add a root");
                X509_free(x);
                n++;
        }
        BIO_free(b);
        if (n == 0)
                die("bundle", "no certificate");
        return store;
}

int main(int argc, char **argv)
{
        static const struct shape shapes[] = {
                { 1, 1 }, { BATCH_BIG, 1 }, { 1, CONNS_MANY }, { BATCH_BIG, CONNS_MANY },
        };
        struct ae_server_client_config cfg = { .server_name = "localhost" };
        struct ae_agent_identity id;
        struct csr csrs[BATCH_BIG];
        X509_STORE *roots;
        double seconds = 3, ref;
        size_t n;
        char *bundle;

        if (argc != 6 && argc != 7) {
                fprintf(stderr, "usage: bench_server_svid ADDR BUNDLE TD TCTI ENTRIES [SECONDS]\n");
                return 2;
        }
        if (argc == 7)
                seconds = atof(argv[6]);
        memset(csrs, 0, sizeof(csrs));
        bundle = slurp(argv[2]);
        roots = load_roots(bundle);
        cfg.address = argv[1];
        cfg.bundle_pem = bundle;
        cfg.trust_domain = argv[3];
        n = read_entries(argv[5], csrs, BATCH_BIG);
        make_csrs(csrs, n);
        attest(&cfg, argv[4], &id);
        fprintf(stderr, "bench_server_svid: attested as %s, %zu entries\n", id.spiffe_id, n);

        for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
                struct shape sh = shapes[i];

                if (sh.batch > n)
                        sh.batch = n;
                /* Taken right before each shape: the machine is shared. */
                ref = mint_rate(csrs[0].spiffe_id);
                run_shape(&cfg, &id, csrs, n, sh, seconds, ref, roots);
        }
        for (size_t i = 0; i < n; i++) {
                OPENSSL_free(csrs[i].der);
                OPENSSL_free(csrs[i].spki);
        }
        X509_STORE_free(roots);
        ae_agent_identity_clear(&id);
        free(bundle);
        return 0;
}
