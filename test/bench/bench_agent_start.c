/* From exec of aegis-agent to a workload's first X.509-SVID, with
 * aegis-server already running and an entry registered for the workload
 * (this program's own executable, by its sha256):
 *
 *   bench_agent_start AGENT CONFIG SOCKET SPIFFE_ID LOGDIR RUNS
 *                     ADDR BUNDLE TD TCTI ENTRY_ID
 *
 * Each run execs AGENT -config CONFIG (its log in LOGDIR), then acts as
 * the workload: connects to SOCKET as soon as it accepts, and calls
 * FetchX509SVID every POLL_MS until the SVID comes (before the agent has
 * synced, the agent answers PermissionDenied or Unavailable, as SPIFFE
 * clients expect); then stops the agent with SIGTERM. One run first, not
 * counted, warms the page cache. The agent's log (millisecond timestamps)
 * splits each run: exec to "serving the Workload API" (process start),
 * to "node attested" (the TPM and the AttestAgent round trip), to the
 * workload's SVID (first sync: bundle, entries, a key and
 * BatchNewX509SVID; then the Workload API).
 *
 * Reference, in the same run after each agent run: the same work without
 * the daemon. exec of AGENT -h to its exit (the loader and libraries);
 * from this process through server_client.h: the TPM opened and
 * AttestAgent (ADDR, BUNDLE, TD, TCTI), then GetBundle,
 * GetAuthorizedEntries, a key and BatchNewX509SVID for ENTRY_ID, as the
 * agent's first sync does. Lines (ms; ratio = ref / value, higher is
 * better, 1 would be no cost beyond the protocol's own steps):
 *
 *   agent_start_first_svid_{p50,p99,min}   total; ref: the reference's sum
 *   agent_start_{exec,attest,sync}_p50     the phases; ref: their parts
 *
 * A refusal other than those two, a wrong SVID (another SPIFFE ID, a key
 * that is not the certificate's), or an agent that exits on its own or
 * not with 0 on SIGTERM fail the run (exit 1). Nothing is asserted about
 * time. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/file.h"
#include "common/grpc_client.h"
#include "common/ossl.h"
#include "control-plane/agent/server_client.h"
#include "control-plane/agent/svid_source.h"
#include "node-attestor/tpm/node_agent.h"
#include "spiffe/workload.pb-c.h"
#include "svid-issuer/key_gen.h"

#define RUNS_MAX 100
#define POLL_MS 2
#define DEADLINE_S 30.0

struct run {
        double total, exec, attest, sync;
        double tpm_open; /* reference only: the part of attest opening the TPM */
};

int main(int argc, char **argv);

static pid_t agent_pid; /* the agent running now, for die() */

static double mono(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void stop_agent(void)
{
        if (agent_pid > 0) {
                (void)kill(agent_pid, SIGKILL);
                (void)waitpid(agent_pid, NULL, 0);
                agent_pid = 0;
        }
}

__attribute__((noreturn)) static void die(const char *what, const char *why)
{
        fprintf(stderr, "bench_agent_start: %s: %s\n", what, why);
        exit(1);
}

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

/* The p-quantile of n values (copied and sorted). */
static double pct(const double *v, size_t n, double p)
{
        double s[RUNS_MAX];

        memcpy(s, v, n * sizeof(double));
        qsort(s, n, sizeof(double), cmp_double);
        return s[(size_t)(p * (double)(n - 1) + 0.5)];
}

/* ---- the agent ---- */

static pid_t spawn(const char *bin, const char *config, const char *log, bool help)
{
        int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
        int err = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                      : open("/dev/null", O_WRONLY | O_CLOEXEC);
        pid_t pid;

        if (out < 0 || err < 0)
                die(log ? log : "/dev/null", strerror(errno));
        pid = fork();
        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
                        _exit(127);
                if (help)
                        execl(bin, bin, "-h", (char *)NULL);
                else
                        execl(bin, bin, "-config", config, (char *)NULL);
                _exit(127);
        }
        close(out);
        close(err);
        return pid;
}

static bool exited(pid_t pid)
{
        int status;

        return waitpid(pid, &status, WNOHANG) == pid;
}

/* Until SOCKET accepts a connection (the probe connection is closed). */
static void wait_socket(const char *path, double deadline)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        for (;;) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (fd < 0)
                        die("socket", strerror(errno));
                if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
                        close(fd);
                        return;
                }
                close(fd);
                if (exited(agent_pid)) {
                        agent_pid = 0;
                        die("aegis-agent", "exited before serving");
                }
                if (mono() > deadline)
                        die("aegis-agent", "not serving within the deadline");
                sleep_ms(1);
        }
}

/* The response's first SVID is want's, and its key is the certificate's. */
static void check_svid(const X509SVIDResponse *resp, const char *want)
{
        const X509SVID *s = resp->n_svids ? resp->svids[0] : NULL;
        _cleanup_(X509_freep) X509 *leaf = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        const unsigned char *p;

        if (!s || !s->spiffe_id || strcmp(s->spiffe_id, want) != 0)
                die("FetchX509SVID", "not the entry's SVID");
        p = s->x509_svid.data;
        leaf = d2i_X509(NULL, &p, (long)s->x509_svid.len);
        p = s->x509_svid_key.data;
        key = d2i_AutoPrivateKey(NULL, &p, (long)s->x509_svid_key.len);
        if (!leaf || !key || X509_check_private_key(leaf, key) != 1)
                die("FetchX509SVID", "the key is not the certificate's");
}

/* 0 with the SVID checked; 1 to try again (not synced yet), the answer in
 * *last. */
static int fetch(struct ae_grpc_client *c, const char *want, struct ae_grpc_status *last)
{
        static const struct ae_grpc_md md[] = { { "workload.spiffe.io", "true" } };
        const struct ae_grpc_call_opts o = { .md = md, .n_md = 1, .timeout_ms = 10000 };
        X509SVIDRequest req = X509_SVIDREQUEST__INIT;
        struct ae_grpc_client_stream *s = NULL;
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *m = NULL;
        int r;

        r = ae_grpc_client_stream_open(c, "/SpiffeWorkloadAPI/FetchX509SVID", &o, &req.base, &s);
        if (r == 0)
                r = ae_grpc_client_stream_read(s, &x509_svidresponse__descriptor, &m, &st);
        ae_grpc_client_stream_free(s);
        if (r == -EREMOTEIO && (st.code == GRPC_STATUS_PERMISSION_DENIED ||
                                st.code == GRPC_STATUS_UNAVAILABLE)) {
                *last = st;
                return 1;
        }
        if (r < 0) {
                fprintf(stderr, "bench_agent_start: FetchX509SVID: %s (%d %s)\n", strerror(-r),
                        (int)st.code, st.message);
                exit(1);
        }
        check_svid((X509SVIDResponse *)m, want);
        protobuf_c_message_free_unpacked(m, NULL);
        return 0;
}

/* The wall time of the first log line holding msg, or -1. */
static double log_time(const char *log, const char *msg)
{
        FILE *f = fopen(log, "r");
        char line[4096];
        double t = -1;

        if (!f)
                return -1;
        while (t < 0 && fgets(line, sizeof(line), f)) {
                struct tm tm = { 0 };
                int ms;

                if (!strstr(line, msg) ||
                    sscanf(line, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
                        continue;
                tm.tm_year -= 1900;
                tm.tm_mon -= 1;
                t = (double)timegm(&tm) + ms / 1e3;
        }
        fclose(f);
        return t;
}

static struct run agent_run(char **argv, int i)
{
        const char *bin = argv[1], *config = argv[2], *sock = argv[3], *want = argv[4];
        _cleanup_(ae_grpc_client_freep) struct ae_grpc_client *c = NULL;
        struct ae_grpc_status last = { 0 };
        struct run r = { 0 };
        char log[4096];
        double w0, t0, w1, serving, attested;
        int status;

        snprintf(log, sizeof(log), "%s/agent-start-%d.log", argv[5], i);
        (void)unlink(sock);
        w0 = wall();
        t0 = mono();
        agent_pid = spawn(bin, config, log, false);
        wait_socket(sock, t0 + DEADLINE_S);
        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                die("Workload API", "no client");
        while (fetch(c, want, &last) > 0) {
                if (exited(agent_pid)) {
                        agent_pid = 0;
                        die("aegis-agent", "exited before the SVID");
                }
                if (mono() > t0 + DEADLINE_S)
                        die("no SVID within the deadline; the last answer", last.message);
                sleep_ms(POLL_MS);
        }
        r.total = mono() - t0;
        w1 = wall();
        ae_grpc_client_free(c);
        c = NULL;
        if (kill(agent_pid, SIGTERM) < 0 || waitpid(agent_pid, &status, 0) != agent_pid)
                die("aegis-agent", "cannot stop it");
        agent_pid = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("aegis-agent", "did not exit with 0 on SIGTERM");
        serving = log_time(log, "serving the Workload API");
        attested = log_time(log, "node attested");
        if (serving < 0 || attested < 0)
                die(log, "lacks \"serving the Workload API\" or \"node attested\"");
        r.exec = serving - w0;
        r.attest = attested - serving;
        r.sync = w1 - attested;
        return r;
}

/* ---- the reference ---- */

static double exec_help(const char *bin)
{
        double t0 = mono();
        pid_t pid = spawn(bin, NULL, NULL, true);
        int status;

        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("aegis-agent -h", "failed");
        return mono() - t0;
}

static struct run reference(char **argv, const struct ae_server_client_config *cfg)
{
        struct ae_node_agent_config ac = { .tcti = argv[10], .ek_alg = AE_TPM_EK_RSA2048,
                                           .ak_alg = AE_TPM_AK_ECC_P256 };
        struct ae_node_agent *tpm = NULL;
        struct ae_server_conn *conn = NULL;
        struct ae_agent_identity id = { 0 };
        struct ae_x509_svid_material mat = { 0 };
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *bundle = NULL, *entries = NULL;
        EVP_PKEY *key = NULL;
        struct run r = { 0 };
        double t0;
        int e;

        r.exec = exec_help(argv[1]);
        t0 = mono();
        e = ae_node_agent_open(&ac, &tpm);
        r.tpm_open = mono() - t0;
        if (e == 0)
                e = ae_server_attest(cfg, NULL, tpm, NULL, 0, NULL, 0, &id, &st);
        ae_node_agent_free(tpm);
        if (e < 0)
                die("reference: AttestAgent", st.message[0] ? st.message : strerror(-e));
        r.attest = mono() - t0;
        t0 = mono();
        e = ae_server_conn_new(cfg, &id, &conn);
        if (e == 0)
                e = ae_server_conn_bundle(conn, &bundle, &st);
        if (e == 0)
                e = ae_server_conn_entries(conn, &entries, &st);
        if (e == 0)
                e = ae_svid_key_generate(AE_CA_KEY_P256, &key);
        if (e == 0)
                e = ae_server_conn_x509_svid(conn, argv[11], key, &mat, &st);
        if (e < 0)
                die("reference: sync", st.message[0] ? st.message : strerror(-e));
        r.sync = mono() - t0;
        if (strcmp(mat.spiffe_id, argv[4]) != 0)
                die("reference", "not the entry's SVID");
        r.total = r.exec + r.attest + r.sync;
        ae_x509_svid_material_clear(&mat);
        EVP_PKEY_free(key);
        protobuf_c_message_free_unpacked(bundle, NULL);
        protobuf_c_message_free_unpacked(entries, NULL);
        ae_server_conn_free(conn);
        ae_agent_identity_clear(&id);
        return r;
}

static void line(const char *name, const double *v, const double *ref, size_t n, double p)
{
        double x = pct(v, n, p) * 1e3, y = pct(ref, n, p) * 1e3;

        printf("BENCH %s value=%.1f unit=ms ref=%.1f ratio=%.3f\n", name, x, y, y / x);
}

int main(int argc, char **argv)
{
        struct ae_server_client_config cfg = { .server_name = "localhost" };
        double total[RUNS_MAX], exec[RUNS_MAX], attest[RUNS_MAX], sync[RUNS_MAX];
        double rtotal[RUNS_MAX], rexec[RUNS_MAX], rattest[RUNS_MAX], rsync[RUNS_MAX];
        uint8_t *bundle = NULL;
        char *pem;
        size_t len;
        int runs;

        if (argc != 12) {
                fprintf(stderr, "usage: bench_agent_start AGENT CONFIG SOCKET SPIFFE_ID LOGDIR "
                                "RUNS ADDR BUNDLE TD TCTI ENTRY_ID\n");
                return 2;
        }
        runs = atoi(argv[6]);
        if (runs < 1 || runs > RUNS_MAX)
                die("RUNS", "1 to 100");
        if (ae_file_read(argv[8], 1 << 20, &bundle, &len) < 0)
                die(argv[8], "cannot read");
        pem = realloc(bundle, len + 1);
        if (!pem)
                die(argv[8], "out of memory");
        pem[len] = '\0';
        cfg.address = argv[7];
        cfg.bundle_pem = pem;
        cfg.trust_domain = argv[9];
        if (atexit(stop_agent) != 0)
                die("atexit", "failed");

        (void)agent_run(argv, 0); /* warm-up, not counted */
        for (int i = 0; i < runs; i++) {
                struct run a = agent_run(argv, i + 1), b = reference(argv, &cfg);

                total[i] = a.total, exec[i] = a.exec, attest[i] = a.attest, sync[i] = a.sync;
                rtotal[i] = b.total, rexec[i] = b.exec, rattest[i] = b.attest, rsync[i] = b.sync;
                fprintf(stderr,
                        "run %d: %.1f ms (exec %.0f, attest %.0f, sync+fetch %.0f); "
                        "reference %.1f ms (exec -h %.1f, attest %.1f of which TPM open %.1f, "
                        "sync %.1f)\n",
                        i + 1, a.total * 1e3, a.exec * 1e3, a.attest * 1e3, a.sync * 1e3,
                        b.total * 1e3, b.exec * 1e3, b.attest * 1e3, b.tpm_open * 1e3,
                        b.sync * 1e3);
        }
        line("agent_start_first_svid_p50", total, rtotal, (size_t)runs, 0.50);
        line("agent_start_first_svid_p99", total, rtotal, (size_t)runs, 0.99);
        line("agent_start_first_svid_min", total, rtotal, (size_t)runs, 0.0);
        line("agent_start_exec_p50", exec, rexec, (size_t)runs, 0.50);
        line("agent_start_attest_p50", attest, rattest, (size_t)runs, 0.50);
        line("agent_start_sync_p50", sync, rsync, (size_t)runs, 0.50);
        free(pem);
        return 0;
}
