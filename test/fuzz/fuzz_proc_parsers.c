#define _GNU_SOURCE /* memmem */
/* The workload attestor's /proc parsers on arbitrary bytes (a process
 * controls its comm and, in a delegated subtree, its cgroup names). The
 * first byte picks the parser: 's' status, 't' stat, 'c' cgroup (and the
 * container id of each path), 'f' pidfd fdinfo; other bytes pick by value.
 * Properties: no crash, and what parses is consistent with its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workload-attestor/proc_cgroup.h"
#include "workload-attestor/proc_stat.h"
#include "workload-attestor/proc_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int in_input(const char *p, size_t len, const char *buf, size_t size)
{
        return p >= buf && len <= size && (size_t)(p - buf) <= size - len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *buf;
        char pick;

        if (size < 1)
                return 0;
        pick = (char)data[0];
        buf = (const char *)data + 1;
        size--;
        if (pick != 's' && pick != 't' && pick != 'c' && pick != 'f')
                pick = "stcf"[data[0] % 4];

        switch (pick) {
        case 's': {
                struct ae_wl_status st;

                if (ae_wl_status_parse(buf, size, &st) == 0) {
                        /* Each group needs at least one digit in the input. */
                        if (st.n_groups > size || st.n_groups > AE_WL_GROUPS_MAX)
                                abort();
                        ae_wl_status_fini(&st);
                }
                break;
        }
        case 't': {
                struct ae_wl_stat st;

                if (ae_wl_stat_parse(buf, size, &st) == 0 && !memchr(buf, ')', size))
                        abort();
                break;
        }
        case 'c': {
                static struct ae_wl_cgroups cg;
                char id[AE_WL_CONTAINER_ID_LEN + 1];

                if (ae_wl_cgroup_parse(buf, size, &cg) != 0)
                        break;
                if (cg.n == 0 || cg.n > AE_WL_CGROUP_LINES_MAX)
                        abort();
                for (size_t i = 0; i < cg.n; i++) {
                        const struct ae_wl_cgroup_line *l = &cg.lines[i];

                        if (!in_input(l->path.p, l->path.len, buf, size) || l->path.p[0] != '/')
                                abort();
                        if (ae_wl_container_id(l->path, id)) {
                                if (strlen(id) != AE_WL_CONTAINER_ID_LEN ||
                                    !memmem(l->path.p, l->path.len, id, AE_WL_CONTAINER_ID_LEN))
                                        abort();
                        }
                }
                break;
        }
        default: {
                int64_t pid;

                if (ae_wl_fdinfo_pid(buf, size, &pid) == 0 && pid < -1)
                        abort();
                break;
        }
        }
        return 0;
}
