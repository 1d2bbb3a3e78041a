#include "control-plane/server/authorized.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node-attestor/verify/node_verifier.h"

/* Node aliases matched for one node: their SPIFFE IDs. */
struct aliases {
        size_t n;
        char ids[AE_SERVER_ALIASES_MAX][AE_SPIFFE_ID_SIZE];
};

static bool node_has(const struct ae_ds_node *node, const struct ae_ds_selector *s)
{
        for (size_t i = 0; i < node->n_selectors; i++)
                if (strcmp(node->selectors[i].type, s->type) == 0 &&
                    strcmp(node->selectors[i].value, s->value) == 0)
                        return true;
        return false;
}

bool ae_server_node_has_selectors(const struct ae_ds_node *node, const struct ae_ds_entry *e,
                                  const char *type_filter)
{
        for (size_t i = 0; i < e->n_selectors; i++) {
                if (type_filter && strcmp(e->selectors[i].type, type_filter) != 0)
                        continue;
                if (!node_has(node, &e->selectors[i]))
                        return false;
        }
        return true;
}

/* Pages through every entry (parent_id NULL) or those whose parent is
 * parent_id, in id order, calling fn on each. */
static int each_entry(struct ae_ds *ds, const char *parent_id,
                      int (*fn)(const struct ae_ds_entry *e, void *ud), void *ud)
{
        char after[AE_DS_ENTRY_ID_SIZE] = "";

        for (;;) {
                struct ae_ds_entry *page = NULL;
                size_t n = 0;
                int r = parent_id ? ae_ds_entry_list_by_parent(ds, parent_id, after,
                                                               AE_DS_LIST_MAX, &page, &n)
                                  : ae_ds_entry_list(ds, after, AE_DS_LIST_MAX, &page, &n);

                if (r < 0)
                        return r;
                for (size_t i = 0; i < n && r >= 0; i++)
                        r = fn(&page[i], ud);
                if (n > 0)
                        memcpy(after, page[n - 1].id, sizeof(after));
                free(page);
                if (r < 0)
                        return r;
                if (n < AE_DS_LIST_MAX)
                        return 0;
        }
}

struct walk {
        const struct ae_ds_node *node;
        const char *server_id;
        struct aliases aliases;
        int (*fn)(const struct ae_ds_entry *e, void *ud);
        void *ud;
};

/* Called on each entry whose parent is the server, in id order. */
static int collect_alias(const struct ae_ds_entry *e, void *ud)
{
        struct walk *w = ud;

        if (ae_server_node_has_selectors(w->node, e, NULL) && w->aliases.n < AE_SERVER_ALIASES_MAX)
                memcpy(w->aliases.ids[w->aliases.n++], e->spiffe_id, AE_SPIFFE_ID_SIZE);
        return 0;
}

static bool authorized(const struct walk *w, const struct ae_ds_entry *e)
{
        bool parent_ok = strcmp(e->parent_id, w->node->spiffe_id) == 0;

        for (size_t i = 0; i < w->aliases.n && !parent_ok; i++)
                parent_ok = strcmp(e->parent_id, w->aliases.ids[i]) == 0;
        return parent_ok && ae_server_node_has_selectors(w->node, e, AE_NODE_ATTESTOR_TYPE);
}

static int call_if_authorized(const struct ae_ds_entry *e, void *ud)
{
        struct walk *w = ud;

        return authorized(w, e) ? w->fn(e, w->ud) : 0;
}

static int start_walk(struct ae_ds *ds, const struct ae_ds_node *node, const char *server_id,
                      struct walk **ret)
{
        struct walk *w = calloc(1, sizeof(*w));
        int r;

        ENSURE_ALLOC(w);
        w->node = node;
        w->server_id = server_id;
        r = each_entry(ds, server_id, collect_alias, w);
        if (r < 0) {
                free(w);
                return r;
        }
        *ret = w;
        return 0;
}

int ae_server_authorized_foreach(struct ae_ds *ds, const struct ae_ds_node *node,
                                 const char *server_id,
                                 int (*fn)(const struct ae_ds_entry *e, void *ud), void *ud)
{
        struct walk *w;
        int r;

        ENSURE(ds && node && server_id && fn, -EINVAL);
        GUARD(start_walk(ds, node, server_id, &w));
        w->fn = fn;
        w->ud = ud;
        r = each_entry(ds, NULL, call_if_authorized, w);
        free(w);
        return r;
}

/* Whether parent_id is the node's own agent ID or one of its aliases.
 * The entry's parent is nearly always the agent ID; only otherwise are the
 * server's entries walked for aliases, never the whole table. */
static int parent_is_node(struct ae_ds *ds, const struct ae_ds_node *node, const char *server_id,
                          const char *parent_id)
{
        struct walk *w;
        bool found = strcmp(parent_id, node->spiffe_id) == 0;

        if (found)
                return 1;
        GUARD(start_walk(ds, node, server_id, &w));
        for (size_t i = 0; i < w->aliases.n && !found; i++)
                found = strcmp(parent_id, w->aliases.ids[i]) == 0;
        free(w);
        return found ? 1 : 0;
}

int ae_server_authorized_entry(struct ae_ds *ds, const struct ae_ds_node *node,
                               const char *server_id, const char *entry_id,
                               struct ae_ds_entry *ret)
{
        struct ae_ds_entry *e;
        int r;

        ENSURE(ds && node && server_id && entry_id, -EINVAL);
        e = malloc(sizeof(*e));
        ENSURE_ALLOC(e);
        r = ae_ds_entry_get(ds, entry_id, e);
        if (r == -ENOENT || r == -EINVAL)
                r = 0;
        else if (r == 0)
                r = parent_is_node(ds, node, server_id, e->parent_id);
        if (r == 1 && !ae_server_node_has_selectors(node, e, AE_NODE_ATTESTOR_TYPE))
                r = 0;
        if (r == 1 && ret)
                *ret = *e;
        free(e);
        return r;
}
