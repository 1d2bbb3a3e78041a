#include "workload-attestor/proc_cgroup.h"

#include <string.h>

#include "common/cursor.h"

static int parse_line(struct ae_wl_span line, struct ae_wl_cgroup_line *ret)
{
        const char *c1, *c2;
        struct ae_wl_span id;
        uint64_t v;

        c1 = memchr(line.p, ':', line.len);
        ENSURE(c1, -EBADMSG);
        c2 = memchr(c1 + 1, ':', line.len - (size_t)(c1 + 1 - line.p));
        ENSURE(c2, -EBADMSG);
        id.p = line.p;
        id.len = (size_t)(c1 - line.p);
        ENSURE(ae_wl_parse_u64(id, &v) == 0 && v <= UINT32_MAX, -EBADMSG);
        ret->hierarchy = (uint32_t)v;
        ret->controllers.p = c1 + 1;
        ret->controllers.len = (size_t)(c2 - (c1 + 1));
        ret->path.p = c2 + 1;
        ret->path.len = line.len - (size_t)(c2 + 1 - line.p);
        ENSURE(ret->path.len > 0 && ret->path.p[0] == '/', -EBADMSG);
        /* The unified hierarchy has no controller list; v1 ones always do. */
        ENSURE((ret->hierarchy == 0) == (ret->controllers.len == 0), -EBADMSG);
        return 0;
}

int ae_wl_cgroup_parse(const char *buf, size_t len, struct ae_wl_cgroups *ret)
{
        struct ae_cursor c;
        struct ae_wl_span line;
        size_t n = 0;

        ae_cursor_init(&c, buf, len);
        while (ae_wl_next_line(&c, &line) == 0) {
                ENSURE(n < AE_WL_CGROUP_LINES_MAX, -EBADMSG);
                GUARD(parse_line(line, &ret->lines[n]));
                for (size_t i = 0; i < n; i++)
                        ENSURE(ret->lines[i].hierarchy != ret->lines[n].hierarchy, -EBADMSG);
                n++;
        }
        ENSURE(n > 0, -EBADMSG);
        ret->n = n;
        return 0;
}

static bool is_id(const char *p, size_t len)
{
        if (len != AE_WL_CONTAINER_ID_LEN)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
                        return false;
        return true;
}

/* "<prefix><id><suffix>" with the exact prefix and suffix. */
static bool wrapped_id(struct ae_wl_span comp, const char *prefix, const char *suffix,
                       const char **ret)
{
        size_t pl = strlen(prefix), sl = strlen(suffix);

        if (comp.len != pl + AE_WL_CONTAINER_ID_LEN + sl || memcmp(comp.p, prefix, pl) != 0 ||
            memcmp(comp.p + pl + AE_WL_CONTAINER_ID_LEN, suffix, sl) != 0 ||
            !is_id(comp.p + pl, AE_WL_CONTAINER_ID_LEN))
                return false;
        *ret = comp.p + pl;
        return true;
}

static bool starts_with(struct ae_wl_span s, const char *prefix)
{
        size_t n = strlen(prefix);

        return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

bool ae_wl_container_id(struct ae_wl_span path, char ret[AE_WL_CONTAINER_ID_LEN + 1])
{
        static const char *const scopes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };
        struct ae_wl_span prev = { NULL, 0 }, comp;
        const char *found = NULL, *id;
        bool in_kubepods = false;
        size_t i = 0;

        while (i < path.len) {
                size_t start;

                while (i < path.len && path.p[i] == '/')
                        i++;
                start = i;
                while (i < path.len && path.p[i] != '/')
                        i++;
                if (i == start)
                        break;
                comp.p = path.p + start;
                comp.len = i - start;

                for (size_t k = 0; k < sizeof(scopes) / sizeof(scopes[0]); k++)
                        if (wrapped_id(comp, scopes[k], ".scope", &id))
                                found = id;
                if (wrapped_id(comp, "libpod-", "", &id))
                        found = id;
                if (is_id(comp.p, comp.len) &&
                    (ae_wl_span_eq(prev, "docker") || (in_kubepods && starts_with(prev, "pod"))))
                        found = comp.p;
                if (ae_wl_span_eq(comp, "kubepods") || starts_with(comp, "kubepods."))
                        in_kubepods = true;
                prev = comp;
        }
        if (!found)
                return false;
        memcpy(ret, found, AE_WL_CONTAINER_ID_LEN);
        ret[AE_WL_CONTAINER_ID_LEN] = '\0';
        return true;
}
