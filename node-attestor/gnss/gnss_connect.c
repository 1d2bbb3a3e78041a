#include "node-attestor/gnss/gnss_connect.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

AE_DEFINE_CLEANUP(struct addrinfo *, freeaddrinfo)

static long long now_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One address: 0 when it accepted before deadline_ms, else a negative errno. */
static int try_address(const struct addrinfo *ai, long long deadline_ms)
{
        _cleanup_close_ int fd = -1;
        struct pollfd pfd;
        int err = 0, r;
        socklen_t len = sizeof(err);

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0)
                return -errno;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
                return 0;
        if (errno != EINPROGRESS)
                return -errno;

        pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
        for (;;) {
                long long left = deadline_ms - now_ms();

                if (left <= 0)
                        return -ETIMEDOUT;
                r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
                if (r > 0)
                        break;
                if (r == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return -errno;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                return -errno;
        return err == 0 ? 0 : -err;
}

int ae_gnss_probe(const char *host, const char *port, unsigned timeout_ms)
{
        _cleanup_(freeaddrinfop) struct addrinfo *res = NULL;
        struct addrinfo hints = {
                .ai_family = AF_UNSPEC,
                .ai_socktype = SOCK_STREAM,
                .ai_flags = AI_NUMERICSERV,
        };
        long long deadline = now_ms() + timeout_ms;
        int r, last = -EHOSTUNREACH;

        r = getaddrinfo(host, port, &hints, &res);
        switch (r) {
        case 0:
                break;
        case EAI_MEMORY:
                return -ENOMEM;
        case EAI_SYSTEM:
                return errno > 0 ? -errno : -EIO;
        case EAI_SERVICE:
                return -EINVAL;
        default: /* EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_NODATA, ... */
                return -EHOSTUNREACH;
        }

        /* Like libgps: every address in getaddrinfo's order (IPv6 first for
         * "localhost"). A refusal on one still lets the next one answer. */
        for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                r = try_address(ai, deadline);
                if (r == 0)
                        return 0;
                /* Prefer reporting a refusal or timeout over an address
                 * family this host cannot use. */
                if (last == -EHOSTUNREACH || r == -ECONNREFUSED || r == -ETIMEDOUT)
                        last = r;
                if (r == -ETIMEDOUT)
                        break;
        }
        return last;
}
