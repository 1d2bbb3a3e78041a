#include "workload-attestor/proc_status.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/cursor.h"
#include "workload-attestor/proc_text.h"

static int parse_id(struct ae_wl_span s, uint32_t *ret)
{
        uint64_t v;

        GUARD(ae_wl_parse_u64(s, &v));
        ENSURE(v <= UINT32_MAX, -EINVAL);
        *ret = (uint32_t)v;
        return 0;
}

/* Exactly four ids: real, effective, saved set, filesystem. */
static int parse_ids4(struct ae_wl_span rest, uint32_t ret[4])
{
        struct ae_wl_span f;
        uint32_t ids[4];

        for (int i = 0; i < 4; i++) {
                ENSURE(ae_wl_next_field(&rest, &f), -EBADMSG);
                ENSURE(parse_id(f, &ids[i]) == 0, -EBADMSG);
        }
        ENSURE(!ae_wl_next_field(&rest, &f), -EBADMSG);
        memcpy(ret, ids, sizeof(ids));
        return 0;
}

static int parse_groups(struct ae_wl_span rest, uint32_t **ret, size_t *ret_n)
{
        _cleanup_free_ uint32_t *groups = NULL;
        struct ae_wl_span scan = rest, f;
        size_t n = 0;

        while (ae_wl_next_field(&scan, &f)) {
                n++;
                ENSURE(n <= AE_WL_GROUPS_MAX, -EBADMSG);
        }
        groups = calloc(n ? n : 1, sizeof(*groups));
        ENSURE_ALLOC(groups);
        for (size_t i = 0; i < n; i++) {
                (void)ae_wl_next_field(&rest, &f);
                ENSURE(parse_id(f, &groups[i]) == 0, -EBADMSG);
        }
        *ret = TAKE_PTR(groups);
        *ret_n = n;
        return 0;
}

int ae_wl_status_parse(const char *buf, size_t len, struct ae_wl_status *ret)
{
        _cleanup_free_ uint32_t *groups = NULL;
        struct ae_wl_status s = { 0 };
        bool have_uid = false, have_gid = false, have_groups = false;
        struct ae_cursor c;
        struct ae_wl_span line, rest;

        ae_cursor_init(&c, buf, len);
        while (ae_wl_next_line(&c, &line) == 0) {
                if (ae_wl_strip_prefix(line, "Uid:", &rest)) {
                        ENSURE(!have_uid, -EBADMSG);
                        GUARD(parse_ids4(rest, s.uid));
                        have_uid = true;
                } else if (ae_wl_strip_prefix(line, "Gid:", &rest)) {
                        ENSURE(!have_gid, -EBADMSG);
                        GUARD(parse_ids4(rest, s.gid));
                        have_gid = true;
                } else if (ae_wl_strip_prefix(line, "Groups:", &rest)) {
                        ENSURE(!have_groups, -EBADMSG);
                        GUARD(parse_groups(rest, &groups, &s.n_groups));
                        have_groups = true;
                }
        }
        ENSURE(have_uid && have_gid && have_groups, -EBADMSG);
        s.groups = TAKE_PTR(groups);
        *ret = s;
        return 0;
}

void ae_wl_status_fini(struct ae_wl_status *s)
{
        if (!s)
                return;
        free(s->groups);
        s->groups = NULL;
        s->n_groups = 0;
}

int ae_wl_fdinfo_pid(const char *buf, size_t len, int64_t *ret)
{
        struct ae_cursor c;
        struct ae_wl_span line, rest, f;
        bool found = false;
        int64_t pid = 0;

        ae_cursor_init(&c, buf, len);
        while (ae_wl_next_line(&c, &line) == 0) {
                if (!ae_wl_strip_prefix(line, "Pid:", &rest))
                        continue;
                ENSURE(!found, -EBADMSG);
                ENSURE(ae_wl_next_field(&rest, &f), -EBADMSG);
                ENSURE(ae_wl_parse_i64(f, &pid) == 0 && pid >= -1, -EBADMSG);
                ENSURE(!ae_wl_next_field(&rest, &f), -EBADMSG);
                found = true;
        }
        ENSURE(found, -EBADMSG);
        *ret = pid;
        return 0;
}
