/* The agent IDs and serials of recent callers' client certificates, so a
 * call on a connection already seen does not parse its certificate again.
 *
 * gRPC hands every call its connection's client certificate, verified in
 * the handshake, as PEM text. Equal text parses to the same agent ID and
 * serial, so a remembered result is exactly what parsing would give; only
 * parses that succeeded are remembered. Whether that agent may be served
 * (attested, not banned, the latest SVID, fresh) is still decided from the
 * datastore on every call. Thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/guard.h"

/* Certificates remembered; the oldest is forgotten first. */
#define AE_CALLER_MEMO_SLOTS 64

struct ae_caller_memo;

AE_MUST_USE int ae_caller_memo_new(struct ae_caller_memo **ret);
void ae_caller_memo_free(struct ae_caller_memo *m);

/* Whether pem is remembered; if so its agent ID and serial are copied out
 * (false, with nothing written, when they do not fit). */
bool ae_caller_memo_get(struct ae_caller_memo *m, const char *pem, char *id, size_t id_cap,
                        char *serial, size_t serial_cap);

/* Remember pem's agent ID and serial. Out of memory just forgets. */
void ae_caller_memo_put(struct ae_caller_memo *m, const char *pem, const char *id,
                        const char *serial);
