/* Internal to aegis_gnss: a bounded reachability check before libgps
 * connects. libgps's own connect() blocks for as long as the kernel retries
 * (minutes for a silent remote host) and reports every failure as one code;
 * this check returns within the caller's timeout with the real errno. */
#pragma once

#include "common/guard.h"

/* Try a TCP connection to host:port (numeric port) within timeout_ms and
 * close it again. 0 when one of host's addresses accepted; else
 * -EHOSTUNREACH for a name that does not resolve, -ETIMEDOUT, or the
 * connect errno (-ECONNREFUSED, ...). Name resolution itself is not bounded
 * by the timeout (getaddrinfo has no such knob); use an address or a name
 * from /etc/hosts where that matters. */
AE_MUST_USE int ae_gnss_probe(const char *host, const char *port, unsigned timeout_ms);
