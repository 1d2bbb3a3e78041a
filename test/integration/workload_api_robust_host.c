#define _GNU_SOURCE /* mkdtemp, pipe2 */
#include "workload_api_robust_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "control-plane/agent/entry_cache.h"
#include "control-plane/agent/issuer_source.h"
#include "control-plane/agent/workload_api.h"
#include "svid-issuer/ca.h"
#include "workload-attestor/workload_attestor.h"

#define MAX_ARGS 16

void robust_agent_start(struct robust_agent *a, const struct robust_agent_opts *o)
{
        struct ae_ca_options opt = { .trust_domain = "example.org" };
        struct ae_workload_api_config cfg = { 0 };
        struct ae_workload_config wcfg;
        struct ae_reg_entry e;
        char cadir[128];
        int r;

        memset(a, 0, sizeof(*a));
        snprintf(a->dir, sizeof(a->dir), "/tmp/ae-wlapi-robust-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(a->dir));
        snprintf(cadir, sizeof(cadir), "%s/ca", a->dir);
        snprintf(a->sock, sizeof(a->sock), "%s/agent.sock", a->dir);

        memset(&e, 0, sizeof(e));
        snprintf(e.id, sizeof(e.id), "robust");
        snprintf(e.spiffe_id, sizeof(e.spiffe_id), "%s", ROBUST_SPIFFE_ID);
        snprintf(e.selectors[0], sizeof(e.selectors[0]), AE_WORKLOAD_ATTESTOR_TYPE ":uid:%u",
                 (unsigned)geteuid());
        e.n_selectors = 1;
        e.x509_svid_ttl = o->ttl;

        ae_workload_config_default(&wcfg);
        if (o->forget_names)
                wcfg.names_ttl_ms = 0;
        r = ae_ca_init(cadir, &opt, time(NULL), NULL);
        if (r == 0)
                r = ae_ca_load(cadir, time(NULL), &a->ca, NULL);
        if (r == 0)
                r = ae_issuer_source_new(a->ca, NULL, AE_CA_KEY_P256, &a->is);
        if (r == 0)
                r = ae_entry_cache_new(&a->entries);
        if (r == 0)
                r = ae_entry_cache_set(a->entries, &e, 1, NULL, NULL);
        if (r == 0)
                r = ae_workload_attestor_new(&wcfg, &a->attestor);
        ck_assert_msg(r == 0, "agent setup: %s", strerror(-r));
        if (o->hook)
                ae_wl_set_test_hook(a->attestor, o->hook, o->hook_ctx);

        cfg.socket_path = a->sock;
        cfg.attestor = a->attestor;
        cfg.entries = a->entries;
        cfg.source = ae_issuer_source_as_source(a->is);
        cfg.push_interval_ms = o->push_interval_ms ? o->push_interval_ms : 100;
        cfg.first_call_timeout_ms = o->first_call_timeout_ms;
        cfg.idle_timeout_ms = o->idle_timeout_ms;
        r = ae_workload_api_new(&cfg, &a->api);
        if (r == 0)
                r = ae_workload_api_start(a->api);
        ck_assert_msg(r == 0, "workload api: %s", strerror(-r));
}

void robust_agent_stop(struct robust_agent *a)
{
        char cmd[160];

        ae_workload_api_free(a->api);
        ae_workload_attestor_free(a->attestor);
        ae_entry_cache_free(a->entries);
        ae_issuer_source_free(a->is);
        ae_ca_free(a->ca);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a->dir);
        ck_assert_int_eq(system(cmd), 0);
}

void robust_spawn(struct robust_child *c, size_t n_groups, const gid_t *groups,
                  const char *role, ...)
{
        char *argv[MAX_ARGS + 4];
        int in[2], out[2], n = 0;
        pid_t parent = getpid();
        va_list ap;
        long pidfd;

        memset(c, 0, sizeof(*c));
        argv[n++] = (char *)"workload_api_robust";
        argv[n++] = (char *)"--role";
        argv[n++] = (char *)role;
        va_start(ap, role);
        for (const char *s; n < MAX_ARGS && (s = va_arg(ap, const char *));)
                argv[n++] = (char *)s;
        va_end(ap);
        argv[n] = NULL;
        ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
        c->pid = fork();
        ck_assert_int_ge(c->pid, 0);
        if (c->pid == 0) {
                /* Only async-signal-safe calls until exec: gRPC's threads
                 * did not come along. A fresh image runs the role. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
                        _exit(126);
                if (n_groups > 0 && syscall(SYS_setgroups, n_groups, groups) != 0)
                        _exit(125);
                if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
                        _exit(124);
                execv("/proc/self/exe", argv);
                _exit(127);
        }
        close(in[0]);
        close(out[1]);
        c->in_fd = in[1];
        c->out_fd = out[0];
        pidfd = syscall(SYS_pidfd_open, c->pid, 0);
        ck_assert_int_ge(pidfd, 0);
        c->pidfd = (int)pidfd;
}

/* A line waiting within timeout_ms (true), or none (false). */
static bool next_line(struct robust_child *c, char *buf, size_t size, int timeout_ms)
{
        for (;;) {
                char *nl = memchr(c->buf, '\n', c->len);
                struct pollfd p = { .fd = c->out_fd, .events = POLLIN };
                ssize_t n;

                if (nl) {
                        size_t k = (size_t)(nl - c->buf);

                        ck_assert_uint_lt(k, size);
                        memcpy(buf, c->buf, k);
                        buf[k] = '\0';
                        c->len -= k + 1;
                        memmove(c->buf, nl + 1, c->len);
                        return true;
                }
                ck_assert_msg(c->len < sizeof(c->buf) - 1, "child line too long");
                if (poll(&p, 1, timeout_ms) != 1)
                        return false;
                n = read(c->out_fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
                ck_assert_msg(n > 0, "child %d: output ended", (int)c->pid);
                c->len += (size_t)n;
        }
}

void robust_child_line(struct robust_child *c, char *buf, size_t size)
{
        ck_assert_msg(next_line(c, buf, size, ROBUST_WAIT_MS), "child %d: no output in time",
                      (int)c->pid);
}

bool robust_child_try_line(struct robust_child *c, char *buf, size_t size)
{
        return next_line(c, buf, size, 0);
}

void robust_child_expect(struct robust_child *c, const char *want)
{
        char line[1024];

        robust_child_line(c, line, sizeof(line));
        ck_assert_str_eq(line, want);
}

void robust_child_say(struct robust_child *c, const char *line)
{
        size_t len = strlen(line);

        ck_assert_int_eq(write(c->in_fd, line, len), (ssize_t)len);
        ck_assert_int_eq(write(c->in_fd, "\n", 1), 1);
}

int robust_child_wait(struct robust_child *c)
{
        struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
        int status;

        ck_assert_msg(poll(&p, 1, ROBUST_WAIT_MS) == 1, "child %d did not exit", (int)c->pid);
        ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
        close(c->pidfd);
        close(c->in_fd);
        close(c->out_fd);
        c->pid = 0;
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}

size_t robust_count_fds(const char *link_prefix)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        size_t n = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d))) {
                char link[256];
                ssize_t len;

                if (de->d_name[0] == '.')
                        continue;
                if (!link_prefix) {
                        n++;
                        continue;
                }
                /* An fd closed meanwhile by another thread is not counted. */
                len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
                if (len < 0)
                        continue;
                link[len] = '\0';
                if (strncmp(link, link_prefix, strlen(link_prefix)) == 0)
                        n++;
        }
        closedir(d);
        return link_prefix ? n : n - 1; /* the directory's own fd */
}

long robust_rss_kib(void)
{
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        long kib = -1;

        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
                        break;
        if (f)
                fclose(f);
        ck_assert_int_gt(kib, 0);
        return kib;
}

bool robust_until(bool (*cond)(void *arg), void *arg, uint32_t ms)
{
        const struct timespec step = { .tv_nsec = 5 * 1000 * 1000 };

        for (uint32_t waited = 0; waited < ms; waited += 5) {
                if (cond(arg))
                        return true;
                nanosleep(&step, NULL);
        }
        return cond(arg);
}
