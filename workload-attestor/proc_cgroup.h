/* /proc/<pid>/cgroup: "hierarchy-id:controllers:path" lines (cgroup v2 is
 * the single "0::/path" line; v1 adds one line per hierarchy), and the
 * container a path shows.
 *
 * A cgroup's name is chosen by whoever may create it, which in a delegated
 * subtree (systemd user sessions, rootless Podman) is an ordinary user. The
 * kernel refuses '\n' in cgroup names, so a line cannot be forged; a
 * hierarchy id seen twice is malformed all the same. container_id is only
 * as trustworthy as the tree it was read from: pair it with uid: or match
 * on the cgroup: path where users can create cgroups. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/guard.h"
#include "workload-attestor/proc_text.h"

#define AE_WL_CGROUP_LINES_MAX 64
#define AE_WL_CONTAINER_ID_LEN 64 /* lowercase hex characters */

struct ae_wl_cgroup_line {
        uint32_t hierarchy;            /* 0: the unified (v2) hierarchy */
        struct ae_wl_span controllers; /* empty for v2 */
        struct ae_wl_span path;        /* begins with '/' */
};

struct ae_wl_cgroups {
        size_t n;
        struct ae_wl_cgroup_line lines[AE_WL_CGROUP_LINES_MAX];
};

/* Spans point into buf. -EBADMSG for a malformed line, a repeated
 * hierarchy id, a path not beginning with '/' or more than
 * AE_WL_CGROUP_LINES_MAX lines. */
AE_MUST_USE int ae_wl_cgroup_parse(const char *buf, size_t len, struct ae_wl_cgroups *ret);

/* The container id a cgroup path shows, NUL-terminated into ret: the
 * innermost of
 *   .../docker/<id>                          Docker, cgroupfs driver
 *   .../docker-<id>.scope                    Docker, systemd driver
 *   .../cri-containerd-<id>.scope            containerd (CRI), systemd driver
 *   .../crio-<id>.scope                      CRI-O, systemd driver
 *   .../libpod-<id>.scope, .../libpod-<id>   Podman (systemd, cgroupfs)
 *   .../kubepods/.../pod<uid>/<id>           Kubernetes, cgroupfs driver
 * where <id> is 64 lowercase hex digits (Kubernetes' systemd layout,
 * kubepods-...-pod<uid>.slice/cri-containerd-<id>.scope, is the .scope
 * form). False when the path shows none. */
bool ae_wl_container_id(struct ae_wl_span path, char ret[AE_WL_CONTAINER_ID_LEN + 1]);
