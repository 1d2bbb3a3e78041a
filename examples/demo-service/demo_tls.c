#include "examples/demo-service/demo_tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "common/cleanup.h"
#include "svid-issuer/rp_rule.h"
#include "svid-issuer/rp_verify.h"
#include "svid-issuer/rp_workload_api.h"

#define FETCH_TIMEOUT_MS 5000
#define RETRY_MS 500

/* Asks until the agent answers with an SVID or wait_s is over: like any
 * SPIFFE client, it retries a refusal, since the agent may not have
 * synced this workload's entry yet. */
static int fetch_svid(const struct demo_opts *o, const char *who, struct ae_rp_workload_svid *svid)
{
        struct ae_grpc_status st = { 0 };
        const char *why = NULL;
        int r;

        for (int waited_ms = 0;; waited_ms += RETRY_MS) {
                st = (struct ae_grpc_status){ 0 };
                r = ae_rp_workload_fetch(o->socket, FETCH_TIMEOUT_MS, svid, &st, &why);
                if (r == 0)
                        return 0;
                if ((r != -EACCES && r != -EAGAIN) || waited_ms >= o->wait_s * 1000)
                        break;
                usleep(RETRY_MS * 1000);
        }
        printf("%s: no identity from the Workload API: %s%s%s\n", who, why ? why : strerror(-r),
               st.message[0] ? ": " : "", st.message);
        return r;
}

SSL_CTX *demo_context(const struct demo_opts *o, enum ae_rp_ssl_role role, const char *who)
{
        struct ae_rp_workload_svid svid = { 0 };
        struct ae_rp_rule rule;
        struct ae_rp_rule_parse_error err;
        char why_rule[256];
        const char *why = NULL;
        SSL_CTX *ctx = NULL;

        if (ae_rp_rule_parse(o->rule_text, strlen(o->rule_text), &rule, &err) < 0) {
                ae_rp_rule_error_format(&err, why_rule, sizeof(why_rule));
                fprintf(stderr, "--require: %s\n", why_rule);
                return NULL;
        }
        if (fetch_svid(o, who, &svid) < 0)
                return NULL;
        printf("%s: the agent gave this process %s\n", who, svid.spiffe_id);
        if (ae_rp_ssl_ctx_new_svid(role, svid.leaf, svid.intermediates, svid.key, svid.bundle,
                                   &rule, &ctx, &why) < 0)
                fprintf(stderr, "%s: SVID unusable: %s\n", who, why ? why : "?");
        ae_rp_workload_svid_clear(&svid);
        return ctx;
}

void demo_set_timeouts(int fd)
{
        struct timeval tv = { .tv_sec = DEMO_IO_TIMEOUT_S };

        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void demo_describe_peer(SSL *ssl, char *buf, size_t cap)
{
        const struct ae_rp_result *res = ae_rp_ssl_result(ssl);
        char id[AE_SPIFFE_ID_SIZE] = "?";
        size_t n;

        if (!res || !res->has_id || ae_spiffe_id_format(&res->id, id, sizeof(id), NULL) < 0)
                snprintf(id, sizeof(id), "?");
        n = (size_t)snprintf(buf, cap, "%s", id);
        if (!res || !res->has_claims || n >= cap)
                return;
        n += (size_t)snprintf(buf + n, cap - n, " (level %s",
                              ae_claims_level_name(res->claims.level));
        for (size_t i = 0; i < res->claims.geo.n_zones && n < cap; i++)
                n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : ", zone ",
                                      res->claims.geo.zones[i]);
        if (n < cap)
                snprintf(buf + n, cap - n, ")");
}

void demo_print_refusal(const char *who, SSL *ssl)
{
        const struct ae_rp_result *res = ae_rp_ssl_result(ssl);
        char line[1024];

        if (res && res->reason != AE_RP_OK) {
                ae_rp_result_describe(res, line, sizeof(line));
                printf("%s: refused the peer: %s\n", who, line);
        } else {
                unsigned long e = ERR_peek_last_error();

                printf("%s: handshake failed: %s\n", who,
                       e ? ERR_reason_error_string(e) : "connection closed by the peer");
        }
        ERR_clear_error();
        fflush(stdout);
}
