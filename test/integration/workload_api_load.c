/* The Workload API under load, and its figures. One program, two uses:
 *
 *   workload_api_load load SECONDS STREAMS   (label integration)
 *       a child process holds STREAMS FetchX509SVID streams for SECONDS,
 *       reading every SVID pushed on them (the matching entry's SVIDs live
 *       20 s, so every stream gets a rotation every 10 s); any error, any
 *       stream left without its rotations, fails the run
 *   workload_api_load bench                  (label bench)
 *       prints BENCH lines: warm FetchX509SVID latency, connect to first
 *       response, p50/p99, against a unary round trip on the same socket
 *       and layer (ValidateJWTSVID without a token: answered
 *       InvalidArgument by a worker, no attestation, no signature); and the
 *       agent side's resident memory with 100 entries and 1,000 open
 *       streams (the client is another process)
 *
 * Real components throughout: a CA in a temporary directory, the issuer
 * source, the workload attestor on the real caller, the gRPC layer on a
 * Unix socket. */
#define _GNU_SOURCE /* mkdtemp */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/grpc_client.h"
#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/issuer_source.h"
#include "control-plane/agent/workload_api.h"
#include "spiffe/workload.pb-c.h"
#include "svid-issuer/ca.h"
#include "workload-attestor/workload_attestor.h"

#define ENTRIES 100
#define CLIENTS 10
#define ROTATION_TTL 20

static const struct ae_grpc_md header[] = { { "workload.spiffe.io", "true" } };

struct agent {
        char dir[64], sock[96];
        struct ae_ca *ca;
        struct ae_issuer_source *is;
        struct ae_entry_cache *entries;
        struct ae_workload_attestor *attestor;
        struct ae_workload_api *api;
};

static void die(const char *what, int r)
{
        fprintf(stderr, "workload_api_load: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(1);
}

/* 100 entries; only the last matches this uid. */
static void agent_start(struct agent *a, int64_t ttl)
{
        static struct ae_reg_entry e[ENTRIES];
        struct ae_ca_options opt = { .trust_domain = "example.org" };
        char cadir[128];
        struct ae_workload_api_config cfg = { 0 };
        int r;

        snprintf(a->dir, sizeof(a->dir), "/tmp/ae-wlapi-load-XXXXXX");
        if (!mkdtemp(a->dir))
                die("mkdtemp", errno);
        snprintf(cadir, sizeof(cadir), "%s/ca", a->dir);
        snprintf(a->sock, sizeof(a->sock), "%s/agent.sock", a->dir);
        for (int i = 0; i < ENTRIES; i++) {
                memset(&e[i], 0, sizeof(e[i]));
                snprintf(e[i].id, sizeof(e[i].id), "entry-%d", i);
                snprintf(e[i].spiffe_id, sizeof(e[i].spiffe_id), "spiffe://example.org/w/%d", i);
                snprintf(e[i].selectors[0], sizeof(e[i].selectors[0]), "aegis_exe:uid:%u",
                         i == ENTRIES - 1 ? (unsigned)geteuid() : 100000u + (unsigned)i);
                e[i].n_selectors = 1;
                e[i].x509_svid_ttl = ttl;
        }
        if ((r = ae_ca_init(cadir, &opt, time(NULL), NULL)) < 0 ||
            (r = ae_ca_load(cadir, time(NULL), &a->ca, NULL)) < 0 ||
            (r = ae_issuer_source_new(a->ca, NULL, AE_CA_KEY_P256, &a->is)) < 0 ||
            (r = ae_entry_cache_new(&a->entries)) < 0 ||
            (r = ae_entry_cache_set(a->entries, e, ENTRIES, NULL, NULL)) < 0 ||
            (r = ae_workload_attestor_new(NULL, &a->attestor)) < 0)
                die("agent setup", r);
        cfg.socket_path = a->sock;
        cfg.attestor = a->attestor;
        cfg.entries = a->entries;
        cfg.source = ae_issuer_source_as_source(a->is);
        cfg.push_interval_ms = 500;
        cfg.max_connections = 4096;
        if ((r = ae_workload_api_new(&cfg, &a->api)) < 0 || (r = ae_workload_api_start(a->api)) < 0)
                die("workload api", r);
}

static void agent_stop(struct agent *a)
{
        char cmd[160];

        ae_workload_api_free(a->api);
        ae_workload_attestor_free(a->attestor);
        ae_entry_cache_free(a->entries);
        ae_issuer_source_free(a->is);
        ae_ca_free(a->ca);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a->dir);
        if (system(cmd) != 0)
                fprintf(stderr, "workload_api_load: could not remove %s\n", a->dir);
}

static double now_us(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* The leaf's serial-ish fingerprint of a response: its DER length and
 * first differing bytes are enough to tell a rotation. */
static int read_svid(struct ae_grpc_client_stream *s, uint8_t *fp, size_t fp_len)
{
        ProtobufCMessage *m = NULL;
        X509SVIDResponse *resp;
        struct ae_grpc_status st;
        int r = ae_grpc_client_stream_read(s, &x509_svidresponse__descriptor, &m, &st);

        if (r < 0) {
                fprintf(stderr, "stream read: %d, status %d: %s\n", r, (int)st.code, st.message);
                return r;
        }
        resp = (X509SVIDResponse *)m;
        r = resp->n_svids == 1 && resp->svids[0]->x509_svid.len > fp_len ? 0 : -EBADMSG;
        if (r == 0)
                memcpy(fp, resp->svids[0]->x509_svid.data + resp->svids[0]->x509_svid.len - fp_len,
                       fp_len); /* the signature's tail: differs per certificate */
        protobuf_c_message_free_unpacked(m, NULL);
        return r;
}

/* ---- the client side of the load run (a child process) ---- */

struct client_job {
        const char *sock;
        int n_streams, seconds, min_rotations;
        int errors, rotations_short;
        int ready_fd;
};

static void *client_main(void *arg)
{
        struct client_job *j = arg;
        struct ae_grpc_client *c = NULL;
        struct ae_grpc_client_stream **s = calloc((size_t)j->n_streams, sizeof(*s));
        struct ae_grpc_call_opts opts = { .md = header, .n_md = 1 };
        X509SVIDRequest req = X509_SVIDREQUEST__INIT;
        uint8_t (*fp)[16] = calloc((size_t)j->n_streams, sizeof(*fp));
        int *rotations = calloc((size_t)j->n_streams, sizeof(int));
        double end;

        opts.timeout_ms = (uint32_t)(j->seconds + 60) * 1000;
        if (!s || !fp || !rotations || ae_grpc_client_new_unix(j->sock, NULL, &c) < 0) {
                j->errors++;
                goto out;
        }
        for (int i = 0; i < j->n_streams; i++)
                if (ae_grpc_client_stream_open(c, "/SpiffeWorkloadAPI/FetchX509SVID", &opts,
                                               &req.base, &s[i]) < 0 ||
                    read_svid(s[i], fp[i], sizeof(fp[i])) < 0) {
                        j->errors++;
                        goto out;
                }
        if (write(j->ready_fd, "r", 1) != 1)
                j->errors++;
        /* Every stream gets each rotation; read them round-robin until the
         * time is up. Without rotations to expect (bench), just hold them. */
        end = now_us() + j->seconds * 1e6;
        if (j->min_rotations <= 0) {
                sleep((unsigned)j->seconds);
                goto out;
        }
        while (now_us() < end) {
                for (int i = 0; i < j->n_streams && now_us() < end; i++) {
                        uint8_t next[16];

                        if (read_svid(s[i], next, sizeof(next)) < 0) {
                                j->errors++;
                                goto out;
                        }
                        if (memcmp(next, fp[i], sizeof(next)) != 0)
                                rotations[i]++;
                        memcpy(fp[i], next, sizeof(next));
                }
        }
        for (int i = 0; i < j->n_streams; i++)
                if (rotations[i] < j->min_rotations)
                        j->rotations_short++;
out:
        for (int i = 0; s && i < j->n_streams; i++)
                ae_grpc_client_stream_free(s[i]);
        ae_grpc_client_free(c);
        free(s);
        free(fp);
        free(rotations);
        return NULL;
}

/* The child: CLIENTS connections, streams spread over them. Exit status 0
 * when every stream got its first SVID and its rotations. */
static int client_process(const char *sock, int streams, int seconds, int ready_fd)
{
        struct client_job jobs[CLIENTS];
        pthread_t t[CLIENTS];
        int errors = 0, shortfall = 0;

        for (int i = 0; i < CLIENTS; i++) {
                jobs[i] = (struct client_job){ .sock = sock,
                                               .n_streams = streams / CLIENTS,
                                               .seconds = seconds,
                                               .min_rotations = seconds / (ROTATION_TTL / 2) - 1,
                                               .ready_fd = ready_fd };
                if (pthread_create(&t[i], NULL, client_main, &jobs[i]) != 0)
                        return 1;
        }
        for (int i = 0; i < CLIENTS; i++) {
                pthread_join(t[i], NULL);
                errors += jobs[i].errors;
                shortfall += jobs[i].rotations_short;
        }
        fprintf(stderr, "client: %d streams, %d errors, %d short of rotations\n", streams, errors,
                shortfall);
        return errors || shortfall ? 1 : 0;
}

/* One "<key>: N kB" figure of a /proc/self file. */
static long proc_kib(const char *file, const char *key)
{
        FILE *f = fopen(file, "r");
        char line[256];
        long kib = -1;
        size_t n = strlen(key);

        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, n) == 0 && line[n] == ':' &&
                    sscanf(line + n + 1, "%ld kB", &kib) == 1)
                        break;
        if (f)
                fclose(f);
        return kib;
}

static long rss_kib(void)
{
        return proc_kib("/proc/self/status", "VmRSS");
}

/* Memory figures beside RSS: the anonymous part (this process's own heap,
 * stacks and buffers) and PSS (shared library pages divided among the
 * processes mapping them). RSS counts every page of libgrpc, OpenSSL and
 * libc this process touched, shared or not. */
static void print_memory(const char *when)
{
        printf("BENCH agent_rss_anon_%s value=%ld unit=KiB\n", when,
               proc_kib("/proc/self/status", "RssAnon"));
        printf("BENCH agent_rss_file_%s value=%ld unit=KiB\n", when,
               proc_kib("/proc/self/status", "RssFile"));
        printf("BENCH agent_pss_%s value=%ld unit=KiB\n", when,
               proc_kib("/proc/self/smaps_rollup", "Pss"));
}

/* Start the child, wait for its streams, return its pid. */
static pid_t spawn_clients(struct agent *a, int streams, int seconds)
{
        int p[2];
        pid_t pid;

        if (pipe(p) < 0)
                die("pipe", errno);
        pid = fork();
        if (pid < 0)
                die("fork", errno);
        if (pid == 0) {
                char n[16], secs[16], fd[16];

                /* gRPC is not fork-safe: the clients run in a fresh image. */
                close(p[0]);
                snprintf(n, sizeof(n), "%d", streams);
                snprintf(secs, sizeof(secs), "%d", seconds);
                snprintf(fd, sizeof(fd), "%d", p[1]);
                execl("/proc/self/exe", "workload_api_load", "clients", a->sock, n, secs, fd,
                      (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        for (int ready = 0; ready < CLIENTS; ready++) {
                char c;

                if (read(p[0], &c, 1) != 1) {
                        fprintf(stderr, "workload_api_load: clients failed to open their streams\n");
                        break;
                }
        }
        close(p[0]);
        return pid;
}

static int load(int seconds, int streams)
{
        struct agent a;
        pid_t pid;
        int status;

        agent_start(&a, ROTATION_TTL);
        pid = spawn_clients(&a, streams, seconds);
        fprintf(stderr, "agent: %zu streams open, RSS %ld KiB\n", ae_workload_api_streams(a.api),
                rss_kib());
        if (waitpid(pid, &status, 0) < 0)
                die("waitpid", errno);
        agent_stop(&a);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "workload_api_load: FAIL: the clients saw errors\n");
                return 1;
        }
        printf("workload_api_load: %d streams for %d s, every rotation delivered\n", streams,
               seconds);
        return 0;
}

static int cmp_double(const void *x, const void *y)
{
        double a = *(const double *)x, b = *(const double *)y;

        return (a > b) - (a < b);
}

#define ROUNDS 400
#define WARM 50

static double pct(double *v, int n, double p)
{
        qsort(v, (size_t)n, sizeof(*v), cmp_double);
        return v[(int)(p * (n - 1))];
}

static int bench(void)
{
        static double fetch[ROUNDS], unary[ROUNDS];
        struct ae_grpc_call_opts opts = { .md = header, .n_md = 1, .timeout_ms = 10000 };
        X509SVIDRequest xreq = X509_SVIDREQUEST__INIT;
        ValidateJWTSVIDRequest vreq = VALIDATE_JWTSVIDREQUEST__INIT;
        struct ae_grpc_client *warm = NULL;
        struct agent a;
        long rss_idle, rss_streams;
        pid_t pid;
        int status;

        agent_start(&a, 3600);
        /* connect -> FetchX509SVID -> first response, a new connection each
         * time (the SVID itself is cached after the first). */
        for (int i = 0; i < ROUNDS + WARM; i++) {
                struct ae_grpc_client *c = NULL;
                struct ae_grpc_client_stream *s = NULL;
                uint8_t fp[16];
                double t0 = now_us();

                if (ae_grpc_client_new_unix(a.sock, NULL, &c) < 0 ||
                    ae_grpc_client_stream_open(c, "/SpiffeWorkloadAPI/FetchX509SVID", &opts,
                                               &xreq.base, &s) < 0 ||
                    read_svid(s, fp, sizeof(fp)) < 0)
                        die("FetchX509SVID", EIO);
                if (i >= WARM)
                        fetch[i - WARM] = now_us() - t0;
                ae_grpc_client_stream_free(s);
                ae_grpc_client_free(c);
        }
        /* The reference: a unary round trip on a warm connection. */
        if (ae_grpc_client_new_unix(a.sock, NULL, &warm) < 0)
                die("client", EIO);
        for (int i = 0; i < ROUNDS + WARM; i++) {
                ProtobufCMessage *m = NULL;
                struct ae_grpc_status st;
                double t0 = now_us();
                int r = ae_grpc_client_unary(warm, "/SpiffeWorkloadAPI/ValidateJWTSVID", &opts,
                                             &vreq.base, &validate_jwtsvidresponse__descriptor,
                                             &m, &st);

                if (r != -EREMOTEIO || st.code != GRPC_STATUS_INVALID_ARGUMENT)
                        die("ValidateJWTSVID reference", EIO);
                if (i >= WARM)
                        unary[i - WARM] = now_us() - t0;
        }
        ae_grpc_client_free(warm);
        rss_idle = rss_kib();
        print_memory("idle");
        pid = spawn_clients(&a, 1000, 2);
        rss_streams = rss_kib();
        print_memory("1000_streams");
        printf("BENCH workload_api_streams_open value=%zu unit=streams\n",
               ae_workload_api_streams(a.api));
        if (waitpid(pid, &status, 0) < 0)
                die("waitpid", errno);
        {
                double f50 = pct(fetch, ROUNDS, 0.50), f99 = pct(fetch, ROUNDS, 0.99);
                double u50 = pct(unary, ROUNDS, 0.50), u99 = pct(unary, ROUNDS, 0.99);

                printf("BENCH fetch_x509svid_connect_to_first_p50 value=%.0f unit=us ref=%.0f "
                       "ratio=%.2f\n", f50, u50, u50 / f50);
                printf("BENCH fetch_x509svid_connect_to_first_p99 value=%.0f unit=us ref=%.0f "
                       "ratio=%.2f\n", f99, u99, u99 / f99);
        }
        printf("BENCH agent_rss_100_entries_idle value=%ld unit=KiB\n", rss_idle);
        printf("BENCH agent_rss_100_entries_1000_streams value=%ld unit=KiB\n", rss_streams);
        agent_stop(&a);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
        struct rlimit rl;

        /* 1,000 streams over 10 connections, plus gRPC's own fds. */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc == 4 && strcmp(argv[1], "load") == 0)
                return load(atoi(argv[2]), atoi(argv[3]));
        if (argc == 2 && strcmp(argv[1], "bench") == 0)
                return bench();
        /* The client side, started by spawn_clients. */
        if (argc == 6 && strcmp(argv[1], "clients") == 0)
                return client_process(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
        fprintf(stderr, "usage: workload_api_load load SECONDS STREAMS | bench\n");
        return 2;
}
