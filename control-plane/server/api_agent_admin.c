/* spire.api.server.agent.v1.Agent/BanAgent and DeleteAgent on the admin
 * socket, for `aegis agent ban` and `aegis agent evict`.
 *
 * As in SPIRE, a ban takes effect at once and lasts: the agent's SVID is
 * refused from its next call (caller_node.c: agent_banned), and the node
 * cannot attest its way back in (api_agent.c refuses a banned node's
 * attestation once it has proved it holds the TPM). DeleteAgent evicts:
 * the node's record goes, so its SVID is refused from its next call
 * (agent_not_attested) and the node may attest again as a new one; that
 * is also how a ban is lifted.
 *
 * Who may call: root and the server's own user (ae_server_operator_allowed).
 * Every ban and eviction is in the audit log, with the caller's uid, in the
 * transaction that makes it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "control-plane/server/server_internal.h"
#include "google/protobuf/empty.pb-c.h"
#include "policy/policy.h"
#include "spire/api/server/agent/v1/agent.pb-c.h"

#define AGENT_SERVICE "/spire.api.server.agent.v1.Agent/"
#define AGENT_PATH_PREFIX "/spire/agent/"

/* The agent SPIFFE ID the request names, as text; else the call is
 * finished INVALID_ARGUMENT saying why, and -EINVAL. Messages name at most
 * 200 bytes of an ID: a status message holds 511. */
static int agent_id(struct ae_server *s, struct ae_grpc_call *call,
                    const Spire__Api__Types__SPIFFEID *in, char *ret, size_t cap)
{
        char msg[AE_GRPC_STATUS_MESSAGE_MAX + 1];
        enum ae_spiffe_id_error why;
        struct ae_spiffe_id id;

        if (!in || !in->trust_domain || !in->trust_domain[0]) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
                                 "invalid agent ID: the request names no agent");
                return -EINVAL;
        }
        if (ae_spiffe_id_from_parts(in->trust_domain, in->path ? in->path : "", &id, &why) < 0) {
                snprintf(msg, sizeof(msg), "invalid agent ID: %s", ae_spiffe_id_error_str(why));
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, msg);
                return -EINVAL;
        }
        if (ae_spiffe_id_format(&id, ret, cap, NULL) < 0) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, "invalid agent ID: too long");
                return -EINVAL;
        }
        if (!ae_spiffe_id_in_trust_domain(&id, s->policy->trust_domain)) {
                snprintf(msg, sizeof(msg), "invalid agent ID: %.200s is not in trust domain %.200s", ret,
                         s->policy->trust_domain);
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, msg);
                return -EINVAL;
        }
        if (strncmp(id.path, AGENT_PATH_PREFIX, strlen(AGENT_PATH_PREFIX)) != 0 ||
            !id.path[strlen(AGENT_PATH_PREFIX)]) {
                snprintf(msg, sizeof(msg),
                         "invalid agent ID: %.200s is not an agent ID (its path starts " AGENT_PATH_PREFIX ")",
                         ret);
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, msg);
                return -EINVAL;
        }
        return 0;
}

/* One operator action on an agent's node record. */
struct agent_action {
        const char *method;  /* the gRPC method's name */
        const ProtobufCMessageDescriptor *request;
        const char *done;    /* what the log says happened */
        int (*write)(struct ae_ds *ds, const char *spiffe_id, int64_t at, const char *detail);
};

/* BanAgentRequest and DeleteAgentRequest both hold the agent's ID alone. */
static const Spire__Api__Types__SPIFFEID *request_id(const ProtobufCMessage *req)
{
        if (req->descriptor == &spire__api__server__agent__v1__ban_agent_request__descriptor)
                return ((const Spire__Api__Server__Agent__V1__BanAgentRequest *)req)->id;
        return ((const Spire__Api__Server__Agent__V1__DeleteAgentRequest *)req)->id;
}

static const struct agent_action actions[] = {
        { "BanAgent", &spire__api__server__agent__v1__ban_agent_request__descriptor,
          "agent banned", ae_ds_node_ban },
        { "DeleteAgent", &spire__api__server__agent__v1__delete_agent_request__descriptor,
          "agent evicted", ae_ds_node_delete },
};

static void run(struct ae_server *s, struct ae_grpc_call *call, const ProtobufCMessage *req,
                const struct agent_action *a)
{
        Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
        char id[AE_SPIFFE_ID_SIZE], msg[AE_GRPC_STATUS_MESSAGE_MAX + 1], detail[64];
        struct ae_grpc_peer peer = { 0 };
        int r;

        if (agent_id(s, call, request_id(req), id, sizeof(id)) < 0)
                return;
        if (ae_grpc_call_peer(call, &peer) < 0) {
                ae_server_finish(call, GRPC_STATUS_UNAVAILABLE, "caller gone");
                return;
        }
        snprintf(detail, sizeof(detail), "%s by uid %u", a->method, (unsigned)peer.uid);
        r = a->write(s->ds, id, (int64_t)time(NULL), detail);
        if (r == -ENOENT) {
                snprintf(msg, sizeof(msg), "agent not found: %.200s has not attested to this server",
                         id);
                ae_server_finish(call, GRPC_STATUS_NOT_FOUND, msg);
                return;
        }
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "datastore: %s %s: %s", a->method, id, ae_ds_errmsg());
                ae_server_finish(call, GRPC_STATUS_UNAVAILABLE, "datastore unavailable");
                return;
        }
        ae_log_fields(AE_LOG_WARNING, AE_LOG_KV({ "agent", id }, { "by", detail }), "%s",
                      a->done);
        r = ae_grpc_call_reply(call, &empty.base);
        if (r < 0 && r != -EPIPE)
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "answer not sent");
}

static void run_ban(struct ae_server *s, struct ae_grpc_call *call, const ProtobufCMessage *req)
{
        run(s, call, req, &actions[0]);
}

static void run_delete(struct ae_server *s, struct ae_grpc_call *call,
                       const ProtobufCMessage *req)
{
        run(s, call, req, &actions[1]);
}

static void ban_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        if (ae_server_operator_allowed(call))
                ae_server_unary(call, req, ud, run_ban);
}

static void delete_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        if (ae_server_operator_allowed(call))
                ae_server_unary(call, req, ud, run_delete);
}

int ae_server_add_agent_admin_service(struct ae_server *s, struct ae_grpc_server *g)
{
        const struct ae_grpc_method methods[] = {
                { .path = AGENT_SERVICE "BanAgent",
                  .kind = AE_GRPC_UNARY,
                  .request = actions[0].request,
                  .on_start = ban_start,
                  .userdata = s },
                { .path = AGENT_SERVICE "DeleteAgent",
                  .kind = AE_GRPC_UNARY,
                  .request = actions[1].request,
                  .on_start = delete_start,
                  .userdata = s },
        };

        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
                GUARD(ae_grpc_server_add_method(g, &methods[i]));
        return 0;
}
