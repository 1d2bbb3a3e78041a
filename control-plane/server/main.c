/* aegis-server: verifies nodes, stores entries, signs SVIDs (server.h).
 *
 *   aegis-server -config <file> [-log-format text|json] [-log-level info]
 *
 * Runs in the foreground until SIGTERM or SIGINT, then stops gracefully.
 * Prints "aegis-server: listening on <addr> (port N)" once agents can
 * connect, for scripts and unit files to wait on. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "control-plane/server/server.h"
#include "control-plane/server/server_config.h"

#define EXIT_USAGE 2

static int usage(const char *why)
{
        fprintf(stderr,
                "aegis-server: %s\n"
                "usage: aegis-server -config <file> [-log-format text|json]"
                " [-log-level error|warning|info|debug]\n",
                why);
        return EXIT_USAGE;
}

int main(int argc, char **argv)
{
        enum ae_log_format format = AE_LOG_TEXT;
        enum ae_log_level level = AE_LOG_INFO;
        struct ae_server_config cfg;
        struct ae_server *srv = NULL;
        const char *config = NULL;
        char err[AE_SERVER_ERROR_MAX];
        sigset_t stop;
        int r, sig, port = 0;

        for (int i = 1; i < argc; i++) {
                const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

                if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0)
                        return usage("verifies nodes and signs SVIDs"), 0;
                if (!val)
                        return usage("option needs a value");
                if (strcmp(opt, "-config") == 0)
                        config = val;
                else if (strcmp(opt, "-log-format") == 0) {
                        if (ae_log_format_parse(val, &format) < 0)
                                return usage("-log-format: text or json");
                } else if (strcmp(opt, "-log-level") == 0) {
                        if (ae_log_level_parse(val, &level) < 0)
                                return usage("-log-level: error, warning, info or debug");
                } else
                        return usage("unknown option");
                i++;
        }
        if (!config)
                return usage("-config is required");
        ae_log_configure("aegis-server", format, level, STDERR_FILENO);

        r = ae_server_config_load(config, &cfg, err, sizeof(err));
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "configuration %s: %s", config, err);
                return 1;
        }
        /* Signals are taken by sigwait below, never by gRPC's threads. */
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        pthread_sigmask(SIG_BLOCK, &stop, NULL);
        signal(SIGPIPE, SIG_IGN);

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

        while (sigwait(&stop, &sig) != 0)
                ;
        ae_log(AE_LOG_INFO, "stopping (signal %d)", sig);
        ae_server_stop(srv, 2000);
        ae_server_free(srv);
        return 0;
}
