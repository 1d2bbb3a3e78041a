/* Why a workload attestation gave no selectors: one stable code per check,
 * with a short static text for the log. Tests assert the exact code. */
#pragma once

enum ae_workload_reason {
        AE_WORKLOAD_OK = 0,
        /* the process */
        AE_WORKLOAD_PROCESS_GONE,    /* not running when attestation began (or a zombie) */
        AE_WORKLOAD_PROCESS_CHANGED, /* exited, exec'd or pid reused during attestation */
        AE_WORKLOAD_KERNEL_THREAD,   /* no executable to identify */
        AE_WORKLOAD_PROC_UNREADABLE, /* a /proc entry unreadable, over its limit or malformed */
        /* its executable */
        AE_WORKLOAD_EXE_DELETED,   /* no file on disk any more (unlinked, memfd) */
        AE_WORKLOAD_EXE_REPLACED,  /* a different file now sits at its path */
        AE_WORKLOAD_EXE_TOO_LARGE, /* over the configured size limit */
        AE_WORKLOAD_EXE_MODIFIED,  /* the file changed while it was being hashed */
        AE_WORKLOAD_HASH_FAILED,   /* I/O error reading it */
        AE_WORKLOAD_REASON_COUNT
};

/* Short, stable, log-friendly text ("process changed"). */
const char *ae_workload_reason_str(enum ae_workload_reason reason);
/* Stable identifier for machines ("process_changed"). */
const char *ae_workload_reason_id(enum ae_workload_reason reason);
