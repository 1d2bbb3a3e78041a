#include "node-attestor/gnss/gnss_fix.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gps.h>

#include "common/cleanup.h"
#include "node-attestor/gnss/gnss_connect.h"
#include "node-attestor/gnss/gnss_line.h"
#include "node-attestor/gnss/gnss_report.h"

/* One gpsd connection. libgps opens it, sends the watch request and closes
 * it; the reports are read and decoded here (gnss_line.h says why). struct
 * gps_data_t is tens of kilobytes, so the session lives on the heap. */
struct session {
        struct gps_data_t gps;
        bool open;
        long long deadline_ms;
        const char *device; /* requested device path, or NULL */
        struct ae_gnss_collector collector;
        /* Bytes read from gpsd not yet consumed as lines. */
        char buf[AE_GNSS_LINE_MAX + 2]; /* the longest line and its CR LF */
        size_t len;
        bool skipping; /* dropping the rest of an over-long line */
};

static void session_freep(struct session **p)
{
        if (!*p)
                return;
        if ((*p)->open)
                (void)gps_close(&(*p)->gps);
        free(*p);
}

static long long now_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* gps_open() reports failures as netlib codes (NL_*) in errno, or a plain
 * errno for its own allocation. */
static int open_error(int e)
{
        switch (e) {
        case NL_NOHOST:
                return -EHOSTUNREACH;
        case NL_NOSERVICE:
                return -EINVAL;
        case NL_NOCONNECT:
                return -ECONNREFUSED;
        default:
                return e > 0 ? -e : -EIO;
        }
}

static int validate(const struct ae_gnss_source *src, const struct ae_gnss_quality *want)
{
        ENSURE(src != NULL, -EINVAL);
        ENSURE(!src->host || (src->host[0] != '\0' &&
                              strnlen(src->host, AE_GNSS_HOST_MAX + 1) <= AE_GNSS_HOST_MAX),
               -EINVAL);
        ENSURE(!src->device || (src->device[0] != '\0' &&
                                strnlen(src->device, AE_GNSS_DEVICE_MAX) < AE_GNSS_DEVICE_MAX),
               -EINVAL);
        ENSURE(src->timeout_ms <= AE_GNSS_TIMEOUT_MAX_MS, -EINVAL);
        if (want) {
                ENSURE(want->min_mode == 0 || want->min_mode == 2 || want->min_mode == 3,
                       -EINVAL);
                ENSURE(isfinite(want->max_eph_m) && want->max_eph_m >= 0.0, -EINVAL);
        }
        return 0;
}

static int connect_and_watch(struct session *s, const struct ae_gnss_source *src)
{
        const char *host = src->host ? src->host : AE_GNSS_DEFAULT_HOST;
        char port[6];
        unsigned flags = WATCH_ENABLE | WATCH_JSON;
        long long left;
        int fl;

        (void)snprintf(port, sizeof(port), "%u",
                       (unsigned)(src->port ? src->port : AE_GNSS_DEFAULT_PORT));
        left = s->deadline_ms - now_ms();
        ENSURE(left > 0, -ETIMEDOUT);
        GUARD(ae_gnss_probe(host, port, (unsigned)left));

        errno = 0;
        if (gps_open(host, port, &s->gps) != 0)
                return open_error(errno);
        s->open = true;

        /* Reads below never block: the deadline is kept by poll(). And the
         * socket must not leak into programs the agent runs. */
        fl = fcntl(s->gps.gps_fd, F_GETFL);
        if (fl < 0 || fcntl(s->gps.gps_fd, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        if (fcntl(s->gps.gps_fd, F_SETFD, FD_CLOEXEC) < 0)
                return -errno;

        if (s->device)
                flags |= WATCH_DEVICE;
        errno = 0;
        if (gps_stream(&s->gps, flags, (void *)s->device) != 0)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* Wait until gpsd's socket is readable or the deadline passes. */
static int wait_readable(struct session *s)
{
        struct pollfd pfd = { .fd = s->gps.gps_fd, .events = POLLIN };

        for (;;) {
                long long left = s->deadline_ms - now_ms();
                int r;

                if (left <= 0)
                        return -ETIMEDOUT;
                r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
                if (r > 0)
                        return 0;
                if (r == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return -errno;
        }
}

/* One complete line (NUL-terminated, newline removed): 1 with *ret_fix set
 * when a fix is ready, 0 to read on, or a negative errno. */
static int on_line(struct session *s, char *line, size_t len, struct ae_gnss_fix *ret_fix)
{
        if (len > 0 && line[len - 1] == '\r')
                line[--len] = '\0';
        return ae_gnss_collector_feed(&s->collector, line, len, ret_fix);
}

/* Consume the complete lines in the buffer, then move what is left of the
 * next one to the front (once, not after every line). */
static int drain_lines(struct session *s, struct ae_gnss_fix *ret_fix)
{
        size_t off = 0;
        char *nl;
        int r = 0;

        while (r == 0 && (nl = memchr(s->buf + off, '\n', s->len - off)) != NULL) {
                size_t len = (size_t)(nl - (s->buf + off));

                *nl = '\0';
                if (!s->skipping)
                        r = on_line(s, s->buf + off, len, ret_fix);
                s->skipping = false;
                off += len + 1;
                /* A gpsd that never pauses must not outlast the deadline. */
                if (r == 0 && now_ms() >= s->deadline_ms)
                        r = -ETIMEDOUT;
        }
        if (off > 0) {
                s->len -= off;
                memmove(s->buf, s->buf + off, s->len);
        }
        if (r != 0)
                return r;
        /* A full buffer without a newline: the line is longer than any
         * report gpsd writes. Drop it up to its end. */
        if (s->len == sizeof(s->buf)) {
                s->skipping = true;
                s->len = 0;
        }
        return 0;
}

static int read_until_fix(struct session *s, struct ae_gnss_fix *ret_fix)
{
        for (;;) {
                ssize_t n;
                int r = drain_lines(s, ret_fix);

                if (r == -ETIMEDOUT)
                        return ae_gnss_collector_timeout(&s->collector, ret_fix);
                if (r != 0)
                        return r < 0 ? r : 0;

                n = recv(s->gps.gps_fd, s->buf + s->len, sizeof(s->buf) - s->len, 0);
                if (n > 0) {
                        s->len += (size_t)n;
                        continue;
                }
                if (n == 0)
                        return -ECONNRESET; /* gpsd closed the connection */
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                        return -errno;
                r = wait_readable(s);
                if (r == -ETIMEDOUT)
                        return ae_gnss_collector_timeout(&s->collector, ret_fix);
                if (r < 0)
                        return r;
        }
}

int ae_gnss_read_fix(const struct ae_gnss_source *src, const struct ae_gnss_quality *want,
                     struct ae_gnss_fix *ret_fix)
{
        _cleanup_(session_freep) struct session *s = NULL;
        struct ae_gnss_fix fix;

        GUARD(validate(src, want));
        s = calloc(1, sizeof(*s));
        ENSURE_ALLOC(s);
        s->deadline_ms = now_ms() + (src->timeout_ms ? src->timeout_ms
                                                     : AE_GNSS_DEFAULT_TIMEOUT_MS);
        s->device = src->device;
        ae_gnss_collector_init(&s->collector, src->device,
                               (want && want->min_mode) ? want->min_mode : 3,
                               want ? want->max_eph_m : 0.0);

        GUARD(connect_and_watch(s, src));
        GUARD(read_until_fix(s, &fix));
        *ret_fix = fix;
        return 0;
}
