#include "common/daemon.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/log.h"

#define EXIT_USAGE 2

static int usage(const char *ident, const char *why)
{
        fprintf(stderr,
                "%s: %s\n"
                "usage: %s -config <file> [-log-format text|json]"
                " [-log-level error|warning|info|debug]\n",
                ident, why, ident);
        return EXIT_USAGE;
}

int ae_daemon_args(int argc, char **argv, const char *ident, const char *about,
                   struct ae_daemon_args *ret)
{
        enum ae_log_format format = AE_LOG_TEXT;
        enum ae_log_level level = AE_LOG_INFO;
        const char *config = NULL;
        int i = 1;

        while (i < argc) {
                const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

                if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0)
                        return usage(ident, about), 0;
                if (!val)
                        return usage(ident, "option needs a value");
                if (strcmp(opt, "-config") == 0)
                        config = val;
                else if (strcmp(opt, "-log-format") == 0) {
                        if (ae_log_format_parse(val, &format) < 0)
                                return usage(ident, "-log-format: text or json");
                } else if (strcmp(opt, "-log-level") == 0) {
                        if (ae_log_level_parse(val, &level) < 0)
                                return usage(ident, "-log-level: error, warning, info or debug");
                } else
                        return usage(ident, "unknown option");
                i += 2;
        }
        if (!config)
                return usage(ident, "-config is required");
        ae_log_configure(ident, format, level, STDERR_FILENO);
        ret->config = config;
        return -1;
}

void ae_daemon_openssl_init(void)
{
        (void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

void ae_daemon_block_signals(sigset_t *ret_set)
{
        sigemptyset(ret_set);
        sigaddset(ret_set, SIGTERM);
        sigaddset(ret_set, SIGINT);
        pthread_sigmask(SIG_BLOCK, ret_set, NULL);
        signal(SIGPIPE, SIG_IGN);
}

int ae_daemon_wait(const sigset_t *set)
{
        int sig = 0;

        while (sigwait(set, &sig) != 0)
                ;
        return sig;
}
