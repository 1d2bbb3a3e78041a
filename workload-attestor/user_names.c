#include "workload-attestor/user_names.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"

/* NSS answers larger than this are refused (a group with a huge member list
 * is the usual reason for ERANGE). */
#define NSS_BUF_MAX (1u << 20)

struct slot {
        bool used, has_name;
        uint32_t id;
        uint64_t expires_ns;
        char name[AE_WL_NAME_MAX];
};

struct ae_wl_names {
        pthread_mutex_t lock;
        uint64_t ttl_ns;
        struct slot slots[2][AE_WL_NAME_SLOTS];
};

int ae_wl_names_new(uint32_t ttl_ms, struct ae_wl_names **ret)
{
        _cleanup_free_ struct ae_wl_names *n = calloc(1, sizeof(*n));

        ENSURE_ALLOC(n);
        n->ttl_ns = (uint64_t)ttl_ms * 1000000u;
        ENSURE(pthread_mutex_init(&n->lock, NULL) == 0, -ENOMEM);
        *ret = TAKE_PTR(n);
        return 0;
}

void ae_wl_names_free(struct ae_wl_names *n)
{
        if (!n)
                return;
        pthread_mutex_destroy(&n->lock);
        free(n);
}

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Ask NSS, growing the buffer on ERANGE. */
static int nss_lookup(enum ae_wl_name_kind kind, uint32_t id, char ret[AE_WL_NAME_MAX])
{
        size_t size = 4096;

        for (;;) {
                _cleanup_free_ char *buf = malloc(size);
                const char *name = NULL;
                int r;

                ENSURE_ALLOC(buf);
                if (kind == AE_WL_NAME_USER) {
                        struct passwd pw, *res = NULL;

                        r = getpwuid_r((uid_t)id, &pw, buf, size, &res);
                        if (r == 0 && res)
                                name = res->pw_name;
                } else {
                        struct group gr, *res = NULL;

                        r = getgrgid_r((gid_t)id, &gr, buf, size, &res);
                        if (r == 0 && res)
                                name = res->gr_name;
                }
                if (r == ERANGE) {
                        ENSURE(size < NSS_BUF_MAX, -ERANGE);
                        size *= 2;
                        continue;
                }
                /* "Not found" is r == 0 with no entry, or one of these. */
                if (r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
                        return 0;
                ENSURE(r == 0, -r);
                if (!name || !*name || strlen(name) >= AE_WL_NAME_MAX)
                        return 0;
                strcpy(ret, name);
                return 1;
        }
}

int ae_wl_name_lookup(struct ae_wl_names *n, enum ae_wl_name_kind kind, uint32_t id,
                      char ret[AE_WL_NAME_MAX])
{
        char name[AE_WL_NAME_MAX];
        struct slot *s;
        uint64_t now;
        int r;

        ENSURE(n && (kind == AE_WL_NAME_USER || kind == AE_WL_NAME_GROUP), -EINVAL);
        if (!n->ttl_ns)
                return nss_lookup(kind, id, ret);

        now = now_ns();
        pthread_mutex_lock(&n->lock);
        s = &n->slots[kind][id % AE_WL_NAME_SLOTS];
        if (s->used && s->id == id && now < s->expires_ns) {
                r = s->has_name;
                if (r)
                        strcpy(ret, s->name);
                pthread_mutex_unlock(&n->lock);
                return r;
        }
        pthread_mutex_unlock(&n->lock);

        /* NSS may be slow (LDAP); not under the lock. */
        r = nss_lookup(kind, id, name);
        if (r < 0)
                return r;
        pthread_mutex_lock(&n->lock);
        s->used = true;
        s->id = id;
        s->expires_ns = now + n->ttl_ns;
        s->has_name = r == 1;
        if (r == 1)
                strcpy(s->name, name);
        pthread_mutex_unlock(&n->lock);
        if (r == 1)
                strcpy(ret, name);
        return r;
}
