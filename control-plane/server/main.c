/* aegis-server: verifies nodes, stores entries, signs SVIDs (server.h).
 *
 *   aegis-server -config <file> [-log-format text|json] [-log-level info]
 *
 * Runs in the foreground until SIGTERM or SIGINT, then stops gracefully.
 * Prints "aegis-server: listening on <addr> (port N)" once agents can
 * connect, for scripts and unit files to wait on. */
#include <stdio.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "control-plane/server/server.h"
#include "control-plane/server/server_config.h"

int main(int argc, char **argv)
{
        struct ae_daemon_args args;
        struct ae_server_config cfg;
        struct ae_server *srv = NULL;
        char err[AE_SERVER_ERROR_MAX];
        sigset_t stop;
        int r, port = 0;

        ae_daemon_openssl_init(); /* first: before anything uses OpenSSL */
        r = ae_daemon_args(argc, argv, "aegis-server", "verifies nodes and signs SVIDs", &args);
        if (r >= 0)
                return r;
        r = ae_server_config_load(args.config, &cfg, err, sizeof(err));
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "configuration %s: %s", args.config, err);
                return 1;
        }
        ae_daemon_block_signals(&stop);
        r = ae_server_new(&cfg, &srv, err, sizeof(err));
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "%s", err);
                return 1;
        }
        r = ae_server_start(srv);
        if (r == 0)
                r = ae_server_port(srv, &port);
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "cannot listen on %s: %s", cfg.listen, strerror(-r));
                ae_server_free(srv);
                return 1;
        }
        ae_log_fields(AE_LOG_INFO,
                      AE_LOG_KV({ "listen", cfg.listen }, { "admin_socket", cfg.admin_socket }),
                      "serving agents on port %d", port);
        printf("aegis-server: listening on %s (port %d)\n", cfg.listen, port);
        fflush(stdout);

        ae_log(AE_LOG_INFO, "stopping (signal %d)", ae_daemon_wait(&stop));
        ae_server_stop(srv, 2000);
        ae_server_free(srv);
        return 0;
}
