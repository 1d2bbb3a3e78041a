/* The Unix socket listener of the gRPC server: we accept, so we know who
 * connected, and gRPC gets the connected fd.
 *
 * gRPC names such a connection "fd:N" (grpc_call_get_peer), N being the fd
 * we gave it. N is only unambiguous while that fd is open: once gRPC
 * closes it, the next accept may get N again. It cannot happen under a
 * call: gRPC closes the fd when its transport is destroyed, and every
 * call, ours until we release it, holds the transport. So a call's "fd:N"
 * always means the connection that has N now, which is the last one we
 * accepted as N; the socket's inode is checked too, in case a gRPC release
 * ever changes that.
 *
 * To know when a connection ends (to keep the limit and drop the pidfd)
 * without touching gRPC's fd, we keep a dup of it and poll that for HUP:
 * gRPC shuts the socket down before it closes it, and a client that goes
 * away hangs it up. The table forgets the connection then; calls still
 * running keep their own reference to its credentials. */
#define _GNU_SOURCE /* accept4, struct ucred */
#include "common/grpc_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <grpc/grpc_posix.h>
#include <grpc/grpc_security.h>

#include "common/cleanup.h"

/* Linux 6.5 (asm-generic/socket.h); older headers lack it. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

#define ACCEPT_BACKLOG 128
#define EPOLL_BATCH 64
#define PAUSE_MS 100  /* accepting again after running out of fds */
#define SWEEP_MS 1000 /* how often connections are held to their deadlines */

struct ae_grpc_unix {
        char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
        dev_t dev; /* of the socket file we created, so stop removes only it */
        ino_t ino;
        int listen_fd, epoll_fd, stop_fd;
        uint32_t max_connections, first_call_ms, idle_ms;
        _Atomic uint64_t *refusals;

        grpc_server *server;
        grpc_server_credentials *insecure;
        pthread_t thread;
        bool running;

        pthread_mutex_t lock; /* conns, n_conns */
        struct ae_grpc_conn **conns;
        size_t n_conns;
};

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ae_grpc_conn_ref(struct ae_grpc_conn *c)
{
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
}

void ae_grpc_conn_unref(struct ae_grpc_conn *c)
{
        if (!c)
                return;
        /* A reference let go is a call ending (or the table's, at the very
         * end): the connection has been idle since the last of them. Set
         * while this reference still keeps c alive. */
        atomic_store_explicit(&c->idle_since_ms, now_ms(), memory_order_relaxed);
        if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
                return;
        if (c->watch_fd >= 0)
                close(c->watch_fd);
        if (c->pidfd >= 0)
                close(c->pidfd);
        free(c);
}

static void refuse(struct ae_grpc_unix *u, enum ae_grpc_reason r)
{
        atomic_fetch_add_explicit(&u->refusals[r], 1, memory_order_relaxed);
}

/* A path we may replace: a socket file nobody accepts on. */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
        _cleanup_close_ int probe = -1;
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        ENSURE(S_ISSOCK(st.st_mode), -EEXIST);
        /* Non-blocking: a live server with a full backlog answers EAGAIN
         * rather than holding us. */
        probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        ENSURE(probe >= 0, -errno);
        ENSURE(connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) < 0, -EADDRINUSE);
        ENSURE(errno == ECONNREFUSED, -EADDRINUSE);
        ENSURE(unlink(path) == 0 || errno == ENOENT, -errno);
        return 0;
}

/* Removes the socket file at path if it is still the one we created. */
static void unlink_ours(const char *path, dev_t dev, ino_t ino)
{
        struct stat st;

        if (lstat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
                (void)unlink(path);
}

int ae_grpc_unix_open(const char *path, const struct ae_grpc_server_config *cfg,
                      _Atomic uint64_t *refusals, struct ae_grpc_unix **ret)
{
        _cleanup_close_ int fd = -1, ep = -1, ev = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct epoll_event e = { .events = EPOLLIN };
        struct ae_grpc_unix *u = NULL;
        struct stat st;
        size_t len;
        int r;

        ENSURE(path && path[0] == '/', -EINVAL);
        len = strlen(path);
        ENSURE(len < sizeof(sa.sun_path), -ENAMETOOLONG);
        memcpy(sa.sun_path, path, len + 1);

        GUARD(clear_stale(path, &sa));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        ENSURE(fd >= 0, -errno);
        ENSURE(bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0, -errno);
        /* From here on the file is ours: remove it on every failure. */
        if (lstat(path, &st) < 0)
                return -errno;
        if (chmod(path, cfg->socket_mode) < 0 || listen(fd, ACCEPT_BACKLOG) < 0)
                goto fail_errno;
        ep = epoll_create1(EPOLL_CLOEXEC);
        ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (ep < 0 || ev < 0)
                goto fail_errno;
        e.data.ptr = NULL; /* the listening socket */
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
                goto fail_errno;
        u = calloc(1, sizeof(*u));
        if (!u)
                goto fail_nomem;
        e.data.ptr = &u->stop_fd;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) < 0)
                goto fail_errno;
        u->conns = calloc(cfg->max_connections, sizeof(*u->conns));
        if (!u->conns)
                goto fail_nomem;

        memcpy(u->path, path, len + 1);
        u->dev = st.st_dev;
        u->ino = st.st_ino;
        u->max_connections = cfg->max_connections;
        u->first_call_ms = cfg->first_call_timeout_ms;
        u->idle_ms = cfg->idle_timeout_ms;
        u->refusals = refusals;
        u->listen_fd = TAKE_FD(fd);
        u->epoll_fd = TAKE_FD(ep);
        u->stop_fd = TAKE_FD(ev);
        pthread_mutex_init(&u->lock, NULL);
        *ret = u;
        return 0;

fail_nomem:
        r = -ENOMEM;
        goto fail;
fail_errno:
        r = -errno;
fail:
        unlink_ours(path, st.st_dev, st.st_ino);
        if (u)
                free(u->conns);
        free(u);
        return r;
}

/* The caller's pidfd: SO_PEERPIDFD names the very process that connected;
 * before Linux 6.5, pidfd_open(pid) names whatever has the pid now, which
 * is the caller unless it already exited and its pid was reused (the
 * client still holds its end open, so a reuse needs the socket passed
 * on). */
static int peer_pidfd(int fd, pid_t pid, int *ret)
{
        socklen_t len = sizeof(int);
        long pfd;
        int v = -1;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &v, &len) == 0 && v >= 0) {
                *ret = v;
                return 0;
        }
        if (errno != ENOPROTOOPT && errno != EINVAL)
                return -errno;
        pfd = syscall(SYS_pidfd_open, pid, 0);
        ENSURE(pfd >= 0, -errno);
        *ret = (int)pfd;
        return 0;
}

/* Records fd (accepted, non-blocking) and gives it to gRPC; or closes it. */
static void take_connection(struct ae_grpc_unix *u, int fd_in)
{
        _cleanup_close_ int fd = fd_in;
        struct ae_grpc_conn *c;
        struct epoll_event e = { .events = 0 }; /* HUP and ERR are always reported */
        struct ucred cred;
        socklen_t len = sizeof(cred);
        struct stat st;
        size_t live;

        pthread_mutex_lock(&u->lock);
        live = u->n_conns;
        pthread_mutex_unlock(&u->lock);
        if (live >= u->max_connections) {
                refuse(u, AE_GRPC_CONN_LIMIT);
                return;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred) ||
            cred.pid <= 0) {
                refuse(u, AE_GRPC_CONN_NO_CREDS);
                return;
        }
        if (fstat(fd, &st) < 0)
                return;
        c = calloc(1, sizeof(*c));
        if (!c)
                return;
        atomic_init(&c->refs, 1);
        c->accepted_ms = now_ms();
        atomic_init(&c->called, false);
        atomic_init(&c->idle_since_ms, c->accepted_ms);
        c->pidfd = -1;
        c->watch_fd = -1;
        if (peer_pidfd(fd, cred.pid, &c->pidfd) < 0) {
                refuse(u, AE_GRPC_CONN_NO_PIDFD);
                ae_grpc_conn_unref(c);
                return;
        }
        c->watch_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        e.data.ptr = c;
        if (c->watch_fd < 0 || epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, c->watch_fd, &e) < 0) {
                ae_grpc_conn_unref(c);
                return;
        }
        c->grpc_fd = fd;
        c->dev = st.st_dev;
        c->ino = st.st_ino;
        c->peer.pid = cred.pid;
        c->peer.uid = cred.uid;
        c->peer.gid = cred.gid;

        pthread_mutex_lock(&u->lock);
        u->conns[u->n_conns++] = c; /* the table's reference */
        pthread_mutex_unlock(&u->lock);
        /* gRPC owns the fd from here, and closes it when done. */
        grpc_server_add_channel_from_fd(u->server, TAKE_FD(fd), u->insecure);
}

/* The connection ended: forget it. */
static void drop_connection(struct ae_grpc_unix *u, struct ae_grpc_conn *c)
{
        bool found = false;

        pthread_mutex_lock(&u->lock);
        for (size_t i = 0; i < u->n_conns; i++) {
                if (u->conns[i] == c) {
                        u->conns[i] = u->conns[--u->n_conns];
                        found = true;
                        break;
                }
        }
        pthread_mutex_unlock(&u->lock);
        if (!found)
                return;
        /* Only this thread touches watch_fd. Calls keep the credentials
         * and pidfd, not the socket. */
        (void)epoll_ctl(u->epoll_fd, EPOLL_CTL_DEL, c->watch_fd, NULL);
        close(c->watch_fd);
        c->watch_fd = -1;
        ae_grpc_conn_unref(c);
}

/* Holds every connection to its deadlines. A connection past one is shut
 * down both ways: gRPC reads the end and closes its transport, the client
 * sees the connection end, and our watch reports the hang-up, which drops
 * it from the table. A call that arrives just as an idle connection is cut
 * ends UNAVAILABLE, which gRPC clients retry. */
static void sweep(struct ae_grpc_unix *u)
{
        int64_t now = now_ms();

        pthread_mutex_lock(&u->lock);
        for (size_t i = 0; i < u->n_conns; i++) {
                struct ae_grpc_conn *c = u->conns[i];
                enum ae_grpc_reason why = AE_GRPC_OK;

                if (c->cut)
                        continue;
                if (!atomic_load_explicit(&c->called, memory_order_relaxed)) {
                        if (u->first_call_ms && now - c->accepted_ms >= u->first_call_ms)
                                why = AE_GRPC_CONN_NO_CALL;
                } else if (u->idle_ms && atomic_load_explicit(&c->refs, memory_order_acquire) == 1 &&
                           now - atomic_load_explicit(&c->idle_since_ms, memory_order_relaxed) >=
                                   u->idle_ms) {
                        why = AE_GRPC_CONN_IDLE;
                }
                if (why != AE_GRPC_OK) {
                        /* Counted first: whoever sees the end sees it counted. */
                        refuse(u, why);
                        c->cut = true;
                        (void)shutdown(c->watch_fd, SHUT_RDWR);
                }
        }
        pthread_mutex_unlock(&u->lock);
}

/* Accepts what is waiting. false when out of fds (or memory): the
 * listening socket is still readable, and polling it again at once would
 * spin, so the caller pauses it. */
static bool accept_all(struct ae_grpc_unix *u)
{
        for (;;) {
                /* Non-blocking: gRPC's transport hangs on a blocking fd. */
                int fd = accept4(u->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (fd >= 0) {
                        take_connection(u, fd);
                        continue;
                }
                if (errno == EINTR || errno == ECONNABORTED)
                        continue;
                return !(errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                         errno == ENOMEM);
        }
}

/* Stops or resumes polling the listening socket. Callers wait in the
 * backlog meanwhile. */
static void listen_pause(struct ae_grpc_unix *u, bool pause)
{
        struct epoll_event e = { .events = pause ? 0 : EPOLLIN, .data.ptr = NULL };

        (void)epoll_ctl(u->epoll_fd, EPOLL_CTL_MOD, u->listen_fd, &e);
}

static void *accept_thread(void *arg)
{
        struct ae_grpc_unix *u = arg;
        struct epoll_event ev[EPOLL_BATCH];
        bool paused = false, deadlines = u->first_call_ms || u->idle_ms;
        int64_t next_sweep = now_ms() + SWEEP_MS;

        for (;;) {
                /* Paused, retry after a while, or as soon as a connection
                 * ends and gives back its fds. With connections to hold to
                 * their deadlines, wake for the next sweep. */
                int timeout = paused ? PAUSE_MS : -1, n;

                if (deadlines && ae_grpc_unix_connections(u) > 0) {
                        int64_t left = next_sweep - now_ms();

                        left = left < 0 ? 0 : left;
                        if (timeout < 0 || left < timeout)
                                timeout = (int)left;
                }
                n = epoll_wait(u->epoll_fd, ev, EPOLL_BATCH, timeout);
                if (deadlines && now_ms() >= next_sweep) {
                        sweep(u);
                        next_sweep = now_ms() + SWEEP_MS;
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return NULL;
                }
                if (paused && n == 0) {
                        paused = false;
                        listen_pause(u, false);
                }
                for (int i = 0; i < n; i++) {
                        if (ev[i].data.ptr == &u->stop_fd)
                                return NULL;
                        if (ev[i].data.ptr != NULL) {
                                drop_connection(u, ev[i].data.ptr);
                                if (paused) {
                                        paused = false;
                                        listen_pause(u, false);
                                }
                        } else if (!accept_all(u)) {
                                paused = true;
                                listen_pause(u, true);
                        }
                }
        }
}

int ae_grpc_unix_start(struct ae_grpc_unix *u, grpc_server *server)
{
        int r;

        ENSURE(u && server && !u->running, -EINVAL);
        u->insecure = grpc_insecure_server_credentials_create();
        ENSURE_ALLOC(u->insecure);
        u->server = server;
        r = pthread_create(&u->thread, NULL, accept_thread, u);
        ENSURE(r == 0, -r);
        u->running = true;
        return 0;
}

void ae_grpc_unix_stop(struct ae_grpc_unix *u)
{
        if (!u)
                return;
        if (u->running) {
                uint64_t one = 1;

                if (write(u->stop_fd, &one, sizeof(one)) != sizeof(one))
                        abort(); /* an eventfd write of 1 cannot fail */
                pthread_join(u->thread, NULL);
                u->running = false;
        }
        if (u->listen_fd >= 0) {
                close(u->listen_fd);
                u->listen_fd = -1;
                /* Only our own socket: another server may have replaced it. */
                unlink_ours(u->path, u->dev, u->ino);
        }
}

void ae_grpc_unix_free(struct ae_grpc_unix *u)
{
        if (!u)
                return;
        ae_grpc_unix_stop(u);
        for (size_t i = 0; i < u->n_conns; i++)
                ae_grpc_conn_unref(u->conns[i]);
        free(u->conns);
        if (u->insecure)
                grpc_server_credentials_release(u->insecure);
        if (u->epoll_fd >= 0)
                close(u->epoll_fd);
        if (u->stop_fd >= 0)
                close(u->stop_fd);
        pthread_mutex_destroy(&u->lock);
        free(u);
}

/* "fd:N" exactly, N a decimal fd number. */
static int parse_peer(const char *peer, int *ret)
{
        long v = 0;

        ENSURE(peer && strncmp(peer, "fd:", 3) == 0, -EINVAL);
        peer += 3;
        ENSURE(*peer >= '0' && *peer <= '9', -EINVAL);
        for (; *peer; peer++) {
                ENSURE(*peer >= '0' && *peer <= '9', -EINVAL);
                v = v * 10 + (*peer - '0');
                ENSURE(v <= 0x7fffffff, -EINVAL);
        }
        *ret = (int)v;
        return 0;
}

struct ae_grpc_conn *ae_grpc_unix_lookup(struct ae_grpc_unix *u, const char *peer)
{
        struct ae_grpc_conn *found = NULL;
        struct stat st;
        int fd;

        if (!u || parse_peer(peer, &fd) < 0)
                return NULL;
        /* The fd is gRPC's and open while the call holds its transport. */
        if (fstat(fd, &st) < 0)
                return NULL;
        pthread_mutex_lock(&u->lock);
        for (size_t i = 0; i < u->n_conns; i++) {
                struct ae_grpc_conn *c = u->conns[i];

                if (c->grpc_fd == fd && c->dev == st.st_dev && c->ino == st.st_ino) {
                        ae_grpc_conn_ref(c);
                        atomic_store_explicit(&c->called, true, memory_order_relaxed);
                        found = c;
                        break;
                }
        }
        pthread_mutex_unlock(&u->lock);
        return found;
}

size_t ae_grpc_unix_connections(struct ae_grpc_unix *u)
{
        size_t n;

        if (!u)
                return 0;
        pthread_mutex_lock(&u->lock);
        n = u->n_conns;
        pthread_mutex_unlock(&u->lock);
        return n;
}
