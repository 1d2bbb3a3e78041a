#include "control-plane/server/server_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/config_json.h"

void ae_server_config_default(struct ae_server_config *ret)
{
        *ret = (struct ae_server_config){
                .n_server_names = 1,
                .server_names = { "localhost" },
                .agent_svid_ttl_s = 3600,
                .x509_svid_ttl_s = 3600,
                .jwt_svid_ttl_s = 300,
                .reattestation_max_age_s = 900,
                .workers = 2,
        };
}

static const char *const members[] = {
        "policy", "ca_dir", "datastore", "listen", "server_names", "admin_socket",
        "agent_svid_ttl_s", "x509_svid_ttl_s", "jwt_svid_ttl_s", "reattestation_max_age_s",
        "workers", NULL,
};

static int read_members(struct ae_config *c, struct ae_server_config *cfg)
{
        int64_t workers = cfg->workers;
        const char *colon;

        GUARD(ae_config_only(c, members));
        GUARD(ae_config_path(c, "policy", true, cfg->policy_path, sizeof(cfg->policy_path)));
        GUARD(ae_config_path(c, "ca_dir", true, cfg->ca_dir, sizeof(cfg->ca_dir)));
        GUARD(ae_config_path(c, "datastore", true, cfg->datastore_path,
                             sizeof(cfg->datastore_path)));
        GUARD(ae_config_string(c, "listen", true, cfg->listen, sizeof(cfg->listen)));
        colon = strrchr(cfg->listen, ':');
        if (!colon || colon == cfg->listen || !colon[1])
                return ae_config_fail(c, "$.listen: expected host:port");
        GUARD(ae_config_strings(c, "server_names", false, &cfg->server_names[0][0],
                                AE_SERVER_NAMES_MAX, sizeof(cfg->server_names[0]),
                                &cfg->n_server_names));
        if (cfg->n_server_names == 0)
                return ae_config_fail(c, "$.server_names: at least one name");
        GUARD(ae_config_path(c, "admin_socket", false, cfg->admin_socket,
                             sizeof(cfg->admin_socket)));
        GUARD(ae_config_int(c, "agent_svid_ttl_s", false, 60, 30 * 24 * 3600LL,
                            &cfg->agent_svid_ttl_s));
        GUARD(ae_config_int(c, "x509_svid_ttl_s", false, 60, 30 * 24 * 3600LL,
                            &cfg->x509_svid_ttl_s));
        GUARD(ae_config_int(c, "jwt_svid_ttl_s", false, 60, 24 * 3600LL, &cfg->jwt_svid_ttl_s));
        GUARD(ae_config_int(c, "reattestation_max_age_s", false, 10, 7 * 24 * 3600LL,
                            &cfg->reattestation_max_age_s));
        GUARD(ae_config_int(c, "workers", false, 1, 64, &workers));
        cfg->workers = (uint32_t)workers;
        return 0;
}

int ae_server_config_parse(const char *text, size_t len, const char *base_dir,
                           struct ae_server_config *ret, char *err, size_t err_cap)
{
        struct ae_server_config cfg;
        struct ae_config c;
        int r;

        ae_server_config_default(&cfg);
        GUARD(ae_config_open(&c, text, len, base_dir, err, err_cap));
        r = read_members(&c, &cfg);
        ae_config_close(&c);
        if (r == 0)
                *ret = cfg;
        return r;
}

int ae_server_config_load(const char *path, struct ae_server_config *ret, char *err,
                          size_t err_cap)
{
        struct ae_server_config cfg;
        struct ae_config c;
        int r;

        ae_server_config_default(&cfg);
        GUARD(ae_config_open_file(&c, path, err, err_cap));
        r = read_members(&c, &cfg);
        ae_config_close(&c);
        if (r == 0)
                *ret = cfg;
        return r;
}
