#include "control-plane/agent/agent_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config_json.h"

static const char *const top[] = {
        "trust_domain", "server_address", "server_name", "trust_bundle", "socket_path", "tpm",
        "gnss", "reattest_interval_s", "sync_interval_s", "workers", NULL,
};
static const char *const tpm_members[] = { "tcti", "ek", "ak", "ak_handle", NULL };
static const char *const gnss_members[] = { "gpsd", "device", "serial", "timeout_s", NULL };

/* A nested object read with the same helpers ("$.tpm.ek: ..."). */
static int sub(struct ae_config *c, const char *key, struct ae_config *ret)
{
        json_t *v = json_object_get(c->root, key);

        *ret = *c;
        ret->root = NULL;
        if (!v)
                return 0;
        if (!json_is_object(v))
                return ae_config_fail(c, "$.%s: expected an object", key);
        ret->root = v;
        return 0;
}

static int read_tpm(struct ae_config *c, struct ae_agent_config *cfg)
{
        struct ae_config t;
        char alg[8] = "";
        int64_t handle = 0;

        GUARD(sub(c, "tpm", &t));
        if (!t.root)
                return 0;
        GUARD(ae_config_only(&t, tpm_members));
        GUARD(ae_config_string(&t, "tcti", false, cfg->tcti, sizeof(cfg->tcti)));
        GUARD(ae_config_string(&t, "ek", false, alg, sizeof(alg)));
        if (alg[0] && strcmp(alg, "rsa") != 0 && strcmp(alg, "ecc") != 0)
                return ae_config_fail(c, "$.tpm.ek: rsa or ecc");
        cfg->ek_ecc = strcmp(alg, "ecc") == 0;
        alg[0] = '\0';
        GUARD(ae_config_string(&t, "ak", false, alg, sizeof(alg)));
        if (alg[0] && strcmp(alg, "rsa") != 0 && strcmp(alg, "ecc") != 0)
                return ae_config_fail(c, "$.tpm.ak: ecc or rsa");
        cfg->ak_rsa = strcmp(alg, "rsa") == 0;
        GUARD(ae_config_int(&t, "ak_handle", false, 0, 0xffffffffLL, &handle));
        if (handle && (handle < 0x81000000LL || handle > 0x81ffffffLL))
                return ae_config_fail(c, "$.tpm.ak_handle: 0 or a persistent handle, "
                                         "0x81000000..0x81ffffff");
        cfg->ak_handle = (uint32_t)handle;
        return 0;
}

static int read_gnss(struct ae_config *c, struct ae_agent_config *cfg)
{
        struct ae_config g;
        char gpsd[300] = "127.0.0.1:2947";
        int64_t timeout = 10;
        char *colon, *end;
        long port;

        GUARD(sub(c, "gnss", &g));
        if (!g.root)
                return 0;
        cfg->gnss = true;
        GUARD(ae_config_only(&g, gnss_members));
        GUARD(ae_config_string(&g, "gpsd", false, gpsd, sizeof(gpsd)));
        colon = strrchr(gpsd, ':');
        if (!colon || colon == gpsd)
                return ae_config_fail(c, "$.gnss.gpsd: expected host:port");
        *colon = '\0';
        port = strtol(colon + 1, &end, 10);
        if (*end || port < 1 || port > 65535 || strlen(gpsd) >= sizeof(cfg->gpsd_host))
                return ae_config_fail(c, "$.gnss.gpsd: expected host:port");
        memcpy(cfg->gpsd_host, gpsd, strlen(gpsd) + 1);
        cfg->gpsd_port = (uint16_t)port;
        GUARD(ae_config_string(&g, "device", false, cfg->gnss_device, sizeof(cfg->gnss_device)));
        GUARD(ae_config_string(&g, "serial", false, cfg->gnss_serial, sizeof(cfg->gnss_serial)));
        GUARD(ae_config_int(&g, "timeout_s", false, 1, 600, &timeout));
        cfg->gnss_timeout_s = (uint32_t)timeout;
        return 0;
}

static int read_all(struct ae_config *c, struct ae_agent_config *cfg)
{
        int64_t reattest = 0, sync = 5, workers = 2;

        GUARD(ae_config_only(c, top));
        GUARD(ae_config_string(c, "trust_domain", true, cfg->trust_domain,
                               sizeof(cfg->trust_domain)));
        GUARD(ae_config_string(c, "server_address", true, cfg->server_address,
                               sizeof(cfg->server_address)));
        if (!strrchr(cfg->server_address, ':'))
                return ae_config_fail(c, "$.server_address: expected host:port");
        GUARD(ae_config_string(c, "server_name", false, cfg->server_name,
                               sizeof(cfg->server_name)));
        GUARD(ae_config_path(c, "trust_bundle", true, cfg->trust_bundle,
                             sizeof(cfg->trust_bundle)));
        GUARD(ae_config_path(c, "socket_path", true, cfg->socket_path, sizeof(cfg->socket_path)));
        GUARD(read_tpm(c, cfg));
        GUARD(read_gnss(c, cfg));
        GUARD(ae_config_int(c, "reattest_interval_s", false, 5, 7 * 24 * 3600LL, &reattest));
        cfg->reattest_interval_s = reattest ? (uint32_t)reattest : cfg->gnss ? 300 : 900;
        GUARD(ae_config_int(c, "sync_interval_s", false, 1, 3600, &sync));
        cfg->sync_interval_s = (uint32_t)sync;
        GUARD(ae_config_int(c, "workers", false, 1, 64, &workers));
        cfg->workers = (uint32_t)workers;
        return 0;
}

int ae_agent_config_parse(const char *text, size_t len, const char *base_dir,
                          struct ae_agent_config *ret, char *err, size_t err_cap)
{
        struct ae_agent_config cfg = { 0 };
        struct ae_config c;
        int r;

        GUARD(ae_config_open(&c, text, len, base_dir, err, err_cap));
        r = read_all(&c, &cfg);
        ae_config_close(&c);
        if (r == 0)
                *ret = cfg;
        return r;
}

int ae_agent_config_load(const char *path, struct ae_agent_config *ret, char *err,
                         size_t err_cap)
{
        struct ae_agent_config cfg = { 0 };
        struct ae_config c;
        int r;

        GUARD(ae_config_open_file(&c, path, err, err_cap));
        r = read_all(&c, &cfg);
        ae_config_close(&c);
        if (r == 0)
                *ret = cfg;
        return r;
}
