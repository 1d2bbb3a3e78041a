/* What the demo's two services share: their identity from the Workload
 * API, the TLS context it makes with their rule, and how they describe a
 * peer or a refusal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "svid-issuer/rp_ssl.h"

#define DEMO_IO_TIMEOUT_S 10

struct demo_opts {
        const char *socket;    /* the agent's Workload API socket; NULL: SPIFFE_ENDPOINT_SOCKET */
        const char *rule_text; /* --require */
        int wait_s;            /* how long to keep asking for an identity */
};

/* The service's SVID (fetched until it comes or wait_s passes; the agent
 * may still be syncing) in a context for role that lets in only peers the
 * rule admits. Prints what it got, or why there is none. NULL on failure. */
SSL_CTX *demo_context(const struct demo_opts *o, enum ae_rp_ssl_role role, const char *who);

/* "spiffe://... (level pog, zone z)" for ssl's verified peer. */
void demo_describe_peer(SSL *ssl, char *buf, size_t cap);

/* Prints why the handshake on ssl failed, from the verifier where it ran. */
void demo_print_refusal(const char *who, SSL *ssl);

/* Receive and send timeouts on a socket, so no peer hangs a service. */
void demo_set_timeouts(int fd);
