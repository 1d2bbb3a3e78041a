#include "workload-attestor/workload_reason.h"

static const struct {
        const char *id, *text;
} reasons[AE_WORKLOAD_REASON_COUNT] = {
        [AE_WORKLOAD_OK] = { "ok", "ok" },
        [AE_WORKLOAD_PROCESS_GONE] = { "process_gone", "process not running" },
        [AE_WORKLOAD_PROCESS_CHANGED] = { "process_changed", "process changed" },
        [AE_WORKLOAD_KERNEL_THREAD] = { "kernel_thread", "kernel thread: no executable" },
        [AE_WORKLOAD_PROC_UNREADABLE] = { "proc_unreadable", "/proc entry unreadable, over its size limit or malformed" },
        [AE_WORKLOAD_EXE_DELETED] = { "exe_deleted", "executable deleted" },
        [AE_WORKLOAD_EXE_REPLACED] = { "exe_replaced", "executable replaced on disk" },
        [AE_WORKLOAD_EXE_TOO_LARGE] = { "exe_too_large", "executable over the size limit" },
        [AE_WORKLOAD_EXE_MODIFIED] = { "exe_modified", "executable modified while being hashed" },
        [AE_WORKLOAD_HASH_FAILED] = { "hash_failed", "executable unreadable (I/O error while hashing)" },
};

const char *ae_workload_reason_str(enum ae_workload_reason reason)
{
        if ((unsigned)reason >= AE_WORKLOAD_REASON_COUNT || !reasons[reason].text)
                return "unknown reason";
        return reasons[reason].text;
}

const char *ae_workload_reason_id(enum ae_workload_reason reason)
{
        if ((unsigned)reason >= AE_WORKLOAD_REASON_COUNT || !reasons[reason].id)
                return "unknown";
        return reasons[reason].id;
}
