/* aegis entry show: one entry (GetEntry) or all of them a page at a time
 * (ListEntries, by parent on the server), the SPIFFE ID and selector
 * filters applied here; and the entry printout create uses too. */
#include "control-plane/cli/entry_commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "common/log_escape.h"
#include "control-plane/cli/admin_client.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"

#define ENTRY_SERVICE "/spire.api.server.entry.v1.Entry/"
/* Escaped text of the longest field (a SPIFFE ID, each byte as \xNN). */
#define FIELD_MAX (4 * AE_SPIFFE_ID_MAX + 8)

/* ---- the printout: spire-server's printEntry --------------------------- */

static void put(struct ae_textbuf *t, const char *s)
{
        if (s)
                ae_log_escape_text(t, s, strlen(s), false);
}

static void line(const char *label, const char *a, const char *sep, const char *b)
{
        static char buf[FIELD_MAX * 2];
        struct ae_textbuf t;

        ae_textbuf_init(&t, buf, sizeof(buf));
        put(&t, a);
        if (b) {
                ae_textbuf_puts(&t, sep);
                put(&t, b);
        }
        printf("%-17s: %s\n", label, buf);
}

static void id_line(const char *label, const Spire__Api__Types__SPIFFEID *id)
{
        static char buf[FIELD_MAX];
        struct ae_textbuf t;

        ae_textbuf_init(&t, buf, sizeof(buf));
        if (id) {
                ae_textbuf_puts(&t, AE_SPIFFE_SCHEME_PREFIX);
                put(&t, id->trust_domain);
                put(&t, id->path);
        }
        printf("%-17s: %s\n", label, buf);
}

static void ttl_line(const char *label, int32_t ttl)
{
        if (ttl == 0)
                printf("%-17s: default\n", label);
        else
                printf("%-17s: %" PRId32 "\n", label, ttl);
}

void ae_cli_entry_print(const Spire__Api__Types__Entry *e)
{
        line("Entry ID", e->id, NULL, NULL);
        id_line("SPIFFE ID", e->spiffe_id);
        id_line("Parent ID", e->parent_id);
        printf("%-17s: %" PRId64 "\n", "Revision", e->revision_number);
        if (e->downstream)
                printf("%-17s: true\n", "Downstream");
        ttl_line("X509-SVID TTL", e->x509_svid_ttl);
        ttl_line("JWT-SVID TTL", e->jwt_svid_ttl);
        for (size_t i = 0; i < e->n_selectors; i++)
                if (e->selectors[i])
                        line("Selector", e->selectors[i]->type, ":", e->selectors[i]->value);
        for (size_t i = 0; i < e->n_dns_names; i++)
                line("DNS name", e->dns_names[i], NULL, NULL);
        if (e->admin)
                printf("%-17s: true\n", "Admin");
        if (e->hint && e->hint[0])
                line("Hint", e->hint, NULL, NULL);
        printf("\n");
}

/* ---- filters ------------------------------------------------------------- */

static bool same_id(const Spire__Api__Types__SPIFFEID *a, const struct ae_cli_id *want)
{
        return a && a->trust_domain && a->path &&
               strcmp(a->trust_domain, want->parts.trust_domain) == 0 &&
               strcmp(a->path, want->parts.path) == 0;
}

static bool has_selector(const Spire__Api__Types__Entry *e, const Spire__Api__Types__Selector *s)
{
        for (size_t i = 0; i < e->n_selectors; i++)
                if (e->selectors[i] && e->selectors[i]->type && e->selectors[i]->value &&
                    strcmp(e->selectors[i]->type, s->type) == 0 &&
                    strcmp(e->selectors[i]->value, s->value) == 0)
                        return true;
        return false;
}

/* Every filter given holds (the parent's too: GetEntry does not filter). */
static bool wanted(const Spire__Api__Types__Entry *e, const struct ae_cli_entry_opts *o)
{
        if (o->spiffe_id.set && !same_id(e->spiffe_id, &o->spiffe_id))
                return false;
        if (o->parent_id.set && !same_id(e->parent_id, &o->parent_id))
                return false;
        for (size_t i = 0; i < o->n_selectors; i++)
                if (!has_selector(e, &o->selectors[i]))
                        return false;
        return true;
}

/* ---- collecting ---------------------------------------------------------- */

/* The responses (owned) and the entries in them that pass the filters. */
struct found {
        ProtobufCMessage **msgs;
        size_t n_msgs, cap_msgs;
        const Spire__Api__Types__Entry **entries;
        size_t n, cap;
};

static void found_clear(struct found *f)
{
        for (size_t i = 0; i < f->n_msgs; i++)
                protobuf_c_message_free_unpacked(f->msgs[i], NULL);
        free(f->msgs);
        free(f->entries);
        memset(f, 0, sizeof(*f));
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
        size_t n = *cap ? *cap : 16;
        void *p;

        if (need <= *cap)
                return 0;
        while (n < need)
                n *= 2;
        p = realloc(*arr, n * size);
        ENSURE_ALLOC(p);
        *arr = p;
        *cap = n;
        return 0;
}

static int keep(struct found *f, ProtobufCMessage *m, Spire__Api__Types__Entry *const *entries,
                size_t n, const struct ae_cli_entry_opts *o)
{
        if (grow((void **)&f->msgs, &f->cap_msgs, f->n_msgs + 1, sizeof(*f->msgs)) < 0) {
                protobuf_c_message_free_unpacked(m, NULL);
                return -ENOMEM;
        }
        f->msgs[f->n_msgs++] = m;
        for (size_t i = 0; i < n; i++) {
                if (!entries[i] || !wanted(entries[i], o))
                        continue;
                GUARD(grow((void **)&f->entries, &f->cap, f->n + 1, sizeof(*f->entries)));
                f->entries[f->n++] = entries[i];
        }
        return 0;
}

static int get_one(struct ae_admin_client *c, const struct ae_cli_entry_opts *o, struct found *f,
                   char *err, size_t cap)
{
        Spire__Api__Server__Entry__V1__GetEntryRequest req =
                SPIRE__API__SERVER__ENTRY__V1__GET_ENTRY_REQUEST__INIT;
        ProtobufCMessage *m = NULL;
        Spire__Api__Types__Entry *e;

        req.id = (char *)o->entry_id;
        GUARD(ae_admin_call(c, ENTRY_SERVICE "GetEntry", &req.base,
                            &spire__api__types__entry__descriptor, &m, NULL, err, cap));
        e = (Spire__Api__Types__Entry *)m;
        return keep(f, m, &e, 1, o);
}

static int list_all(struct ae_admin_client *c, const struct ae_cli_entry_opts *o,
                    struct found *f, char *err, size_t cap)
{
        Spire__Api__Server__Entry__V1__ListEntriesRequest req =
                SPIRE__API__SERVER__ENTRY__V1__LIST_ENTRIES_REQUEST__INIT;
        Spire__Api__Server__Entry__V1__ListEntriesRequest__Filter filter =
                SPIRE__API__SERVER__ENTRY__V1__LIST_ENTRIES_REQUEST__FILTER__INIT;
        const ProtobufCMessageDescriptor *type =
                &spire__api__server__entry__v1__list_entries_response__descriptor;
        size_t seen = 0;

        if (o->parent_id.set) {
                filter.by_parent_id = (Spire__Api__Types__SPIFFEID *)&o->parent_id.msg;
                req.filter = &filter;
        }
        req.page_size = AE_ADMIN_LIST_PAGE;
        req.page_token = (char *)"";
        for (;;) {
                Spire__Api__Server__Entry__V1__ListEntriesResponse *page;
                ProtobufCMessage *m = NULL;

                GUARD(ae_admin_call(c, ENTRY_SERVICE "ListEntries", &req.base, type, &m, NULL,
                                    err, cap));
                page = (Spire__Api__Server__Entry__V1__ListEntriesResponse *)m;
                seen += page->n_entries;
                GUARD(keep(f, m, page->entries, page->n_entries, o)); /* m kept, also on failure */
                if (!page->next_page_token || !page->next_page_token[0])
                        return 0;
                if (seen > AE_CLI_ENTRY_SHOW_MAX) {
                        snprintf(err, cap, "more than %d entries; narrow with -parentID",
                                 AE_CLI_ENTRY_SHOW_MAX);
                        return -E2BIG;
                }
                if (strcmp(page->next_page_token, req.page_token) == 0) {
                        snprintf(err, cap, "aegis-server sent the same page token twice");
                        return -EPROTO;
                }
                req.page_token = page->next_page_token; /* lives in the kept page */
        }
}

int ae_cli_entry_show(const struct ae_cli_entry_opts *o)
{
        _cleanup_(ae_admin_client_freep) struct ae_admin_client *c = NULL;
        struct found f = { 0 };
        char err[AE_ADMIN_ERROR_MAX];
        int r;

        r = ae_admin_client_new(o->socket_path, &c, err, sizeof(err));
        if (r == 0)
                r = o->entry_id ? get_one(c, o, &f, err, sizeof(err))
                                : list_all(c, o, &f, err, sizeof(err));
        if (r == -ENOMEM)
                snprintf(err, sizeof(err), "out of memory");
        if (r < 0) {
                fprintf(stderr, "aegis entry show: %s\n", err);
                found_clear(&f);
                return 1;
        }
        printf("Found %zu %s\n", f.n, f.n == 1 ? "entry" : "entries");
        for (size_t i = 0; i < f.n; i++)
                ae_cli_entry_print(f.entries[i]);
        found_clear(&f);
        return 0;
}
