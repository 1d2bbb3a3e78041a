/* What aegis-server and aegis-agent share as processes: their command line
 * (-config FILE [-log-format text|json] [-log-level LEVEL]), logging set up
 * from it, and stopping on SIGTERM or SIGINT. */
#pragma once

#include <signal.h>

struct ae_daemon_args {
        const char *config;
};

/* Parse the command line and configure logging under ident. Returns -1 to
 * go on, or the exit code to leave with (0 after --help, 2 for a usage
 * error, explained on stderr with about as the help's first line). */
int ae_daemon_args(int argc, char **argv, const char *ident, const char *about,
                   struct ae_daemon_args *ret);

/* First thing in main, before OpenSSL is used: no atexit cleanup. gRPC's
 * own threads may still be finishing while the process exits, and a
 * thread that ends after OpenSSL's cleanup ran loses its error state
 * (LeakSanitizer reports it); the process is ending anyway. */
void ae_daemon_openssl_init(void);

/* Before any thread starts: SIGTERM and SIGINT blocked (taken only by
 * ae_daemon_wait, never by gRPC's threads), SIGPIPE ignored. */
void ae_daemon_block_signals(sigset_t *ret_set);

/* Wait for SIGTERM or SIGINT; the signal's number. */
int ae_daemon_wait(const sigset_t *set);
