/* aegis-server's configuration file: one JSON object, every member checked
 * on load, an error naming the member ("$.listen: expected host:port").
 * Relative paths are taken from the configuration file's directory.
 *
 *   {
 *     "policy": "policy.json",            node policy: trust domain, EK trust,
 *                                         PCR golden sets, zones (policy.h)
 *     "ca_dir": "ca",                     the CA directory (aegis ca init)
 *     "datastore": "aegis.sqlite3",       SQLite file, created when missing
 *     "listen": "0.0.0.0:8081",           agents: TLS, then mTLS with their SVID
 *     "server_names": ["localhost"],      DNS names in the server's certificate,
 *                                         the names agents dial
 *     "admin_socket": "/run/aegis/server.sock",
 *                                         entry admin, mode 0600: root and the
 *                                         server's own user only
 *     "agent_svid_ttl_s": 3600,           agent SVID lifetime
 *     "x509_svid_ttl_s": 3600,            workload X.509-SVIDs, unless the entry says
 *     "jwt_svid_ttl_s": 300,              workload JWT-SVIDs, unless the entry says
 *     "reattestation_max_age_s": 900,     a node whose latest accepted attestation
 *                                         is older gets no new SVIDs
 *     "workers": 2                        threads verifying and signing
 *   }
 *
 * Only "policy", "ca_dir", "datastore" and "listen" are required. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"

#define AE_SERVER_NAMES_MAX 8
#define AE_SERVER_PATH_MAX 4096
#define AE_SERVER_ERROR_MAX 320

struct ae_server_config {
        char policy_path[AE_SERVER_PATH_MAX];
        char ca_dir[AE_SERVER_PATH_MAX];
        char datastore_path[AE_SERVER_PATH_MAX];
        char listen[256];
        size_t n_server_names;
        char server_names[AE_SERVER_NAMES_MAX][254];
        char admin_socket[108]; /* "" for none */
        int64_t agent_svid_ttl_s;
        int64_t x509_svid_ttl_s;
        int64_t jwt_svid_ttl_s;
        int64_t reattestation_max_age_s;
        uint32_t workers;
};

/* The defaults for every optional member. */
void ae_server_config_default(struct ae_server_config *ret);

/* Read and check the file. -ENOENT/-EACCES/... for the file, -EINVAL for
 * its contents, with the reason in err (cap AE_SERVER_ERROR_MAX). */
AE_MUST_USE int ae_server_config_load(const char *path, struct ae_server_config *ret, char *err,
                                      size_t err_cap);

/* The same for JSON text; relative paths are taken from base_dir. */
AE_MUST_USE int ae_server_config_parse(const char *text, size_t len, const char *base_dir,
                                       struct ae_server_config *ret, char *err, size_t err_cap);
