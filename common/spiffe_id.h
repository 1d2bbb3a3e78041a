/* SPIFFE ID syntax (SPIFFE ID standard, section 2). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The standard's limit for a whole SPIFFE ID; trust domains are shorter. */
#define AE_SPIFFE_ID_MAX 2048
#define AE_TRUST_DOMAIN_MAX 255

/* A trust domain name: 1..255 characters of [a-z0-9._-] (lowercase only; no
 * scheme, port, userinfo or percent-encoding). */
bool ae_spiffe_trust_domain_valid(const char *td);
