/* The Workload API (control-plane/agent/workload_api.c) against clients
 * that misbehave, issue 7's "Robustness" bullet, on the real API with the
 * real attestor and gRPC layer (workload_api_robust_host.h). Workloads are
 * separate processes, fresh images of this binary (workload_api_robust_
 * client.c), since gRPC is not fork-safe. One CTest entry per check:
 *
 *   workload_api_robust CHECK [CYCLES]
 *
 *   oversized           a FetchJWTSVID past max_recv_message: gRPC's
 *                       RESOURCE_EXHAUSTED; the connection serves on
 *   malformed           request bytes that do not parse, or strings with a NUL
 *                       byte: the layer's INTERNAL "request message did not
 *                       parse" on every method; an audience that is not
 *                       UTF-8 parses (protobuf-c does not check) and the
 *                       agent refuses it
 *   half_open           raw sockets that stop inside the HTTP/2 preface or
 *                       inside a request: others are served; their
 *                       connections' fds go when they close
 *   deadlines           the same sockets closed by the server once no whole
 *                       call came within first_call_timeout_ms
 *                       (conn_no_call), an idle connection closed at
 *                       idle_timeout_ms (conn_idle), its client connecting
 *                       again
 *   no_read             streams never read while every push rotates the
 *                       SVID: they are cut with RESOURCE_EXHAUSTED, a reader
 *                       next to them keeps its rotations
 *   cycles              CYCLES (default 10,000) connect / FetchX509SVID /
 *                       disconnect cycles from one process: no connection
 *                       left, no fd growth, RSS growth bounded (the
 *                       sanitizer build leaves memory to LeakSanitizer)
 *   caller_exited       the caller exits between the attestor's last check
 *                       and the API's: PERMISSION_DENIED "caller exited
 *                       during attestation", made exact (see the test)
 *   too_many_selectors  a caller with more supplementary groups than a
 *                       selector set holds: RESOURCE_EXHAUSTED "too many
 *                       selectors" (root; 77 otherwise)
 *
 * Statuses are asserted as "STATUS <code> <message>" lines of the clients. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <grpc/status.h>

#include "check_util.h"
#include "common/grpc_client.h"
#include "common/grpc_server.h"
#include "control-plane/agent/selector_set.h"
#include "control-plane/agent/workload_api.h"
#include "spiffe/workload.pb-c.h"
#include "workload_api_robust_client.h"
#include "workload_api_robust_host.h"

#define SVID_LINE "SVID " ROBUST_SPIFFE_ID
/* fds gRPC itself may hold more at the end than at the start: its lazy
 * timer and wakeup fds (test_grpc_cycles.c). */
#define FD_SLACK 2
#define CYCLES_WARMUP 1000
/* RSS the cycles may add in the default build (KiB); glibc keeps freed
 * chunks in per-thread arenas, so some growth is not a leak. */
#define RSS_SLACK_KIB 1024
#define STUCK_STREAMS 4

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static long cycles = 10000;

static void want_status(struct robust_child *c, grpc_status_code code, const char *message)
{
        char want[640];

        snprintf(want, sizeof(want), "STATUS %d %s", (int)code, message);
        robust_child_expect(c, want);
}

static void fetch_ok(const char *sock)
{
        struct robust_child c;

        robust_spawn(&c, 0, NULL, "fetch", sock, NULL);
        robust_child_expect(&c, SVID_LINE);
        ck_assert_int_eq(robust_child_wait(&c), 0);
}

/* ---- 1: oversized ---- */

START_TEST(oversized)
{
        struct robust_agent a;
        struct robust_child c;
        struct ae_grpc_server_config def;
        char line[1024], want[256];
        size_t size = 0;

        ae_grpc_server_config_default(&def); /* the API keeps gRPC's limits */
        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 3600 });
        robust_spawn(&c, 0, NULL, "oversized", a.sock, NULL);
        robust_child_line(&c, line, sizeof(line));
        ck_assert_int_eq(sscanf(line, "SIZE %zu", &size), 1);
        ck_assert_uint_gt(size, def.max_recv_message);
        /* gRPC core's message size filter, before any handler runs. */
        snprintf(want, sizeof(want), "Received message larger than max (%zu vs. %u)", size,
                 def.max_recv_message);
        want_status(&c, GRPC_STATUS_RESOURCE_EXHAUSTED, want);
        /* The same connection: a stream, and a unary call. */
        robust_child_expect(&c, SVID_LINE);
        robust_child_expect(&c, "JWT " ROBUST_SPIFFE_ID);
        ck_assert_int_eq(robust_child_wait(&c), 0);
        robust_agent_stop(&a);
}
END_TEST

/* ---- 2: malformed ---- */

START_TEST(malformed)
{
        struct robust_agent a;
        struct robust_child c;

        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 3600 });
        robust_spawn(&c, 0, NULL, "malformed", a.sock, NULL);
        /* The layer answers before the agent sees the call, with the status
         * gRPC gives a request that does not parse (INTERNAL, as gRPC's own
         * servers do; grpc_dispatch.c, grpc_reason.c): the first seven of
         * malformed[] (workload_api_robust_client.c), one per method, and
         * two whose strings hold a NUL (proto_strings.h). */
        for (int i = 0; i < 7; i++)
                want_status(&c, GRPC_STATUS_INTERNAL, "request message did not parse");
        /* Bytes protobuf-c takes (it does not check UTF-8): the agent's
         * own check. */
        want_status(&c, GRPC_STATUS_INVALID_ARGUMENT, "audience refused");
        robust_child_expect(&c, SVID_LINE);
        ck_assert_int_eq(robust_child_wait(&c), 0);
        robust_agent_stop(&a);
}
END_TEST

/* ---- 3: half-open connections ---- */

static size_t h2_frame(uint8_t *p, size_t len, uint8_t type, uint8_t flags, uint32_t stream)
{
        p[0] = (uint8_t)(len >> 16);
        p[1] = (uint8_t)(len >> 8);
        p[2] = (uint8_t)len;
        p[3] = type;
        p[4] = flags;
        p[5] = (uint8_t)(stream >> 24);
        p[6] = (uint8_t)(stream >> 16);
        p[7] = (uint8_t)(stream >> 8);
        p[8] = (uint8_t)stream;
        return 9;
}

/* HPACK "literal header field without indexing, new name", no Huffman. */
static size_t hpack(uint8_t *p, const char *name, const char *value)
{
        size_t n = strlen(name), v = strlen(value);

        p[0] = 0x00;
        p[1] = (uint8_t)n;
        memcpy(p + 2, name, n);
        p[2 + n] = (uint8_t)v;
        memcpy(p + 3 + n, value, v);
        return 3 + n + v;
}

/* A request for FetchX509SVID that stops inside its message: the preface,
 * SETTINGS, HEADERS without END_STREAM, and a DATA frame with the first
 * 10 bytes of a 100-byte gRPC message. */
static size_t stalled_request(uint8_t *buf)
{
        static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        static const char *const hdr[][2] = {
                { ":method", "POST" },       { ":scheme", "http" },
                { ":path", "/SpiffeWorkloadAPI/FetchX509SVID" },
                { ":authority", "localhost" }, { "content-type", "application/grpc" },
                { "te", "trailers" },        { "workload.spiffe.io", "true" },
        };
        size_t n = sizeof(preface) - 1, h = 0;
        uint8_t block[512];

        memcpy(buf, preface, n);
        n += h2_frame(buf + n, 0, 0x4, 0, 0); /* SETTINGS, empty */
        for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
                h += hpack(block + h, hdr[i][0], hdr[i][1]);
        n += h2_frame(buf + n, h, 0x1, 0x4, 1); /* HEADERS, END_HEADERS */
        memcpy(buf + n, block, h);
        n += h;
        n += h2_frame(buf + n, 15, 0x0, 0, 1); /* DATA: prefix announcing 100 */
        memcpy(buf + n, "\0\0\0\0\x64" "0123456789", 15);
        return n + 15;
}

/* Connects to sock and writes len bytes; the server's first frame must be
 * its SETTINGS, whatever we sent. */
static int raw_client(const char *sock, const uint8_t *bytes, size_t len)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        uint8_t frame[9];
        size_t got = 0;

        ck_assert_int_ge(fd, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
        ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
        while (got < sizeof(frame)) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                ck_assert_int_eq(poll(&p, 1, ROBUST_WAIT_MS), 1);
                n = read(fd, frame + got, sizeof(frame) - got);
                ck_assert_int_gt(n, 0);
                got += (size_t)n;
        }
        ck_assert_uint_eq(frame[3], 0x4);
        return fd;
}

struct fd_goal {
        const char *prefix;
        size_t want;
};

static bool fds_at_most(void *arg)
{
        const struct fd_goal *g = arg;

        return robust_count_fds(g->prefix) <= g->want;
}

static bool fds_exactly(void *arg)
{
        const struct fd_goal *g = arg;

        return robust_count_fds(g->prefix) == g->want;
}

static size_t count_pidfds(void)
{
        /* "anon_inode:[pidfd]", or "pidfd:[...]" where pidfs names them. */
        return robust_count_fds("anon_inode:[pidfd]") + robust_count_fds("pidfd:");
}

struct conn_goal {
        struct ae_workload_api *api;
        size_t pidfds;
};

/* No stream, no socket but the listener, no pidfd but ours. */
static bool no_connections(void *arg)
{
        const struct conn_goal *g = arg;

        return ae_workload_api_streams(g->api) == 0 && robust_count_fds("socket:") == 1 &&
               count_pidfds() == g->pidfds;
}

/* After clients left: their streams ended, and the server holds no
 * connection: its sockets (gRPC's fd and our dup of it) and the caller's
 * pidfd are closed, exactly; then other fds settle (gRPC closes some on its
 * own threads). own_pidfds: ours for live children. *ret_fds: all fds
 * then. */
static void wait_idle(struct robust_agent *a, size_t own_pidfds, size_t fds_goal,
                      size_t *ret_fds)
{
        struct conn_goal conns = { a->api, own_pidfds };
        struct fd_goal all = { NULL, fds_goal };

        ck_assert_msg(robust_until(no_connections, &conns, ROBUST_WAIT_MS),
                      "still %zu streams, %zu sockets, %zu pidfds",
                      ae_workload_api_streams(a->api), robust_count_fds("socket:"),
                      count_pidfds());
        (void)robust_until(fds_at_most, &all, 5000);
        *ret_fds = robust_count_fds(NULL);
}

START_TEST(half_open)
{
        static const char partial[] = "PRI * HTTP/2.0\r\n"; /* 16 of its 24 bytes */
        /* The listener; per connection ours, gRPC's and the layer's dup. */
        struct fd_goal open = { "socket:", 1 + 2 * 3 };
        struct robust_agent a;
        uint8_t req[1024];
        size_t before, during, after;
        int fd1, fd2;

        /* The connections are ours to close here; "deadlines" has the
         * server close them. */
        robust_agent_start(&a, &(struct robust_agent_opts){
                                       .ttl = 3600, .first_call_timeout_ms = ROBUST_WAIT_MS });
        fetch_ok(a.sock); /* gRPC's lazy fds, made before counting */
        wait_idle(&a, 0, (size_t)-1, &before);

        fd1 = raw_client(a.sock, (const uint8_t *)partial, sizeof(partial) - 1);
        fd2 = raw_client(a.sock, req, stalled_request(req));
        ck_assert(robust_until(fds_exactly, &open, ROBUST_WAIT_MS));
        during = robust_count_fds(NULL);
        /* Each also pinned its caller (us) with a pidfd. */
        ck_assert_uint_eq(count_pidfds(), 2);
        ck_assert_uint_eq(ae_workload_api_streams(a.api), 0);
        fetch_ok(a.sock);

        close(fd1);
        close(fd2);
        wait_idle(&a, 0, before, &after);
        fprintf(stderr, "half_open: fds %zu -> %zu with both open -> %zu\n", before, during,
                after);
        ck_assert_uint_le(after, before + FD_SLACK);
        fetch_ok(a.sock);
        robust_agent_stop(&a);
}
END_TEST

/* Reads fd until the server ends the connection (what it still had to
 * say, then EOF or a reset); false if it is still open after ROBUST_WAIT_MS. */
static bool server_closes(int fd)
{
        uint8_t buf[4096];

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, ROBUST_WAIT_MS) != 1)
                        return false;
                n = read(fd, buf, sizeof(buf));
                if (n == 0 || (n < 0 && errno == ECONNRESET))
                        return true;
                if (n < 0 && errno != EINTR && errno != EAGAIN)
                        return false;
        }
}

struct refusals_goal {
        struct ae_workload_api *api;
        enum ae_grpc_reason reason;
        uint64_t want;
};

static bool refusals_are(void *arg)
{
        const struct refusals_goal *g = arg;

        return ae_workload_api_refusals(g->api, g->reason) == g->want;
}

/* One FetchJWTBundles on c, to its first answer; then the call ends.
 * The call's status code (0 when it was answered). */
static int one_call(struct ae_grpc_client *c)
{
        static const struct ae_grpc_md md[] = { { "workload.spiffe.io", "true" } };
        const struct ae_grpc_call_opts o = { .md = md, .n_md = 1, .timeout_ms = ROBUST_WAIT_MS };
        JWTBundlesRequest req = JWTBUNDLES_REQUEST__INIT;
        struct ae_grpc_client_stream *s = NULL;
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *m = NULL;
        int code = 0;

        ck_assert_int_eq(ae_grpc_client_stream_open(c, "/SpiffeWorkloadAPI/FetchJWTBundles", &o,
                                                    &req.base, &s),
                         0);
        if (ae_grpc_client_stream_read(s, &jwtbundles_response__descriptor, &m, &st) != 0) {
                fprintf(stderr, "FetchJWTBundles: %d %s\n", (int)st.code, st.message);
                code = st.code ? (int)st.code : GRPC_STATUS_UNKNOWN;
        }
        protobuf_c_message_free_unpacked(m, NULL);
        ae_grpc_client_stream_free(s);
        return code;
}

/* The server closes connections that bring no whole call in time (a
 * client stuck in the preface, one stuck inside its request) and ones
 * idle past their deadline; a gRPC client of an idle connection that was
 * closed connects again for its next call. */
START_TEST(deadlines)
{
        static const char partial[] = "PRI * HTTP/2.0\r\n";
        struct robust_agent a;
        struct refusals_goal idle = { NULL, AE_GRPC_CONN_IDLE, 1 };
        struct ae_grpc_client *c = NULL;
        uint8_t req[1024];
        size_t before, after;
        int fd1, fd2, r;

        /* 2 s for a first call: 1 s is short for a connection's first call
         * under ASan on two busy cores. */
        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 3600,
                                                             .first_call_timeout_ms = 2000,
                                                             .idle_timeout_ms = 2000 });
        fetch_ok(a.sock);
        wait_idle(&a, 0, (size_t)-1, &before);

        fd1 = raw_client(a.sock, (const uint8_t *)partial, sizeof(partial) - 1);
        fd2 = raw_client(a.sock, req, stalled_request(req));
        ck_assert(server_closes(fd1));
        ck_assert(server_closes(fd2));
        ck_assert_uint_eq(ae_workload_api_refusals(a.api, AE_GRPC_CONN_NO_CALL), 2);
        close(fd1);
        close(fd2);
        wait_idle(&a, 0, before, &after);
        ck_assert_uint_le(after, before + FD_SLACK);

        /* A call that ended leaves the connection idle: closed at 2 s. */
        ck_assert_int_eq(ae_grpc_client_new_unix(a.sock, NULL, &c), 0);
        ck_assert_int_eq(one_call(c), 0);
        idle.api = a.api;
        ck_assert(robust_until(refusals_are, &idle, ROBUST_WAIT_MS));
        /* On a new connection. The count is taken just before the cut, and
         * the client learns of the cut on its own thread: a call made in
         * between goes out on the old connection and ends UNAVAILABLE (our
         * client has retries off), which a gRPC client retries; so do we,
         * once. */
        r = one_call(c);
        if (r == GRPC_STATUS_UNAVAILABLE)
                r = one_call(c);
        ck_assert_int_eq(r, 0);
        ck_assert_uint_eq(ae_workload_api_refusals(a.api, AE_GRPC_CONN_IDLE), 1);
        ck_assert_uint_eq(ae_workload_api_refusals(a.api, AE_GRPC_CONN_NO_CALL), 2);
        ae_grpc_client_free(c);
        robust_agent_stop(&a);
}
END_TEST

/* ---- 4: a client that never reads ---- */

struct streams_goal {
        struct ae_workload_api *api;
        size_t want;
};

static bool streams_are(void *arg)
{
        const struct streams_goal *g = arg;

        return ae_workload_api_streams(g->api) == g->want;
}

START_TEST(no_read)
{
        struct robust_agent a;
        struct robust_child reader, stuck;
        struct streams_goal all = { NULL, 1 + STUCK_STREAMS }, one = { NULL, 1 };
        char line[640], n_str[16];
        unsigned drained = 0, during = 0;

        /* TTL 1 s: every push (every 50 ms) is a new SVID. A stream is cut
         * at the earliest 17 pushes after it stalls (its queue holds 16):
         * time enough to see all of them open first. */
        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 1, .push_interval_ms = 50 });
        all.api = one.api = a.api;
        robust_spawn(&reader, 0, NULL, "reader", a.sock, NULL);
        robust_child_expect(&reader, SVID_LINE);
        robust_child_expect(&reader, "ROTATION 1");
        snprintf(n_str, sizeof(n_str), "%d", STUCK_STREAMS);
        robust_spawn(&stuck, 0, NULL, "stuck", a.sock, n_str, NULL);
        robust_child_expect(&stuck, "OPEN");
        ck_assert(robust_until(streams_are, &all, ROBUST_WAIT_MS));

        /* grpc_server.h: a send that finds the call's queue full cancels
         * that call. Flow control stops the pushes to the stuck streams,
         * their queues fill, and the pusher drops them. */
        ck_assert_msg(robust_until(streams_are, &one, ROBUST_WAIT_MS), "%zu streams left",
                      ae_workload_api_streams(a.api));
        while (robust_child_try_line(&reader, line, sizeof(line)))
                drained++;
        /* The reader still gets every rotation after the cut. */
        for (int i = 0; i < 10; i++) {
                robust_child_line(&reader, line, sizeof(line));
                ck_assert_int_eq(strncmp(line, "ROTATION ", 9), 0);
                during++;
        }
        fetch_ok(a.sock);

        /* What the stuck client finds once it reads: what was on its way,
         * then the layer's overflow status on each stream. */
        robust_child_say(&stuck, "read");
        for (int i = 0; i < STUCK_STREAMS; i++) {
                unsigned idx, msgs;

                want_status(&stuck, GRPC_STATUS_RESOURCE_EXHAUSTED,
                            "stream send queue full: client not reading");
                robust_child_line(&stuck, line, sizeof(line));
                ck_assert_int_eq(sscanf(line, "MESSAGES %u %u", &idx, &msgs), 2);
                ck_assert_uint_eq(idx, (unsigned)i);
                fprintf(stderr, "no_read: stuck stream %u read %u pushes before its status\n",
                        idx, msgs);
        }
        ck_assert_int_eq(robust_child_wait(&stuck), 0);
        fprintf(stderr, "no_read: reader had %u rotations by the cut, %u after\n", drained + 1,
                during);
        ck_assert_int_eq(kill(reader.pid, SIGKILL), 0);
        ck_assert_int_eq(robust_child_wait(&reader), 128 + SIGKILL);
        robust_agent_stop(&a);
}
END_TEST

/* ---- 5: connect / FetchX509SVID / disconnect cycles ---- */

START_TEST(connect_cycles)
{
        struct robust_agent a;
        struct robust_child c;
        char warm[16], n[16], done[32];
        size_t fds_before, fds_after;
        long rss_before, rss_after;

        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 3600 });
        snprintf(warm, sizeof(warm), "%d", CYCLES_WARMUP);
        snprintf(n, sizeof(n), "%ld", cycles);
        robust_spawn(&c, 0, NULL, "cycles", a.sock, warm, n, NULL);
        robust_child_expect(&c, "WARM");
        wait_idle(&a, 1, (size_t)-1, &fds_before);
        rss_before = robust_rss_kib();

        robust_child_say(&c, "go");
        snprintf(done, sizeof(done), "DONE %ld", cycles);
        robust_child_expect(&c, done);
        wait_idle(&a, 1, fds_before, &fds_after);
        rss_after = robust_rss_kib();
        fprintf(stderr,
                "cycles: %ld after %d warm-up: fds %zu -> %zu, RSS %ld -> %ld KiB (%+ld)\n",
                cycles, CYCLES_WARMUP, fds_before, fds_after, rss_before, rss_after,
                rss_after - rss_before);
        ck_assert_uint_le(fds_after, fds_before + FD_SLACK);
#ifndef UNDER_ASAN
        /* Under ASan freed memory sits in quarantine: RSS says nothing
         * there, and LeakSanitizer checks at exit instead. */
        ck_assert_int_le(rss_after - rss_before, RSS_SLACK_KIB);
#endif
        ck_assert_int_eq(robust_child_wait(&c), 0);
        robust_agent_stop(&a);
}
END_TEST

/* ---- 6a: the caller exits during attestation ----
 *
 * The API checks the caller is still alive after attestation; the attestor
 * checks it too, at its very end (recheck). So the caller must exit between
 * the two, which no client can time. This test makes it exact: the
 * attestor's test hook marks the attestation of the victim at
 * AE_WL_STAGE_HASHED (just before recheck), and the first name lookup
 * after it -- build(), after recheck passed, asks NSS for the user name
 * (names are not remembered here) -- kills the victim and waits until its
 * pidfd says it has exited. getpwuid_r is wrapped at link time
 * (workload_api.cmake) for that; the attestor's own code is untouched.
 *
 * The caller that connected (the victim, role "holder") hands its
 * connection to another process ("fdclient"), which makes the call and
 * sees the status: a process that exited could not. */

static struct {
        _Atomic pid_t pid;
        _Atomic int pidfd;
        atomic_int killed;
} victim;
static __thread pid_t kill_at_lookup;

static void hook(enum ae_wl_stage stage, pid_t pid, void *ctx)
{
        (void)ctx;
        if (stage == AE_WL_STAGE_STARTED)
                kill_at_lookup = 0;
        else if (stage == AE_WL_STAGE_HASHED && pid == victim.pid)
                kill_at_lookup = pid;
}

int __real_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **ret);
int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **ret);

int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **ret)
{
        if (kill_at_lookup) {
                struct pollfd p = { .fd = victim.pidfd, .events = POLLIN };

                if (kill(kill_at_lookup, SIGKILL) == 0 && poll(&p, 1, ROBUST_WAIT_MS) == 1 &&
                    (p.revents & POLLIN))
                        atomic_fetch_add(&victim.killed, 1);
                kill_at_lookup = 0;
        }
        return __real_getpwuid_r(uid, pw, buf, len, ret);
}

START_TEST(caller_exited)
{
        struct robust_agent a;
        struct robust_child holder;
        char line[128];
        int fdclient = 0, status;

        /* The fdclient outlives its parent, the holder: we reap it. */
        ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 3600, .forget_names = true,
                                                            .hook = hook });
        robust_spawn(&holder, 0, NULL, "holder", a.sock, NULL);
        victim.pid = holder.pid;
        victim.pidfd = holder.pidfd;
        robust_child_say(&holder, "connect");
        robust_child_line(&holder, line, sizeof(line));
        ck_assert_int_eq(sscanf(line, "FDCLIENT %d", &fdclient), 1);
        want_status(&holder, GRPC_STATUS_PERMISSION_DENIED, "caller exited during attestation");
        ck_assert_int_eq(atomic_load(&victim.killed), 1);
        ck_assert_int_eq(robust_child_wait(&holder), 128 + SIGKILL);
        ck_assert_int_eq(waitpid(fdclient, &status, 0), fdclient);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* Anyone else is served as before. */
        fetch_ok(a.sock);
        robust_agent_stop(&a);
}
END_TEST

/* ---- 6b: too many selectors ---- */

START_TEST(too_many_selectors)
{
        /* One selector per group (no names for these gids), on top of
         * uid, gid, path, sha256 and cgroups: past the set's limit. */
        enum { GROUPS = AE_SELECTOR_SET_MAX + 88 };
        static gid_t groups[GROUPS];
        struct robust_agent a;
        struct robust_child c;

        for (size_t i = 0; i < GROUPS; i++)
                groups[i] = (gid_t)(700000 + i);
        robust_agent_start(&a, &(struct robust_agent_opts){ .ttl = 3600 });
        robust_spawn(&c, GROUPS, groups, "fetch", a.sock, NULL);
        want_status(&c, GRPC_STATUS_RESOURCE_EXHAUSTED, "too many selectors");
        ck_assert_int_eq(robust_child_wait(&c), 0);
        fetch_ok(a.sock);
        robust_agent_stop(&a);
}
END_TEST

int main(int argc, char **argv)
{
        const struct {
                const char *name;
                const TTest *test;
                int timeout_s;
        } checks[] = {
                { "oversized", oversized, 120 },
                { "malformed", malformed, 120 },
                { "half_open", half_open, 120 },
                { "deadlines", deadlines, 300 },
                { "no_read", no_read, 300 },
                { "cycles", connect_cycles, 900 },
                { "caller_exited", caller_exited, 120 },
                { "too_many_selectors", too_many_selectors, 120 },
        };
        Suite *s;
        SRunner *sr;
        int failed, run;

        if (argc >= 3 && strcmp(argv[1], "--role") == 0)
                return robust_client_main(argc - 2, argv + 2);
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: workload_api_robust CHECK [CYCLES]\n");
                return 2;
        }
        if (argc == 3)
                cycles = atol(argv[2]);
        if (strcmp(argv[1], "too_many_selectors") == 0 && geteuid() != 0) {
                fprintf(stderr, "workload_api_robust: %s needs root (setgroups); skipped\n",
                        argv[1]);
                return AE_TEST_SKIP;
        }
        signal(SIGPIPE, SIG_IGN);
        s = suite_create("workload_api_robust");
        for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
                TCase *tc = tcase_create(checks[i].name);

                tcase_set_timeout(tc, checks[i].timeout_s);
                tcase_add_test(tc, checks[i].test);
                suite_add_tcase(s, tc);
        }
        sr = srunner_create(s);
        srunner_run(sr, NULL, argv[1], CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        run = srunner_ntests_run(sr);
        srunner_free(sr);
        if (run == 0)
                fprintf(stderr, "workload_api_robust: no check named %s\n", argv[1]);
        return run > 0 && failed == 0 ? 0 : 1;
}
