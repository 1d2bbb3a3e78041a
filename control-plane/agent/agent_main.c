/* aegis-agent: attests its node, keeps SVIDs fresh, serves the Workload
 * API (agent.h).
 *
 *   aegis-agent -config <file> [-log-format text|json] [-log-level info]
 *
 * Runs in the foreground until SIGTERM or SIGINT, then stops gracefully.
 * Prints "aegis-agent: serving the Workload API on <path>" once workloads
 * can connect, for scripts and unit files to wait on. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "control-plane/agent/agent.h"
#include "control-plane/agent/agent_config.h"

#define EXIT_USAGE 2

static int usage(const char *why)
{
        fprintf(stderr,
                "aegis-agent: %s\n"
                "usage: aegis-agent -config <file> [-log-format text|json]"
                " [-log-level error|warning|info|debug]\n",
                why);
        return EXIT_USAGE;
}

int main(int argc, char **argv)
{
        enum ae_log_format format = AE_LOG_TEXT;
        enum ae_log_level level = AE_LOG_INFO;
        struct ae_agent_config cfg;
        struct ae_agent *agent = NULL;
        const char *config = NULL;
        char err[AE_AGENT_ERROR_MAX];
        sigset_t stop;
        int r, sig;

        for (int i = 1; i < argc; i++) {
                const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

                if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0)
                        return usage("attests this node and serves the Workload API"), 0;
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
        ae_log_configure("aegis-agent", format, level, STDERR_FILENO);

        r = ae_agent_config_load(config, &cfg, err, sizeof(err));
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

        r = ae_agent_new(&cfg, &agent, err, sizeof(err));
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "%s", err);
                return 1;
        }
        r = ae_agent_start(agent);
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "cannot serve on %s: %s", cfg.socket_path, strerror(-r));
                ae_agent_free(agent);
                return 1;
        }
        ae_log_fields(AE_LOG_INFO,
                      AE_LOG_KV({ "socket", cfg.socket_path }, { "server", cfg.server_address }),
                      "serving the Workload API");
        printf("aegis-agent: serving the Workload API on %s\n", cfg.socket_path);
        fflush(stdout);

        while (sigwait(&stop, &sig) != 0)
                ;
        ae_log(AE_LOG_INFO, "stopping (signal %d)", sig);
        ae_agent_free(agent);
        return 0;
}
