/* The roles (see the header for the common lines):
 *
 *   fetch SOCK            one FetchX509SVID
 *   oversized SOCK        "SIZE <n>" and the status of a FetchJWTSVID of n
 *                         bytes; then, on the same connection, a FetchX509SVID
 *                         and a small FetchJWTSVID
 *   malformed SOCK        the status of each request in malformed[] (raw
 *                         bytes through gRPC core), then FetchX509SVID on the
 *                         same connection
 *   reader SOCK           one FetchX509SVID stream, read as it comes:
 *                         "ROTATION <n>" for each new SVID after the first
 *   stuck SOCK N          N FetchX509SVID streams on one connection, each
 *                         read once, then "OPEN"; nothing is read until a
 *                         line arrives on stdin; then per stream
 *                         "MESSAGES <i> <n>" and the status that ended it
 *   cycles SOCK W N       W connect / FetchX509SVID / disconnect cycles,
 *                         "WARM", a line on stdin, N more, "DONE <N>"; a
 *                         cycle without its SVID: its status, "FAIL <i>"
 *   holder SOCK           waits for a line on stdin, connects to SOCK (so
 *                         the server pins this process as the caller),
 *                         starts "fdclient" on that connection, prints
 *                         "FDCLIENT <pid>", waits to be killed
 *   fdclient FD           one FetchX509SVID over the connected socket FD
 */
#define _GNU_SOURCE
#include "workload_api_robust_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_posix.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

#include "common/grpc_client.h"
#include "spiffe/workload.pb-c.h"

#define CALL_TIMEOUT_MS 60000
#define X509_SVID "/SpiffeWorkloadAPI/FetchX509SVID"
#define JWT_SVID "/SpiffeWorkloadAPI/FetchJWTSVID"
/* Audiences of the oversized request: 80 of 1,000 bytes, past the
 * server's 64 KiB max_recv_message. */
#define BIG_AUDIENCES 80
#define BIG_AUDIENCE_LEN 1000

static const struct ae_grpc_md header[] = { { "workload.spiffe.io", "true" } };
static const struct ae_grpc_call_opts opts = { .md = header, .n_md = 1,
                                               .timeout_ms = CALL_TIMEOUT_MS };

static void print_status(const struct ae_grpc_status *st)
{
        printf("STATUS %d %s\n", (int)st->code, st->message);
}

/* ---- through the gRPC layer's client ---- */

/* The first response on s: "SVID <id>" (0), or its status (-1). With fp,
 * the tail of the leaf's signature, which differs per certificate. */
static int read_svid(struct ae_grpc_client_stream *s, bool quiet, uint8_t fp[16])
{
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *m = NULL;
        X509SVIDResponse *resp;
        int r = ae_grpc_client_stream_read(s, &x509_svidresponse__descriptor, &m, &st);

        if (r < 0) {
                if (r != -EREMOTEIO && r != -ENODATA)
                        snprintf(st.message, sizeof(st.message), "client error %d", r);
                print_status(&st);
                return -1;
        }
        resp = (X509SVIDResponse *)m;
        r = resp->n_svids >= 1 && resp->svids[0]->x509_svid.len > 16 ? 0 : -1;
        if (r < 0)
                printf("BAD RESPONSE\n");
        else if (!quiet)
                printf("SVID %s\n", resp->svids[0]->spiffe_id);
        if (r == 0 && fp)
                memcpy(fp, resp->svids[0]->x509_svid.data + resp->svids[0]->x509_svid.len - 16,
                       16);
        protobuf_c_message_free_unpacked(m, NULL);
        return r;
}

/* One FetchX509SVID stream on c: open, first response, cancel. */
static int fetch_once(struct ae_grpc_client *c, bool quiet)
{
        X509SVIDRequest req = X509_SVIDREQUEST__INIT;
        struct ae_grpc_client_stream *s = NULL;
        int r = ae_grpc_client_stream_open(c, X509_SVID, &opts, &req.base, &s);

        if (r < 0) {
                printf("STATUS -1 open failed: %d\n", r);
                return -1;
        }
        r = read_svid(s, quiet, NULL);
        ae_grpc_client_stream_free(s);
        return r;
}

static int jwt_call(struct ae_grpc_client *c, char **aud, size_t n_aud, bool print_size)
{
        JWTSVIDRequest req = JWTSVIDREQUEST__INIT;
        struct ae_grpc_status st = { 0 };
        ProtobufCMessage *m = NULL;
        int r;

        req.audience = aud;
        req.n_audience = n_aud;
        if (print_size)
                printf("SIZE %zu\n", protobuf_c_message_get_packed_size(&req.base));
        r = ae_grpc_client_unary(c, JWT_SVID, &opts, &req.base, &jwtsvidresponse__descriptor, &m,
                                 &st);
        if (r == 0) {
                JWTSVIDResponse *resp = (JWTSVIDResponse *)m;

                printf("JWT %s\n", resp->n_svids ? resp->svids[0]->spiffe_id : "(none)");
                protobuf_c_message_free_unpacked(m, NULL);
                return 0;
        }
        print_status(&st);
        return -1;
}

static int role_oversized(const char *sock)
{
        char *aud[BIG_AUDIENCES], *small[] = { (char *)"robust" };
        struct ae_grpc_client *c = NULL;

        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                return 1;
        for (size_t i = 0; i < BIG_AUDIENCES; i++) {
                aud[i] = malloc(BIG_AUDIENCE_LEN + 1);
                if (!aud[i])
                        return 1;
                memset(aud[i], 'a' + (int)(i % 26), BIG_AUDIENCE_LEN);
                aud[i][BIG_AUDIENCE_LEN] = '\0';
        }
        (void)jwt_call(c, aud, BIG_AUDIENCES, true);
        (void)fetch_once(c, false);
        (void)jwt_call(c, small, 1, false);
        for (size_t i = 0; i < BIG_AUDIENCES; i++)
                free(aud[i]);
        ae_grpc_client_free(c);
        return 0;
}

static int role_fetch(const char *sock)
{
        struct ae_grpc_client *c = NULL;

        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                return 1;
        (void)fetch_once(c, false);
        ae_grpc_client_free(c);
        return 0;
}

static int role_reader(const char *sock)
{
        X509SVIDRequest req = X509_SVIDREQUEST__INIT;
        struct ae_grpc_client_stream *s = NULL;
        struct ae_grpc_client *c = NULL;
        struct ae_grpc_call_opts forever = { .md = header, .n_md = 1 };
        uint8_t fp[16], next[16];

        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0 ||
            ae_grpc_client_stream_open(c, X509_SVID, &forever, &req.base, &s) < 0 ||
            read_svid(s, false, fp) < 0)
                return 1;
        /* Until the test kills us or the stream ends. */
        for (unsigned n = 1; read_svid(s, true, next) == 0;) {
                if (memcmp(next, fp, sizeof(fp)) != 0)
                        printf("ROTATION %u\n", n++);
                memcpy(fp, next, sizeof(fp));
        }
        ae_grpc_client_stream_free(s);
        ae_grpc_client_free(c);
        return 0;
}

static int role_stuck(const char *sock, int n)
{
        X509SVIDRequest req = X509_SVIDREQUEST__INIT;
        struct ae_grpc_call_opts forever = { .md = header, .n_md = 1 };
        struct ae_grpc_client_stream *s[64] = { 0 };
        struct ae_grpc_client *c = NULL;
        char line[64];

        if (n < 1 || n > 64 || ae_grpc_client_new_unix(sock, NULL, &c) < 0)
                return 1;
        for (int i = 0; i < n; i++)
                if (ae_grpc_client_stream_open(c, X509_SVID, &forever, &req.base, &s[i]) < 0 ||
                    read_svid(s[i], true, NULL) < 0)
                        return 1;
        printf("OPEN\n");
        if (!fgets(line, sizeof(line), stdin))
                return 1;
        for (int i = 0; i < n; i++) {
                unsigned msgs = 0;

                /* read_svid prints the status that ends the stream. */
                while (read_svid(s[i], true, NULL) == 0)
                        msgs++;
                printf("MESSAGES %d %u\n", i, msgs);
                ae_grpc_client_stream_free(s[i]);
        }
        ae_grpc_client_free(c);
        return 0;
}

static int role_cycles(const char *sock, long warm, long n)
{
        char line[64];

        for (long phase = 0; phase < 2; phase++) {
                long cycles = phase == 0 ? warm : n;

                for (long i = 0; i < cycles; i++) {
                        struct ae_grpc_client *c = NULL;

                        if (ae_grpc_client_new_unix(sock, NULL, &c) < 0 ||
                            fetch_once(c, true) < 0) {
                                printf("FAIL %ld\n", i);
                                ae_grpc_client_free(c);
                                return 1;
                        }
                        ae_grpc_client_free(c);
                }
                if (phase == 0) {
                        printf("WARM\n");
                        if (!fgets(line, sizeof(line), stdin))
                                return 1;
                }
        }
        printf("DONE %ld\n", n);
        return 0;
}

/* ---- raw bytes through gRPC core ---- */

struct raw_result {
        bool got_message;
        uint8_t *bytes; /* the response's bytes, malloc'd */
        size_t len;
        grpc_status_code code;
        char message[512];
};

static grpc_channel *raw_channel(const char *target, int fd)
{
        grpc_arg args[] = {
                { .type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
                  .value.integer = 1 },
                { .type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ENABLE_RETRIES, .value.integer = 0 },
        };
        grpc_channel_args ca = { .num_args = 2, .args = args };
        grpc_channel_credentials *creds = grpc_insecure_credentials_create();
        grpc_channel *ch = fd >= 0 ? grpc_channel_create_from_fd(target, fd, creds, &ca)
                                   : grpc_channel_create(target, creds, &ca);

        grpc_channel_credentials_release(creds);
        return ch;
}

static void cq_wait(grpc_completion_queue *cq, void *tag)
{
        (void)grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
}

/* One call with req_len raw request bytes and the security header: the
 * first response (if any; the call is then cancelled) and the status. */
static void raw_call(grpc_channel *ch, const char *method, const uint8_t *req, size_t req_len,
                     struct raw_result *ret)
{
        grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
        gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                             gpr_time_from_millis(CALL_TIMEOUT_MS, GPR_TIMESPAN));
        grpc_slice path = grpc_slice_from_copied_string(method);
        grpc_slice body = grpc_slice_from_copied_buffer((const char *)req, req_len);
        grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&body, 1), *recv = NULL;
        grpc_metadata md = { .key = grpc_slice_from_static_string(header[0].key),
                             .value = grpc_slice_from_static_string(header[0].value) };
        grpc_slice details = grpc_empty_slice();
        grpc_metadata_array init_md, trailing;
        grpc_call *call;
        grpc_op ops[5];
        int tag_send, tag_status;
        size_t len;

        memset(ret, 0, sizeof(*ret));
        call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, path, NULL,
                                        deadline, NULL);
        grpc_metadata_array_init(&init_md);
        grpc_metadata_array_init(&trailing);
        memset(ops, 0, sizeof(ops));
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[0].data.send_initial_metadata.count = 1;
        ops[0].data.send_initial_metadata.metadata = &md;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = send;
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[3].data.recv_initial_metadata.recv_initial_metadata = &init_md;
        ops[4].op = GRPC_OP_RECV_MESSAGE;
        ops[4].data.recv_message.recv_message = &recv;
        if (grpc_call_start_batch(call, ops, 5, &tag_send, NULL) == GRPC_CALL_OK)
                cq_wait(cq, &tag_send);
        if (recv) {
                grpc_byte_buffer_reader rd;
                grpc_slice all;

                ret->got_message = true;
                if (grpc_byte_buffer_reader_init(&rd, recv)) {
                        all = grpc_byte_buffer_reader_readall(&rd);
                        ret->len = GRPC_SLICE_LENGTH(all);
                        ret->bytes = malloc(ret->len ? ret->len : 1);
                        if (ret->bytes)
                                memcpy(ret->bytes, GRPC_SLICE_START_PTR(all), ret->len);
                        grpc_slice_unref(all);
                        grpc_byte_buffer_reader_destroy(&rd);
                }
                grpc_byte_buffer_destroy(recv);
                (void)grpc_call_cancel(call, NULL); /* a stream: we have what we wanted */
        }
        memset(ops, 0, sizeof(ops));
        ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        ops[0].data.recv_status_on_client.trailing_metadata = &trailing;
        ops[0].data.recv_status_on_client.status = &ret->code;
        ops[0].data.recv_status_on_client.status_details = &details;
        ret->code = GRPC_STATUS_UNKNOWN;
        if (grpc_call_start_batch(call, ops, 1, &tag_status, NULL) == GRPC_CALL_OK)
                cq_wait(cq, &tag_status);
        len = GRPC_SLICE_LENGTH(details);
        if (len >= sizeof(ret->message))
                len = sizeof(ret->message) - 1;
        memcpy(ret->message, GRPC_SLICE_START_PTR(details), len);
        ret->message[len] = '\0';

        grpc_call_unref(call);
        grpc_completion_queue_shutdown(cq);
        while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
                       .type != GRPC_QUEUE_SHUTDOWN)
                ;
        grpc_completion_queue_destroy(cq);
        grpc_metadata_array_destroy(&init_md);
        grpc_metadata_array_destroy(&trailing);
        grpc_slice_unref(details);
        grpc_slice_unref(path);
        grpc_slice_unref(body);
        grpc_byte_buffer_destroy(send);
}

/* A raw FetchX509SVID (empty request) and what came of it. */
static void raw_fetch(grpc_channel *ch)
{
        struct raw_result res;

        raw_call(ch, X509_SVID, NULL, 0, &res);
        if (res.got_message) {
                X509SVIDResponse *resp = x509_svidresponse__unpack(NULL, res.len, res.bytes);

                printf("SVID %s\n", resp && resp->n_svids ? resp->svids[0]->spiffe_id : "(bad)");
                if (resp)
                        x509_svidresponse__free_unpacked(resp, NULL);
        } else {
                printf("STATUS %d %s\n", (int)res.code, res.message);
        }
        free(res.bytes);
}

/* Requests no protobuf parser takes for the method's type, and two whose
 * strings hold a NUL byte (the test expects these seven to be refused by
 * the layer), then one protobuf-c takes. */
static const struct {
        const char *method;
        uint8_t bytes[12];
        size_t len;
} malformed[] = {
        /* field 1 with wire type 7, which does not exist */
        { X509_SVID, { 0x0f }, 1 },
        /* audience (field 1) announcing 5 bytes, 1 present */
        { JWT_SVID, { 0x0a, 0x05, 'a' }, 3 },
        /* audience (a string) sent as a varint */
        { "/SpiffeWorkloadAPI/ValidateJWTSVID", { 0x08, 0x01 }, 2 },
        /* a tag varint that never ends */
        { "/SpiffeWorkloadAPI/FetchJWTBundles", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                  0xff, 0xff, 0xff }, 11 },
        /* a group start (wire type 3) that is never closed */
        { "/SpiffeWorkloadAPI/FetchX509Bundles", { 0x1b }, 1 },
        /* an audience with a NUL inside: as a C string it would be "ab" */
        { JWT_SVID, { 0x0a, 0x03, 'a', 0x00, 'b' }, 5 },
        /* the same in ValidateJWTSVID's svid (field 2) */
        { "/SpiffeWorkloadAPI/ValidateJWTSVID", { 0x0a, 0x01, 'a', 0x12, 0x02, 'x', 0x00 }, 7 },
        /* well-formed protobuf, but the audience is not UTF-8: protobuf-c
         * does not check, so the request reaches the agent */
        { JWT_SVID, { 0x0a, 0x02, 0xff, 0xfe }, 4 },
};

static int role_malformed(const char *sock)
{
        char target[128];
        grpc_channel *ch;

        snprintf(target, sizeof(target), "unix:%s", sock);
        ch = raw_channel(target, -1);
        if (!ch)
                return 1;
        for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
                struct raw_result res;

                raw_call(ch, malformed[i].method, malformed[i].bytes, malformed[i].len, &res);
                if (res.got_message)
                        printf("MESSAGE\n");
                else
                        printf("STATUS %d %s\n", (int)res.code, res.message);
                free(res.bytes);
        }
        raw_fetch(ch); /* the same connection still serves */
        grpc_channel_destroy(ch);
        return 0;
}

static int role_holder(const char *sock)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM, 0); /* inherited by fdclient */
        char fdnum[16], line[16], go;
        int p[2];
        pid_t pid;

        if (!fgets(line, sizeof(line), stdin) || pipe(p) < 0)
                return 1;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return 1;
        snprintf(fdnum, sizeof(fdnum), "%d", fd);
        /* No gRPC in this process: a plain fork is safe. */
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                /* The call (which gets us killed) only after our line. */
                close(p[1]);
                if (read(p[0], &go, 1) != 1)
                        _exit(126);
                close(p[0]);
                execl("/proc/self/exe", "workload_api_robust", "--role", "fdclient", fdnum,
                      (char *)NULL);
                _exit(127);
        }
        close(fd);
        close(p[0]);
        printf("FDCLIENT %d\n", (int)pid);
        if (write(p[1], "g", 1) != 1)
                return 1;
        close(p[1]);
        for (;;)
                pause();
}

static int role_fdclient(int fd)
{
        grpc_channel *ch = raw_channel("robust-fd", fd);

        if (!ch)
                return 1;
        raw_fetch(ch);
        grpc_channel_destroy(ch);
        return 0;
}

int robust_client_main(int argc, char **argv)
{
        const char *role = argv[0];
        int r = 2;

        setvbuf(stdout, NULL, _IOLBF, 0);
        /* Before grpc_init: this role forks. */
        if (argc == 2 && strcmp(role, "holder") == 0)
                return role_holder(argv[1]);
        grpc_init();
        if (argc == 2 && strcmp(role, "fetch") == 0)
                r = role_fetch(argv[1]);
        else if (argc == 2 && strcmp(role, "oversized") == 0)
                r = role_oversized(argv[1]);
        else if (argc == 2 && strcmp(role, "malformed") == 0)
                r = role_malformed(argv[1]);
        else if (argc == 2 && strcmp(role, "reader") == 0)
                r = role_reader(argv[1]);
        else if (argc == 3 && strcmp(role, "stuck") == 0)
                r = role_stuck(argv[1], atoi(argv[2]));
        else if (argc == 4 && strcmp(role, "cycles") == 0)
                r = role_cycles(argv[1], atol(argv[2]), atol(argv[3]));
        else if (argc == 2 && strcmp(role, "fdclient") == 0)
                r = role_fdclient(atoi(argv[1]));
        grpc_shutdown();
        return r;
}
