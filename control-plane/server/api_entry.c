/* spire.api.server.entry.v1.Entry/GetAuthorizedEntries: the entries the
 * calling agent's node may have SVIDs for (authorized.h), for the agent to
 * match its workloads against. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "control-plane/server/authorized.h"
#include "control-plane/server/entry_msg.h"
#include "control-plane/server/server_internal.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"

#define ENTRY_SERVICE "/spire.api.server.entry.v1.Entry/"

/* Entries one agent is sent at most (the agent's cache holds 4096). */
#define AUTHORIZED_MAX 4096

struct collected {
        struct ae_ds_entry *entries;
        size_t n, cap;
};

static int collect(const struct ae_ds_entry *e, void *ud)
{
        struct collected *c = ud;

        if (c->n == AUTHORIZED_MAX)
                return -E2BIG;
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 16;
                struct ae_ds_entry *p = realloc(c->entries, cap * sizeof(*p));

                ENSURE_ALLOC(p);
                c->entries = p;
                c->cap = cap;
        }
        c->entries[c->n++] = *e;
        return 0;
}

static void reply_entries(struct ae_grpc_call *call, const struct collected *c)
{
        Spire__Api__Server__Entry__V1__GetAuthorizedEntriesResponse resp =
                SPIRE__API__SERVER__ENTRY__V1__GET_AUTHORIZED_ENTRIES_RESPONSE__INIT;
        struct ae_entry_msg *msgs = calloc(c->n ? c->n : 1, sizeof(*msgs));
        Spire__Api__Types__Entry **ptrs = calloc(c->n ? c->n : 1, sizeof(*ptrs));
        int r = msgs && ptrs ? 0 : -ENOMEM;

        for (size_t i = 0; i < c->n && r == 0; i++) {
                r = ae_entry_msg_fill(&msgs[i], &c->entries[i]);
                ptrs[i] = &msgs[i].entry;
        }
        if (r == 0) {
                resp.n_entries = c->n;
                resp.entries = ptrs;
                r = ae_grpc_call_reply(call, &resp.base);
        }
        if (r < 0 && r != -EPIPE)
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "entries not sent");
        free(msgs);
        free(ptrs);
}

static void run_authorized(struct ae_server *s, struct ae_grpc_call *call,
                           const ProtobufCMessage *req)
{
        struct ae_ds_node *node = malloc(sizeof(*node));
        struct collected c = { 0 };
        int r;

        (void)req; /* the output mask: every field is always sent */
        if (!node) {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        } else if (ae_server_caller_node(s, call, time(NULL), node) == 0) {
                r = ae_server_authorized_foreach(s->ds, node, s->server_id, collect, &c);
                if (r == -E2BIG)
                        ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
                                         "more than 4096 entries for this agent");
                else if (r < 0)
                        ae_server_finish(call, GRPC_STATUS_UNAVAILABLE, "datastore unavailable");
                else
                        reply_entries(call, &c);
        }
        free(c.entries);
        free(node);
}

static void authorized_start(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)
{
        ae_server_unary(call, req, ud, run_authorized);
}

int ae_server_add_entry_agent_service(struct ae_server *s, struct ae_grpc_server *g)
{
        const struct ae_grpc_method m = {
                .path = ENTRY_SERVICE "GetAuthorizedEntries",
                .kind = AE_GRPC_UNARY,
                .request = &spire__api__server__entry__v1__get_authorized_entries_request__descriptor,
                .on_start = authorized_start,
                .userdata = s,
        };

        return ae_grpc_server_add_method(g, &m);
}
