/* The server's one rule for which entries a node may have SVIDs for
 * (control-plane/server/authorized.h), on a real SQLite datastore: the list
 * GetAuthorizedEntries sends (ae_server_authorized_foreach) and the check
 * every signing call makes (ae_server_authorized_entry) must agree entry by
 * entry, through node aliases, zone selectors and the alias limit. */
#include "control-plane/server/authorized.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

#define TD "spiffe://aegis.test"
#define SERVER_ID TD "/spire/server"
#define AGENT_ID TD "/spire/agent/aegis_tpm/node"

static char dir[64];
static struct ae_ds *ds;
static struct ae_ds_node *node;

static void setup(void)
{
        char path[128];

        strcpy(dir, "/tmp/aegis-authorized-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/aegis.db", dir);
        ck_assert_int_eq(ae_ds_open(path, &ds), 0);
        /* Attested with PCR policy "base" in zone berlin. */
        node = calloc(1, sizeof(*node));
        ck_assert_ptr_nonnull(node);
        strcpy(node->spiffe_id, AGENT_ID);
        node->n_selectors = 2;
        strcpy(node->selectors[0].type, "aegis_tpm");
        strcpy(node->selectors[0].value, "pcr_policy:base");
        strcpy(node->selectors[1].type, "aegis_tpm");
        strcpy(node->selectors[1].value, "geo_zone:berlin");
}

static void teardown(void)
{
        char cmd[128];

        ae_ds_close(ds);
        free(node);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

/* A new entry's id: spiffe_id under parent_id, with "type:value" selectors
 * (NULL-terminated). */
static void create(char id[AE_DS_ENTRY_ID_SIZE], const char *spiffe_id, const char *parent_id,
                   ...)
{
        struct ae_ds_entry *e = calloc(1, sizeof(*e));
        enum ae_ds_entry_reason why;
        const char *sel;
        va_list ap;

        ck_assert_ptr_nonnull(e);
        strcpy(e->spiffe_id, spiffe_id);
        strcpy(e->parent_id, parent_id);
        va_start(ap, parent_id);
        while ((sel = va_arg(ap, const char *)) != NULL) {
                const char *colon = strchr(sel, ':');

                ck_assert_ptr_nonnull(colon);
                memcpy(e->selectors[e->n_selectors].type, sel, (size_t)(colon - sel));
                strcpy(e->selectors[e->n_selectors].value, colon + 1);
                e->n_selectors++;
        }
        va_end(ap);
        ck_assert_int_eq(ae_ds_entry_create(ds, e, id, &why), 0);
        free(e);
}

/* The ids ae_server_authorized_foreach lists, newline-separated. */
struct listed {
        char text[64 * AE_DS_ENTRY_ID_SIZE];
};

static int add_listed(const struct ae_ds_entry *e, void *ud)
{
        struct listed *l = ud;

        ck_assert_uint_lt(strlen(l->text) + AE_DS_ENTRY_ID_SIZE, sizeof(l->text));
        strcat(l->text, e->id);
        strcat(l->text, "\n");
        return 0;
}

/* Whether the entry is authorised for the node, asserting that the list
 * and the single check say the same, and that the check returns the entry
 * itself. */
static bool authorized(const struct listed *l, const char *id)
{
        struct ae_ds_entry *got = calloc(1, sizeof(*got));
        bool listed = strstr(l->text, id) != NULL;
        int r;

        ck_assert_ptr_nonnull(got);
        r = ae_server_authorized_entry(ds, node, SERVER_ID, id, got);
        ck_assert_int_ge(r, 0);
        ck_assert_msg((r == 1) == listed, "entry %s: check says %d, list says %d", id, r, listed);
        if (r == 1)
                ck_assert_str_eq(got->id, id);
        free(got);
        return r == 1;
}

static struct listed *list_now(void)
{
        struct listed *l = calloc(1, sizeof(*l));

        ck_assert_ptr_nonnull(l);
        ck_assert_int_eq(ae_server_authorized_foreach(ds, node, SERVER_ID, add_listed, l), 0);
        return l;
}

START_TEST(list_and_check_agree)
{
        char direct[AE_DS_ENTRY_ID_SIZE], alias[AE_DS_ENTRY_ID_SIZE],
                via_alias[AE_DS_ENTRY_ID_SIZE], other_alias[AE_DS_ENTRY_ID_SIZE],
                via_other_alias[AE_DS_ENTRY_ID_SIZE], berlin[AE_DS_ENTRY_ID_SIZE],
                paris[AE_DS_ENTRY_ID_SIZE], alias_paris[AE_DS_ENTRY_ID_SIZE],
                another_agent[AE_DS_ENTRY_ID_SIZE];
        struct listed *l;

        create(direct, TD "/direct", AGENT_ID, "aegis_exe:uid:0", NULL);
        create(alias, TD "/node/base", SERVER_ID, "aegis_tpm:pcr_policy:base", NULL);
        create(via_alias, TD "/model", TD "/node/base", "aegis_exe:uid:1", NULL);
        create(other_alias, TD "/node/other", SERVER_ID, "aegis_tpm:pcr_policy:other", NULL);
        create(via_other_alias, TD "/elsewhere", TD "/node/other", "aegis_exe:uid:0", NULL);
        create(berlin, TD "/berlin", AGENT_ID, "aegis_exe:uid:0", "aegis_tpm:geo_zone:berlin",
               NULL);
        create(paris, TD "/paris", AGENT_ID, "aegis_exe:uid:0", "aegis_tpm:geo_zone:paris", NULL);
        create(alias_paris, TD "/model-paris", TD "/node/base", "aegis_exe:uid:0",
               "aegis_tpm:geo_zone:paris", NULL);
        create(another_agent, TD "/theirs", TD "/spire/agent/aegis_tpm/other", "aegis_exe:uid:0",
               NULL);

        l = list_now();
        ck_assert(authorized(l, direct));
        ck_assert(authorized(l, via_alias));
        ck_assert(authorized(l, berlin));
        ck_assert(!authorized(l, alias)); /* the alias itself is for the server */
        ck_assert(!authorized(l, other_alias));
        ck_assert(!authorized(l, via_other_alias));
        ck_assert(!authorized(l, paris));
        ck_assert(!authorized(l, alias_paris));
        ck_assert(!authorized(l, another_agent));
        free(l);

        /* Unknown and malformed ids are not authorised, not errors. */
        ck_assert_int_eq(ae_server_authorized_entry(ds, node, SERVER_ID,
                                                    "00000000-0000-4000-8000-000000000000", NULL),
                         0);
        ck_assert_int_eq(ae_server_authorized_entry(ds, node, SERVER_ID, "x'; --", NULL), 0);

        /* Re-attested outside berlin, the node loses the zoned entry at once. */
        strcpy(node->selectors[1].value, "geo_zone:paris");
        l = list_now();
        ck_assert(!authorized(l, berlin));
        ck_assert(authorized(l, paris));
        ck_assert(authorized(l, alias_paris));
        ck_assert(authorized(l, direct));
        free(l);
}
END_TEST

struct alias_row {
        char id[AE_DS_ENTRY_ID_SIZE];
        char spiffe_id[64];
};

static int by_id(const void *a, const void *b)
{
        return strcmp(((const struct alias_row *)a)->id, ((const struct alias_row *)b)->id);
}

/* One alias more than the limit: the last one in id order is not honoured,
 * by the list and by the check alike. */
START_TEST(aliases_beyond_the_limit)
{
        static struct alias_row rows[AE_SERVER_ALIASES_MAX + 1];
        char last_kept[AE_DS_ENTRY_ID_SIZE], dropped[AE_DS_ENTRY_ID_SIZE];
        struct listed *l;

        for (size_t i = 0; i < AE_SERVER_ALIASES_MAX + 1; i++) {
                snprintf(rows[i].spiffe_id, sizeof(rows[i].spiffe_id), TD "/node/a%03zu", i);
                create(rows[i].id, rows[i].spiffe_id, SERVER_ID, "aegis_tpm:pcr_policy:base",
                       NULL);
        }
        qsort(rows, AE_SERVER_ALIASES_MAX + 1, sizeof(rows[0]), by_id);
        create(last_kept, TD "/kept", rows[AE_SERVER_ALIASES_MAX - 1].spiffe_id,
               "aegis_exe:uid:0", NULL);
        create(dropped, TD "/dropped", rows[AE_SERVER_ALIASES_MAX].spiffe_id, "aegis_exe:uid:0",
               NULL);

        l = list_now();
        ck_assert(authorized(l, last_kept));
        ck_assert(!authorized(l, dropped));
        free(l);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("authorized");
        TCase *tc = tcase_create("authorized");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, list_and_check_agree);
        tcase_add_test(tc, aliases_beyond_the_limit);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
