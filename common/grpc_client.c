/* Client channels (Unix socket, TCP with TLS) and unary calls. Each call
 * has its own pluck completion queue: a thread waits for its own call's
 * tags only, so calls on one client do not serialise. */
#include "common/grpc_client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

#include "common/grpc_msg.h"

#define UNIX_PATH_MAX 107

void ae_grpc_client_config_default(struct ae_grpc_client_config *ret)
{
        *ret = (struct ae_grpc_client_config){
                .max_recv_message = 4 * 1024 * 1024,
                .max_send_message = 4 * 1024 * 1024,
        };
}

static int client_new(const char *target, grpc_channel_credentials *creds,
                      const char *server_name, const struct ae_grpc_client_config *cfg_in,
                      struct ae_grpc_client **ret)
{
        struct ae_grpc_client_config cfg;
        struct ae_grpc_client *c;
        grpc_arg args[5] = {
                /* A client is one connection of its own: gRPC would
                 * otherwise share one among channels to the same address,
                 * and the server's per-connection limits and credentials
                 * would apply to several clients at once. */
                { .type = GRPC_ARG_INTEGER,
                  .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
                  .value.integer = 1 },
                /* Failures are reported, not retried behind the caller. */
                { .type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ENABLE_RETRIES, .value.integer = 0 },
                { .type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH },
                { .type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH },
                { .type = GRPC_ARG_STRING, .key = GRPC_SSL_TARGET_NAME_OVERRIDE_ARG },
        };
        grpc_channel_args ca = { .num_args = server_name ? 5 : 4, .args = args };

        if (cfg_in)
                cfg = *cfg_in;
        else
                ae_grpc_client_config_default(&cfg);
        if (cfg.max_recv_message < 1 || cfg.max_recv_message > AE_GRPC_CLIENT_MESSAGE_LIMIT ||
            cfg.max_send_message < 1 || cfg.max_send_message > AE_GRPC_CLIENT_MESSAGE_LIMIT) {
                grpc_channel_credentials_release(creds);
                return -EINVAL;
        }
        args[2].value.integer = (int)cfg.max_recv_message;
        args[3].value.integer = (int)cfg.max_send_message;
        args[4].value.string = (char *)server_name;
        c = calloc(1, sizeof(*c));
        if (!c) {
                grpc_channel_credentials_release(creds);
                return -ENOMEM;
        }
        c->max_send = cfg.max_send_message;
        c->ch = grpc_channel_create(target, creds, &ca);
        grpc_channel_credentials_release(creds);
        if (!c->ch) {
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

int ae_grpc_client_new_unix(const char *path, const struct ae_grpc_client_config *cfg,
                            struct ae_grpc_client **ret)
{
        char target[UNIX_PATH_MAX + sizeof("unix:")];
        int r;

        ENSURE(path && ret, -EINVAL);
        ENSURE(path[0] == '/', -EINVAL);
        ENSURE(strlen(path) <= UNIX_PATH_MAX, -ENAMETOOLONG);
        snprintf(target, sizeof(target), "unix:%s", path);
        grpc_init();
        r = client_new(target, grpc_insecure_credentials_create(), NULL, cfg, ret);
        if (r < 0)
                grpc_shutdown();
        return r;
}

struct verify_hook {
        int (*fn)(const char *peer_pem, void *userdata);
        void *userdata;
};

static int verify_hook_call(const char *target_name, const char *peer_pem, void *userdata)
{
        const struct verify_hook *h = userdata;

        (void)target_name;
        return peer_pem && h->fn(peer_pem, h->userdata) == 0 ? 0 : 1;
}

int ae_grpc_client_new_tls(const char *target, const struct ae_grpc_tls_client *tls,
                           const struct ae_grpc_client_config *cfg, struct ae_grpc_client **ret)
{
        grpc_ssl_pem_key_cert_pair pair;
        grpc_channel_credentials *creds;
        verify_peer_options vopt = { 0 };
        struct verify_hook *hook = NULL;
        int r;

        ENSURE(target && *target && tls && ret, -EINVAL);
        ENSURE(tls->ca_pem && *tls->ca_pem, -EINVAL);
        ENSURE(!tls->cert_chain_pem == !tls->key_pem, -EINVAL);
        grpc_init();
        pair.cert_chain = tls->cert_chain_pem;
        pair.private_key = tls->key_pem;
        if (tls->verify_peer) {
                /* gRPC owns the hook from here and frees it with the
                 * channel (verify_peer_destruct). */
                hook = malloc(sizeof(*hook));
                if (!hook) {
                        grpc_shutdown();
                        return -ENOMEM;
                }
                *hook = (struct verify_hook){ tls->verify_peer, tls->verify_userdata };
                vopt = (verify_peer_options){ .verify_peer_callback = verify_hook_call,
                                              .verify_peer_callback_userdata = hook,
                                              .verify_peer_destruct = free };
        }
        creds = grpc_ssl_credentials_create(tls->ca_pem, tls->cert_chain_pem ? &pair : NULL,
                                            hook ? &vopt : NULL, NULL);
        if (!creds)
                free(hook);
        r = creds ? client_new(target, creds, tls->server_name, cfg, ret) : -ENOMEM;
        if (r < 0)
                grpc_shutdown();
        return r;
}

void ae_grpc_client_free(struct ae_grpc_client *c)
{
        if (!c)
                return;
        grpc_channel_destroy(c->ch);
        free(c);
        grpc_shutdown();
}

int ae_grpc_client_md_build(const struct ae_grpc_call_opts *opts, struct ae_grpc_client_md *ret)
{
        size_t n = opts ? opts->n_md : 0;

        *ret = (struct ae_grpc_client_md){ 0 };
        if (n == 0)
                return 0;
        ENSURE(opts->md && n <= AE_GRPC_CLIENT_MD_MAX, -EINVAL);
        ret->md = calloc(n, sizeof(*ret->md));
        ENSURE_ALLOC(ret->md);
        for (size_t i = 0; i < n; i++) {
                const struct ae_grpc_md *m = &opts->md[i];
                grpc_slice k, v;

                if (!m->key || !m->value)
                        goto invalid;
                k = grpc_slice_from_copied_string(m->key);
                v = grpc_slice_from_copied_string(m->value);
                ret->md[i].key = k;
                ret->md[i].value = v;
                ret->n = i + 1;
                /* Binary ("-bin") values are not offered: text only. */
                if (!grpc_header_key_is_legal(k) || grpc_is_binary_header(k) ||
                    !grpc_header_nonbin_value_is_legal(v))
                        goto invalid;
        }
        return 0;
invalid:
        ae_grpc_client_md_release(ret);
        return -EINVAL;
}

void ae_grpc_client_md_release(struct ae_grpc_client_md *m)
{
        for (size_t i = 0; i < m->n; i++) {
                grpc_slice_unref(m->md[i].key);
                grpc_slice_unref(m->md[i].value);
        }
        free(m->md);
        *m = (struct ae_grpc_client_md){ 0 };
}

int ae_grpc_client_call(struct ae_grpc_client *c, grpc_completion_queue *cq, const char *method,
                        const struct ae_grpc_call_opts *opts, grpc_call **ret)
{
        uint32_t timeout = opts ? opts->timeout_ms : 0;
        gpr_timespec deadline = gpr_inf_future(GPR_CLOCK_REALTIME);
        grpc_slice m;
        grpc_call *call;

        ENSURE(method && method[0] == '/', -EINVAL);
        if (timeout)
                deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                        gpr_time_from_millis(timeout, GPR_TIMESPAN));
        m = grpc_slice_from_copied_string(method);
        call = grpc_channel_create_call(c->ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL,
                                        deadline, NULL);
        grpc_slice_unref(m);
        ENSURE_ALLOC(call);
        *ret = call;
        return 0;
}

bool ae_grpc_client_wait(grpc_completion_queue *cq, void *tag)
{
        grpc_event ev = grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_REALTIME),
                                                    NULL);

        return ev.type == GRPC_OP_COMPLETE && ev.success;
}

void ae_grpc_client_status_set(struct ae_grpc_status *ret, grpc_status_code code,
                               grpc_slice details)
{
        size_t len = GRPC_SLICE_LENGTH(details);

        if (!ret)
                return;
        ret->code = code;
        if (len >= sizeof(ret->message))
                len = sizeof(ret->message) - 1;
        memcpy(ret->message, GRPC_SLICE_START_PTR(details), len);
        ret->message[len] = '\0';
}

void ae_grpc_client_cq_free(grpc_completion_queue *cq)
{
        grpc_completion_queue_shutdown(cq);
        while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
                       .type != GRPC_QUEUE_SHUTDOWN)
                ;
        grpc_completion_queue_destroy(cq);
}

int ae_grpc_client_unary(struct ae_grpc_client *c, const char *method,
                         const struct ae_grpc_call_opts *opts, const ProtobufCMessage *req,
                         const ProtobufCMessageDescriptor *resp_type, ProtobufCMessage **ret_resp,
                         struct ae_grpc_status *ret_status)
{
        struct ae_grpc_client_md md;
        grpc_completion_queue *cq;
        grpc_call *call = NULL;
        grpc_byte_buffer *send = NULL, *recv = NULL;
        grpc_metadata_array init_md, trailing;
        grpc_status_code code = GRPC_STATUS_UNKNOWN;
        grpc_slice details = grpc_empty_slice();
        grpc_op ops[6];
        int tag, r;

        ENSURE(c && req && resp_type && ret_resp, -EINVAL);
        GUARD(ae_grpc_msg_pack(req, c->max_send, &send));
        r = ae_grpc_client_md_build(opts, &md);
        if (r < 0) {
                grpc_byte_buffer_destroy(send);
                return r;
        }
        cq = grpc_completion_queue_create_for_pluck(NULL);
        if (!cq || (r = ae_grpc_client_call(c, cq, method, opts, &call)) < 0) {
                if (cq)
                        ae_grpc_client_cq_free(cq);
                ae_grpc_client_md_release(&md);
                grpc_byte_buffer_destroy(send);
                return cq ? r : -ENOMEM;
        }
        grpc_metadata_array_init(&init_md);
        grpc_metadata_array_init(&trailing);
        memset(ops, 0, sizeof(ops));
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[0].data.send_initial_metadata.count = md.n;
        ops[0].data.send_initial_metadata.metadata = md.md;
        if (opts && opts->wait_for_ready)
                ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = send;
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[3].data.recv_initial_metadata.recv_initial_metadata = &init_md;
        ops[4].op = GRPC_OP_RECV_MESSAGE;
        ops[4].data.recv_message.recv_message = &recv;
        ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
        ops[5].data.recv_status_on_client.status = &code;
        ops[5].data.recv_status_on_client.status_details = &details;
        if (grpc_call_start_batch(call, ops, 6, &tag, NULL) != GRPC_CALL_OK) {
                r = -EIO;
        } else {
                /* RECV_STATUS_ON_CLIENT makes the batch complete, whatever
                 * happened to the call (deadline included). */
                (void)ae_grpc_client_wait(cq, &tag);
                ae_grpc_client_status_set(ret_status, code, details);
                if (code != GRPC_STATUS_OK)
                        r = -EREMOTEIO;
                else if (!recv)
                        r = -EBADMSG; /* OK without the response */
                else
                        r = ae_grpc_msg_unpack(recv, resp_type, ret_resp);
        }
        grpc_call_unref(call);
        ae_grpc_client_cq_free(cq);
        ae_grpc_client_md_release(&md);
        grpc_metadata_array_destroy(&init_md);
        grpc_metadata_array_destroy(&trailing);
        grpc_slice_unref(details);
        grpc_byte_buffer_destroy(send);
        if (recv)
                grpc_byte_buffer_destroy(recv);
        return r;
}
