/* aegis-agent: attests its node, keeps SVIDs fresh, serves the Workload
 * API (agent.h).
 *
 *   aegis-agent -config <file> [-log-format text|json] [-log-level info]
 *
 * Runs in the foreground until SIGTERM or SIGINT, then stops gracefully.
 * Prints "aegis-agent: serving the Workload API on <path>" once workloads
 * can connect, for scripts and unit files to wait on. */
#include <stdio.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "control-plane/agent/agent.h"
#include "control-plane/agent/agent_config.h"

int main(int argc, char **argv)
{
        struct ae_daemon_args args;
        struct ae_agent_config cfg;
        struct ae_agent *agent = NULL;
        char err[AE_AGENT_ERROR_MAX];
        sigset_t stop;
        int r;

        ae_daemon_openssl_init(); /* first: before anything uses OpenSSL */
        r = ae_daemon_args(argc, argv, "aegis-agent",
                           "attests this node and serves the Workload API", &args);
        if (r >= 0)
                return r;
        r = ae_agent_config_load(args.config, &cfg, err, sizeof(err));
        if (r < 0) {
                ae_log(AE_LOG_ERROR, "configuration %s: %s", args.config, err);
                return 1;
        }
        ae_daemon_block_signals(&stop);
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

        ae_log(AE_LOG_INFO, "stopping (signal %d)", ae_daemon_wait(&stop));
        ae_agent_free(agent);
        return 0;
}
