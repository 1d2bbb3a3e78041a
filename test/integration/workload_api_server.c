/* A Workload API for tests: workload_api_server SOCKET CA_DIR. It creates a
 * CA for example.org in CA_DIR, serves the Workload API on SOCKET with an
 * issuer-backed SVID source (node claims: PoG in eu-de), prints READY, and
 * then takes commands on stdin, one per line, answering OK or ERR:
 *   entry ID SPIFFE_ID TTL SELECTOR...   add an entry (TTL: X.509-SVID seconds)
 *   clear                                no entries
 *   streams                              print the number of open streams
 * It stops at end of input. The entries are applied as one set after each
 * command, as a server sync would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/issuer_source.h"
#include "control-plane/agent/workload_api.h"
#include "svid-issuer/ca.h"
#include "svid-issuer/claims.h"
#include "workload-attestor/workload_attestor.h"

#define MAX_ENTRIES 16
#define HEX64 "60bec0c12469e811b409d2e983c1e82b0bc4e277f498cdd7634cd0a9e3e61a7f"

static void node_claims(struct ae_claims *c, time_t now)
{
        memset(c, 0, sizeof(*c));
        c->level = AE_CLAIMS_POG;
        c->tpm.present = true;
        strcpy(c->tpm.ek_hash, HEX64);
        strcpy(c->tpm.ak_name, "000b" HEX64);
        strcpy(c->tpm.pcr_policy, "base");
        strcpy(c->tpm.pcr_digest, HEX64);
        c->tpm.attested_at = now;
        c->geo.present = true;
        c->geo.n_zones = 1;
        strcpy(c->geo.zones[0], "eu-de");
        strcpy(c->geo.policy_digest, HEX64);
        strcpy(c->geo.sensor_id, "test-receiver");
        c->geo.fix_time = now;
}

/* "entry ID SPIFFE_ID TTL SELECTOR..." into e. */
static int parse_entry(char *line, struct ae_reg_entry *e)
{
        char *save = NULL, *tok;
        int field = 0;

        memset(e, 0, sizeof(*e));
        for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
                if (field == 0)
                        continue; /* "entry" */
                if (field == 1)
                        snprintf(e->id, sizeof(e->id), "%s", tok);
                else if (field == 2)
                        snprintf(e->spiffe_id, sizeof(e->spiffe_id), "%s", tok);
                else if (field == 3)
                        e->x509_svid_ttl = atoll(tok);
                else if (e->n_selectors < AE_REG_ENTRY_SELECTORS_MAX)
                        snprintf(e->selectors[e->n_selectors++], sizeof(e->selectors[0]), "%s",
                                 tok);
        }
        return field >= 5 ? 0 : -1;
}

int main(int argc, char **argv)
{
        static struct ae_reg_entry entries[MAX_ENTRIES];
        struct ae_ca_options opt = { .trust_domain = "example.org" };
        const char *const node_sel[] = { "level:pog", "geo_zone:eu-de" };
        struct ae_workload_attestor *attestor = NULL;
        struct ae_entry_cache *cache = NULL;
        struct ae_issuer_source *is = NULL;
        struct ae_workload_api *api = NULL;
        struct ae_workload_api_config cfg = { 0 };
        struct ae_ca *ca = NULL;
        struct ae_claims claims;
        size_t n = 0;
        char line[4096];
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: workload_api_server SOCKET CA_DIR\n");
                return 2;
        }
        node_claims(&claims, time(NULL));
        r = ae_ca_init(argv[2], &opt, time(NULL), NULL);
        if (r == 0)
                r = ae_ca_load(argv[2], time(NULL), &ca, NULL);
        if (r == 0)
                r = ae_issuer_source_new(ca, &claims, AE_CA_KEY_P256, &is);
        if (r == 0)
                r = ae_entry_cache_new(&cache);
        if (r == 0)
                r = ae_workload_attestor_new(NULL, &attestor);
        if (r == 0) {
                cfg.socket_path = argv[1];
                cfg.attestor = attestor;
                cfg.entries = cache;
                cfg.source = ae_issuer_source_as_source(is);
                cfg.node_selectors = node_sel;
                cfg.n_node_selectors = 2;
                cfg.push_interval_ms = 200;
                r = ae_workload_api_new(&cfg, &api);
        }
        if (r == 0)
                r = ae_workload_api_start(api);
        if (r < 0) {
                fprintf(stderr, "workload_api_server: start: %s\n", strerror(-r));
                return 1;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("READY\n");
        while (fgets(line, sizeof(line), stdin)) {
                bool ok = true;

                if (strncmp(line, "entry ", 6) == 0)
                        ok = n < MAX_ENTRIES && parse_entry(line, &entries[n]) == 0 && ++n;
                else if (strncmp(line, "clear", 5) == 0)
                        n = 0;
                else if (strncmp(line, "streams", 7) == 0) {
                        printf("%zu\n", ae_workload_api_streams(api));
                        continue;
                } else
                        ok = false;
                if (ok && ae_entry_cache_set(cache, entries, n, NULL, NULL) < 0) {
                        n--;
                        ok = false;
                }
                printf("%s\n", ok ? "OK" : "ERR");
        }
        ae_workload_api_free(api);
        ae_workload_attestor_free(attestor);
        ae_entry_cache_free(cache);
        ae_issuer_source_free(is);
        ae_ca_free(ca);
        return 0;
}
