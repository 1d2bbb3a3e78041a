/* spire.api.server.entry.v1.Entry on the admin socket: BatchCreateEntry,
 * BatchDeleteEntry, GetEntry and ListEntries, for `aegis entry`.
 *
 * Who may call: the socket is mode 0600, and each call's peer (SO_PEERCRED)
 * must be root or the server's own user. Every create and delete is in the
 * audit log (the datastore writes it in the same transaction). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/grpc_call.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "control-plane/server/entry_msg.h"
#include "control-plane/server/server_internal.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"

#define ENTRY_SERVICE "/spire.api.server.entry.v1.Entry/"
#define BATCH_MAX 256
/* Entries per ListEntries page: at the datastore's largest entries (about
 * 25 KB) a page stays under the 4 MiB response limit. */
#define PAGE_MAX 100

bool ae_server_operator_allowed(struct ae_grpc_call *call)
{
        struct ae_grpc_peer peer;

        if (ae_grpc_call_peer(call, &peer) == 0 && (peer.uid == 0 || peer.uid == getuid()))
                return true;
        ae_server_finish(call, GRPC_STATUS_PERMISSION_DENIED,
                         "admin calls are for root and the server's user");
        return false;
}

/* ---- BatchCreateEntry ---- */

struct create_result {
        Spire__Api__Server__Entry__V1__BatchCreateEntryResponse__Result result;
        Spire__Api__Types__Status status;
        struct ae_ds_entry entry;
        struct ae_entry_msg msg;
        char message[200];
};

static void create_one(struct ae_server *s, const Spire__Api__Types__Entry *in,
                       struct create_result *out)
{
        enum ae_ds_entry_reason reason = AE_DS_ENTRY_OK;
        grpc_status_code code = GRPC_STATUS_OK;
        const char *why = "";
        int r;

        spire__api__server__entry__v1__batch_create_entry_response__result__init(&out->result);
        spire__api__types__status__init(&out->status);
        out->result.status = &out->status;
        r = in ? ae_entry_from_msg(in, &out->entry, &why) : -EINVAL;
        if (!in)
                why = "entry missing";
        if (r == 0) {
                r = ae_ds_entry_create(s->ds, &out->entry, out->entry.id, &reason);
                if (r == -EEXIST)
                        code = GRPC_STATUS_ALREADY_EXISTS;
                else if (r == -EINVAL)
                        code = GRPC_STATUS_INVALID_ARGUMENT;
                else if (r < 0)
                        code = GRPC_STATUS_UNAVAILABLE;
                why = r == 0 ? "" : r == -EINVAL || r == -EEXIST ? ae_ds_entry_reason_str(reason)
                                                                 : "datastore unavailable";
        } else {
                code = GRPC_STATUS_INVALID_ARGUMENT;
        }
        if (r == 0 && ae_ds_entry_get(s->ds, out->entry.id, &out->entry) == 0 &&
            ae_entry_msg_fill(&out->msg, &out->entry) == 0) {
                out->result.entry = &out->msg.entry;
                ae_log_fields(AE_LOG_INFO,
                              AE_LOG_KV({ "entry", out->entry.id },
                                        { "spiffe_id", out->entry.spiffe_id }),
                              "entry created");
        }
        out->status.code = (int32_t)code;
        snprintf(out->message, sizeof(out->message), "%s", why);
        out->status.message = out->message;
}

static void run_create(struct ae_server *s, struct ae_grpc_call *call,
                       const ProtobufCMessage *req)
{
        const Spire__Api__Server__Entry__V1__BatchCreateEntryRequest *m = (const void *)req;
        Spire__Api__Server__Entry__V1__BatchCreateEntryResponse resp =
                SPIRE__API__SERVER__ENTRY__V1__BATCH_CREATE_ENTRY_RESPONSE__INIT;
        Spire__Api__Server__Entry__V1__BatchCreateEntryResponse__Result **ptrs;
        struct create_result *results;

        if (m->n_entries > BATCH_MAX) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, "more than 256 entries");
                return;
        }
        results = calloc(m->n_entries ? m->n_entries : 1, sizeof(*results));
        ptrs = calloc(m->n_entries ? m->n_entries : 1, sizeof(*ptrs));
        if (results && ptrs) {
                for (size_t i = 0; i < m->n_entries; i++) {
                        create_one(s, m->entries[i], &results[i]);
                        ptrs[i] = &results[i].result;
                }
                resp.n_results = m->n_entries;
                resp.results = ptrs;
                if (ae_grpc_call_reply(call, &resp.base) < 0)
                        ae_server_finish(call, GRPC_STATUS_INTERNAL, "results not sent");
        } else {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        }
        free(results);
        free(ptrs);
}

/* ---- BatchDeleteEntry ---- */

static void run_delete(struct ae_server *s, struct ae_grpc_call *call,
                       const ProtobufCMessage *req)
{
        const Spire__Api__Server__Entry__V1__BatchDeleteEntryRequest *m = (const void *)req;
        Spire__Api__Server__Entry__V1__BatchDeleteEntryResponse resp =
                SPIRE__API__SERVER__ENTRY__V1__BATCH_DELETE_ENTRY_RESPONSE__INIT;
        Spire__Api__Server__Entry__V1__BatchDeleteEntryResponse__Result *results, **ptrs;
        Spire__Api__Types__Status *status;

        if (m->n_ids > BATCH_MAX) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT, "more than 256 ids");
                return;
        }
        results = calloc(m->n_ids ? m->n_ids : 1, sizeof(*results));
        status = calloc(m->n_ids ? m->n_ids : 1, sizeof(*status));
        ptrs = calloc(m->n_ids ? m->n_ids : 1, sizeof(*ptrs));
        if (!results || !status || !ptrs) {
                ae_server_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < m->n_ids; i++) {
                int r = ae_ds_entry_delete(s->ds, m->ids[i]);

                spire__api__server__entry__v1__batch_delete_entry_response__result__init(
                        &results[i]);
                spire__api__types__status__init(&status[i]);
                status[i].code = r == 0          ? GRPC_STATUS_OK
                                 : r == -ENOENT  ? GRPC_STATUS_NOT_FOUND
                                 : r == -EINVAL  ? GRPC_STATUS_INVALID_ARGUMENT
                                                 : GRPC_STATUS_UNAVAILABLE;
                status[i].message = r == 0          ? ""
                                    : r == -ENOENT  ? "entry not found"
                                    : r == -EINVAL  ? "entry id invalid"
                                                    : "datastore unavailable";
                results[i].status = &status[i];
                results[i].id = m->ids[i];
                ptrs[i] = &results[i];
                if (r == 0)
                        ae_log_fields(AE_LOG_INFO, AE_LOG_KV({ "entry", m->ids[i] }),
                                      "entry deleted");
        }
        resp.n_results = m->n_ids;
        resp.results = ptrs;
        if (ae_grpc_call_reply(call, &resp.base) < 0)
                ae_server_finish(call, GRPC_STATUS_INTERNAL, "results not sent");
out:
        free(results);
        free(status);
        free(ptrs);
}

/* ---- GetEntry ---- */

static void run_get(struct ae_server *s, struct ae_grpc_call *call, const ProtobufCMessage *req)
{
        const Spire__Api__Server__Entry__V1__GetEntryRequest *m = (const void *)req;
        struct ae_ds_entry *e = malloc(sizeof(*e));
        struct ae_entry_msg *msg = malloc(sizeof(*msg));
        int r = e && msg ? 0 : -ENOMEM;

        if (r == 0)
                r = m->id && m->id[0] ? ae_ds_entry_get(s->ds, m->id, e) : -EINVAL;
        if (r == 0)
                r = ae_entry_msg_fill(msg, e);
        if (r == 0)
                r = ae_grpc_call_reply(call, &msg->entry.base);
        if (r == -ENOENT || r == -EINVAL)
                ae_server_finish(call, GRPC_STATUS_NOT_FOUND, "entry not found");
        else if (r < 0 && r != -EPIPE)
                ae_server_finish(call, GRPC_STATUS_UNAVAILABLE, "datastore unavailable");
        free(e);
        free(msg);
}

/* ---- ListEntries: pages of up to AE_DS_LIST_MAX, the token the last id ---- */

static void run_list(struct ae_server *s, struct ae_grpc_call *call, const ProtobufCMessage *req)
{
        const Spire__Api__Server__Entry__V1__ListEntriesRequest *m = (const void *)req;
        Spire__Api__Server__Entry__V1__ListEntriesResponse resp =
                SPIRE__API__SERVER__ENTRY__V1__LIST_ENTRIES_RESPONSE__INIT;
        size_t max = m->page_size > 0 && m->page_size < PAGE_MAX ? (size_t)m->page_size
                                                                 : PAGE_MAX;
        char parent[AE_SPIFFE_ID_SIZE] = "";
        struct ae_ds_entry *page = NULL;
        struct ae_entry_msg *msgs = NULL;
        Spire__Api__Types__Entry **ptrs = NULL;
        size_t n = 0;
        int r = 0;

        /* Only the parent is filtered here; a filter that would be ignored
         * is refused rather than answered with everything. */
        if (m->filter && (m->filter->by_spiffe_id || m->filter->by_selectors ||
                          m->filter->by_federates_with || m->filter->by_hint ||
                          m->filter->by_downstream)) {
                ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
                                 "only the by_parent_id filter is supported");
                return;
        }
        if (m->filter && m->filter->by_parent_id) {
                struct ae_spiffe_id id;
                const Spire__Api__Types__SPIFFEID *p = m->filter->by_parent_id;

                r = p->trust_domain && p->path
                            ? ae_spiffe_id_from_parts(p->trust_domain, p->path, &id, NULL)
                            : -EINVAL;
                if (r == 0)
                        r = ae_spiffe_id_format(&id, parent, sizeof(parent), NULL);
                if (r < 0) {
                        ae_server_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
                                         "filter by_parent_id invalid");
                        return;
                }
        }
        r = parent[0] ? ae_ds_entry_list_by_parent(s->ds, parent, m->page_token, max, &page, &n)
                      : ae_ds_entry_list(s->ds, m->page_token, max, &page, &n);
        if (r == 0) {
                msgs = calloc(n ? n : 1, sizeof(*msgs));
                ptrs = calloc(n ? n : 1, sizeof(*ptrs));
                r = msgs && ptrs ? 0 : -ENOMEM;
        }
        for (size_t i = 0; i < n && r == 0; i++) {
                r = ae_entry_msg_fill(&msgs[i], &page[i]);
                ptrs[i] = &msgs[i].entry;
        }
        if (r == 0) {
                resp.n_entries = n;
                resp.entries = ptrs;
                /* A full page may have more behind it. */
                resp.next_page_token = n == max ? page[n - 1].id : "";
                r = ae_grpc_call_reply(call, &resp.base);
        }
        if (r < 0 && r != -EPIPE)
                ae_server_finish(call, r == -EINVAL ? GRPC_STATUS_INVALID_ARGUMENT
                                                    : GRPC_STATUS_UNAVAILABLE,
                                 r == -EINVAL ? "page_token invalid" : "datastore unavailable");
        free(page);
        free(msgs);
        free(ptrs);
}

#define ADMIN_START(name, fn)                                                                 \
        static void name(struct ae_grpc_call *call, const ProtobufCMessage *req, void *ud)     \
        {                                                                                      \
                if (ae_server_operator_allowed(call))                                          \
                        ae_server_unary(call, req, ud, fn);                                    \
        }

ADMIN_START(create_start, run_create)
ADMIN_START(delete_start, run_delete)
ADMIN_START(get_start, run_get)
ADMIN_START(list_start, run_list)

int ae_server_add_entry_admin_service(struct ae_server *s, struct ae_grpc_server *g)
{
        const struct ae_grpc_method methods[] = {
                { .path = ENTRY_SERVICE "BatchCreateEntry", .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__entry__v1__batch_create_entry_request__descriptor,
                  .on_start = create_start, .userdata = s },
                { .path = ENTRY_SERVICE "BatchDeleteEntry", .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__entry__v1__batch_delete_entry_request__descriptor,
                  .on_start = delete_start, .userdata = s },
                { .path = ENTRY_SERVICE "GetEntry", .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__entry__v1__get_entry_request__descriptor,
                  .on_start = get_start, .userdata = s },
                { .path = ENTRY_SERVICE "ListEntries", .kind = AE_GRPC_UNARY,
                  .request = &spire__api__server__entry__v1__list_entries_request__descriptor,
                  .on_start = list_start, .userdata = s },
        };

        for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
                GUARD(ae_grpc_server_add_method(g, &methods[i]));
        return 0;
}
