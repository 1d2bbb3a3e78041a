/* User and group names for user:, group: and supplementary_group:.
 *
 * Names come from the agent host's own databases (NSS: /etc/passwd and
 * /etc/group, or LDAP/sssd where configured), as in SPIRE. A process in a
 * container is named by the host's table, not the image's /etc/passwd: an
 * id with no host name gets no name selector (its uid:/gid: selectors
 * remain).
 *
 * Lookups are remembered for a TTL in a small direct-mapped table (a
 * lookup against /etc/passwd costs more than the rest of a warm
 * attestation); a renamed user keeps its old name for at most the TTL.
 * Thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/guard.h"

#define AE_WL_NAME_MAX 256 /* longer names get no selector */
#define AE_WL_NAME_SLOTS 256

enum ae_wl_name_kind {
        AE_WL_NAME_USER,
        AE_WL_NAME_GROUP,
};

struct ae_wl_names;

/* ttl_ms 0: no memory, every call asks NSS. */
AE_MUST_USE int ae_wl_names_new(uint32_t ttl_ms, struct ae_wl_names **ret);
void ae_wl_names_free(struct ae_wl_names *n);

/* 1 with the name in ret (NUL-terminated); 0 when the id has no name (or
 * one longer than AE_WL_NAME_MAX - 1); -ENOMEM or another NSS failure. */
AE_MUST_USE int ae_wl_name_lookup(struct ae_wl_names *n, enum ae_wl_name_kind kind, uint32_t id,
                                  char ret[AE_WL_NAME_MAX]);
