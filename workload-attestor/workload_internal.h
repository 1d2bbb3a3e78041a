/* Internal to the workload attestor and its tests; not part of the API.
 *
 * A test hook, called between the steps of an attestation so a test can
 * kill, exec or otherwise change the process at an exact point and assert
 * the exact reason. Never set outside tests. */
#pragma once

#include <sys/types.h>

struct ae_workload_attestor;

enum ae_wl_stage {
        AE_WL_STAGE_STARTED, /* pidfd and start time taken, nothing opened */
        AE_WL_STAGE_OPENED,  /* exe open, status and cgroup read; not hashed */
        AE_WL_STAGE_HASHED,  /* digest known; final checks next */
};

typedef void (*ae_wl_hook_fn)(enum ae_wl_stage stage, pid_t pid, void *ctx);

void ae_wl_set_test_hook(struct ae_workload_attestor *a, ae_wl_hook_fn fn, void *ctx);
