/* aegis-agent's configuration file: one JSON object, checked on load, each
 * error naming its member. Relative paths are taken from the file's
 * directory.
 *
 *   {
 *     "trust_domain": "example.org",
 *     "server_address": "aegis-server.example.org:8081",
 *     "server_name": "aegis-server.example.org",   name in the server's certificate;
 *                                                  default: server_address's host
 *     "trust_bundle": "bootstrap-bundle.pem",      roots the server's certificate
 *                                                  chains to (first contact)
 *     "socket_path": "/run/aegis/agent.sock",      the Workload API
 *     "tpm": { "tcti": "device:/dev/tpmrm0",      default: tpm2-tss's default
 *              "ek": "rsa" | "ecc", "ak": "ecc" | "rsa",
 *              "ak_handle": 0 },                   persistent AK handle, 0: transient
 *     "gnss": { "gpsd": "127.0.0.1:2947",          Proof of Geofencing: a fix from
 *               "device": "/dev/ttyACM0",          gpsd in every attestation; absent:
 *               "serial": "F9P-0042",              PoR only
 *               "timeout_s": 10 },
 *     "reattest_interval_s": 300,                  default 300 with gnss, 900 without
 *     "sync_interval_s": 5,                        entries and SVIDs from the server
 *     "workers": 2                                 Workload API threads
 *   }
 *
 * Required: trust_domain, server_address, trust_bundle, socket_path. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/guard.h"
#include "common/spiffe_id.h"

#define AE_AGENT_PATH_MAX 4096
#define AE_AGENT_ERROR_MAX 320

struct ae_agent_config {
        char trust_domain[AE_TRUST_DOMAIN_MAX + 1];
        char server_address[256];
        char server_name[254]; /* "" : the address's host */
        char trust_bundle[AE_AGENT_PATH_MAX];
        char socket_path[108];
        char tcti[256];        /* "" : the default */
        bool ek_ecc, ak_rsa;
        uint32_t ak_handle;
        bool gnss;             /* PoG configured */
        char gpsd_host[256];
        uint16_t gpsd_port;
        char gnss_device[256];
        char gnss_serial[129];
        uint32_t gnss_timeout_s;
        uint32_t reattest_interval_s;
        uint32_t sync_interval_s;
        uint32_t workers;
};

/* Read and check. -errno for the file, -EINVAL with err for its contents. */
AE_MUST_USE int ae_agent_config_load(const char *path, struct ae_agent_config *ret, char *err,
                                     size_t err_cap);
AE_MUST_USE int ae_agent_config_parse(const char *text, size_t len, const char *base_dir,
                                      struct ae_agent_config *ret, char *err, size_t err_cap);
