#define _GNU_SOURCE /* pipe2 */
#include "workload_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

char *wl_scratch_dir(void)
{
        char tmpl[] = "/tmp/aegis-wl-XXXXXX";
        char *dir = mkdtemp(tmpl);

        if (!dir || chmod(dir, 0755) != 0)
                return NULL;
        return strdup(dir);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
        (void)st;
        (void)flag;
        (void)f;
        return remove(path) == 0 ? 0 : 0;
}

void wl_remove_tree(const char *dir)
{
        if (dir)
                (void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int wl_copy_exe(const char *src, const char *dst, size_t extra)
{
        int in = open(src, O_RDONLY | O_CLOEXEC), out;
        char buf[65536];
        ssize_t n;

        if (in < 0)
                return -errno;
        out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        if (out < 0) {
                close(in);
                return -errno;
        }
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        n = -1;
        while (n >= 0 && extra > 0) {
                size_t k = extra < sizeof(buf) ? extra : sizeof(buf);

                if (RAND_bytes((unsigned char *)buf, (int)k) != 1 ||
                    write(out, buf, k) != (ssize_t)k)
                        n = -1;
                extra -= k;
        }
        close(in);
        if (close(out) != 0 || n < 0)
                return -EIO;
        return chmod(dst, 0755) == 0 ? 0 : -errno;
}

static void child(const char *exe, char *const argv[], const struct wl_spawn_opts *o,
                  pid_t parent, int report)
{
        int err = 0;

        if (o && o->set_groups && setgroups(o->n_groups, o->groups) != 0)
                err = errno;
        if (!err && o && o->set_ids &&
            (setresgid(o->rgid, o->egid, o->egid) != 0 ||
             setresuid(o->ruid, o->euid, o->euid) != 0))
                err = errno;
        /* After the id change, which clears it. */
        if (!err && prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
                err = errno;
        if (!err && getppid() != parent)
                _exit(0);
        if (!err) {
                execv(exe, argv);
                err = errno;
        }
        (void)!write(report, &err, sizeof(err));
        _exit(127);
}

int wl_spawn(const char *exe, char *const argv[], const struct wl_spawn_opts *o,
             struct wl_child *ret)
{
        pid_t parent = getpid(), pid;
        int p[2], err = 0;
        ssize_t n;

        if (pipe2(p, O_CLOEXEC) != 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return -errno;
        }
        if (pid == 0) {
                close(p[0]);
                child(exe, argv, o, parent, p[1]);
        }
        close(p[1]);
        ret->pid = pid;
        ret->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        /* EOF: the exec closed the pipe. */
        do
                n = read(p[0], &err, sizeof(err));
        while (n < 0 && errno == EINTR);
        close(p[0]);
        if (n > 0 || ret->pidfd < 0) {
                wl_kill(ret);
                return n > 0 ? -err : -EIO;
        }
        return 0;
}

int wl_spawn_sleep(const char *exe, const struct wl_spawn_opts *o, struct wl_child *ret)
{
        char *argv[] = { (char *)"sleep", (char *)"60", NULL };

        return wl_spawn(exe, argv, o, ret);
}

void wl_kill(struct wl_child *c)
{
        if (c->pid > 0) {
                kill(c->pid, SIGKILL);
                while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                c->pid = 0;
        }
        if (c->pidfd >= 0) {
                close(c->pidfd);
                c->pidfd = -1;
        }
}

int wl_sha256sum(const char *path, char out[65])
{
        char cmd[4200], line[256];
        FILE *f;
        int ok;

        snprintf(cmd, sizeof(cmd), "sha256sum -- '%s'", path);
        f = popen(cmd, "r");
        if (!f)
                return -errno;
        ok = fgets(line, sizeof(line), f) != NULL && strlen(line) > 64 && line[64] == ' ';
        if (pclose(f) != 0 || !ok)
                return -EIO;
        memcpy(out, line, 64);
        out[64] = '\0';
        return 0;
}

int wl_find_selector(const char *const *sel, size_t n, const char *want)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(sel[i], want) == 0)
                        return (int)i;
        return -1;
}

int wl_find_prefix(const char *const *sel, size_t n, const char *prefix)
{
        for (size_t i = 0; i < n; i++)
                if (strncmp(sel[i], prefix, strlen(prefix)) == 0)
                        return (int)i;
        return -1;
}
