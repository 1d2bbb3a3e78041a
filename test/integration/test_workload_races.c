/* The workload attestor against real processes: every race and failure
 * with its exact reason. Binaries replaced or deleted under a running
 * process, processes that exit or exec at an exact step of the attestation
 * (the internal test hook), real pid reuse (clone3 with set_tid), zombies,
 * the size and /proc limits. Needs root. */
#define _GNU_SOURCE /* memfd_create, fexecve */
#include "workload-attestor/workload_attestor.h"

#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "workload_harness.h"
#include "workload-attestor/workload_internal.h"

START_TEST(binary_replaced_on_disk_after_start)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        char next[4200];

        snprintf(next, sizeof(next), "%s", wl_path_in("svc.new"));
        ck_assert_int_eq(wl_copy_exe("/bin/sleep", next, 100), 0);
        ck_assert_int_eq(rename(next, wl_path_in("svc")), 0);
        ck_assert_int_eq(wl_attest_reason(a, c.pid, c.pidfd), AE_WORKLOAD_EXE_REPLACED);
        wl_kill(&c);
}
END_TEST

START_TEST(deleted_executable)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);

        ck_assert_int_eq(unlink(wl_path_in("svc")), 0);
        ck_assert_int_eq(wl_attest_reason(a, c.pid, c.pidfd), AE_WORKLOAD_EXE_DELETED);
        wl_kill(&c);
}
END_TEST

START_TEST(executable_that_never_had_a_name)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        int ready[2];
        pid_t pid;
        int pidfd;
        char b;

        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) { /* fileless: sleep from a memfd */
                int in = open("/bin/sleep", O_RDONLY), mfd = memfd_create("sleep", MFD_CLOEXEC);
                struct stat st;
                char *argv[] = { (char *)"sleep", (char *)"60", NULL }, *envp[] = { NULL };

                close(ready[0]);
                if (in < 0 || mfd < 0 || fstat(in, &st) != 0 ||
                    sendfile(mfd, in, NULL, (size_t)st.st_size) != st.st_size)
                        _exit(1);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                fexecve(mfd, argv, envp);
                _exit(1);
        }
        close(ready[1]);
        ck_assert_int_eq(read(ready[0], &b, 1), 0); /* exec done */
        close(ready[0]);
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        ck_assert_int_ge(pidfd, 0);
        ck_assert_int_eq(wl_attest_reason(a, pid, pidfd), AE_WORKLOAD_EXE_DELETED);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(pidfd);
}
END_TEST

START_TEST(over_the_size_limit)
{
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        struct stat st;

        ck_assert_int_eq(stat(wl_path_in("svc"), &st), 0);
        {
                _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                        wl_attestor(16, 0, (uint64_t)st.st_size - 1);

                ck_assert_int_eq(wl_attest_reason(a, c.pid, c.pidfd), AE_WORKLOAD_EXE_TOO_LARGE);
        }
        {
                /* Exactly at the limit is allowed. */
                _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                        wl_attestor(16, 0, (uint64_t)st.st_size);

                ck_assert_int_eq(wl_attest_reason(a, c.pid, c.pidfd), AE_WORKLOAD_OK);
        }
        wl_kill(&c);
}
END_TEST

struct kill_at {
        enum ae_wl_stage stage;
        struct wl_child *child;
        int calls;
};

static void kill_hook(enum ae_wl_stage stage, pid_t pid, void *ctx)
{
        struct kill_at *k = ctx;

        if (stage != k->stage)
                return;
        ck_assert_int_eq(pid, k->child->pid);
        k->calls++;
        /* Exit and be reaped: the pid is free for reuse from here on. */
        kill(k->child->pid, SIGKILL);
        waitpid(k->child->pid, NULL, 0);
        k->child->pid = 0;
}

static void exits_at(enum ae_wl_stage stage)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        struct kill_at k = { stage, &c, 0 };
        pid_t pid = c.pid;

        ae_wl_set_test_hook(a, kill_hook, &k);
        ck_assert_int_eq(wl_attest_reason(a, pid, c.pidfd), AE_WORKLOAD_PROCESS_CHANGED);
        ck_assert_int_eq(k.calls, 1);
        wl_kill(&c);
}

START_TEST(process_exits_after_start_time_was_read)
{
        exits_at(AE_WL_STAGE_STARTED);
}
END_TEST

START_TEST(process_exits_before_hashing)
{
        exits_at(AE_WL_STAGE_OPENED);
}
END_TEST

START_TEST(process_exits_after_hashing)
{
        exits_at(AE_WL_STAGE_HASHED);
}
END_TEST

/* A child that waits on a pipe, then execs a copy of sleep: the same
 * process (pidfd, pid, start time) running another program. */
struct exec_at {
        int go;   /* write end: tell the child to exec */
        int done; /* read end: EOF once it has */
        int calls;
};

static void exec_hook(enum ae_wl_stage stage, pid_t pid, void *ctx)
{
        struct exec_at *e = ctx;
        char b = 1;

        (void)pid;
        if (stage != AE_WL_STAGE_HASHED)
                return;
        e->calls++;
        ck_assert_int_eq(write(e->go, &b, 1), 1);
        ck_assert_int_eq(read(e->done, &b, 1), 0);
}

START_TEST(process_execs_another_binary_during_attestation)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        int go[2], done[2], pidfd;
        struct exec_at e;
        char exe[4200], b;
        pid_t pid;

        snprintf(exe, sizeof(exe), "%s", wl_path_in("other"));
        ck_assert_int_eq(wl_copy_exe("/bin/sleep", exe, 64), 0);
        ck_assert_int_eq(pipe(go), 0);
        ck_assert_int_eq(pipe2(done, O_CLOEXEC), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                char *argv[] = { (char *)"sleep", (char *)"60", NULL };

                close(go[1]);
                close(done[0]);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (read(go[0], &b, 1) == 1)
                        execv(exe, argv);
                _exit(1);
        }
        close(go[0]);
        close(done[1]);
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        ck_assert_int_ge(pidfd, 0);
        e = (struct exec_at){ go[1], done[0], 0 };
        ae_wl_set_test_hook(a, exec_hook, &e);
        ck_assert_int_eq(wl_attest_reason(a, pid, pidfd), AE_WORKLOAD_PROCESS_CHANGED);
        ck_assert_int_eq(e.calls, 1);
        /* Attested afresh, it is the new program. */
        ae_wl_set_test_hook(a, NULL, NULL);
        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r =
                        wl_attest_ok(a, pid, pidfd);

                wl_expect_sha(r, exe);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(pidfd);
        close(go[1]);
        close(done[0]);
}
END_TEST

/* A process with exactly this pid (clone3 set_tid; needs CAP_SYS_ADMIN). */
static pid_t clone_at(pid_t want, const char *exe)
{
        struct clone_args args;
        pid_t tid = want;
        long pid;

        memset(&args, 0, sizeof(args));
        args.exit_signal = SIGCHLD;
        args.set_tid = (uint64_t)(uintptr_t)&tid;
        args.set_tid_size = 1;
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0) {
                char *argv[] = { (char *)"sleep", (char *)"60", NULL };

                prctl(PR_SET_PDEATHSIG, SIGKILL);
                execv(exe, argv);
                _exit(1);
        }
        return (pid_t)pid;
}

/* Until the process at pid runs path (its exec done), at most 10 s: a
 * fixed sleep may be too short on a loaded machine. */
static void wait_exec(pid_t pid, const char *path)
{
        char link[64], target[PATH_MAX], want[PATH_MAX];

        ck_assert_ptr_nonnull(realpath(path, want));
        snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
        for (int i = 0; i < 10000; i++) {
                ssize_t n = readlink(link, target, sizeof(target) - 1);

                if (n > 0) {
                        target[n] = '\0';
                        if (strcmp(target, want) == 0)
                                return;
                }
                usleep(1000);
        }
        ck_abort_msg("pid %d did not exec %s", (int)pid, path);
}

START_TEST(pid_reused_by_another_process)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        int old_pidfd = c.pidfd;
        pid_t pid = c.pid, reused;

        c.pidfd = -1; /* keep the dead process's pidfd, as an agent would */
        wl_kill(&c);
        /* Nothing at the pid yet: the connecting process is simply gone. */
        ck_assert_int_eq(wl_attest_reason(a, pid, old_pidfd), AE_WORKLOAD_PROCESS_GONE);

        /* Another program takes the pid. */
        ck_assert_int_eq(wl_copy_exe("/bin/sleep", wl_path_in("imposter"), 32), 0);
        reused = clone_at(pid, wl_path_in("imposter"));
        ck_assert_msg(reused == pid, "clone3 set_tid: %s", strerror(errno));
        wait_exec(pid, wl_path_in("imposter"));
        ck_assert_int_eq(wl_attest_reason(a, pid, old_pidfd), AE_WORKLOAD_PROCESS_CHANGED);
        /* Without the connection's pidfd the new process is what is there. */
        ck_assert_int_eq(wl_attest_reason(a, pid, -1), AE_WORKLOAD_OK);
        kill(reused, SIGKILL);
        waitpid(reused, NULL, 0);
        close(old_pidfd);
}
END_TEST

START_TEST(pidfd_of_a_different_live_process)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child one = wl_run_copy("one", 0, NULL), two = wl_run_copy("two", 0, NULL);

        ck_assert_int_eq(wl_attest_reason(a, two.pid, one.pidfd), AE_WORKLOAD_PROCESS_CHANGED);
        wl_kill(&one);
        wl_kill(&two);
}
END_TEST

START_TEST(not_a_pidfd_is_an_error)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct ae_workload_result *r = NULL;
        enum ae_workload_reason reason;
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        int fd = open("/dev/null", O_RDONLY);

        ck_assert_int_lt(ae_workload_attest(a, c.pid, fd, &r, &reason), 0);
        ck_assert_ptr_null(r);
        ck_assert_int_eq(ae_workload_attest(a, 0, -1, &r, &reason), -EINVAL);
        close(fd);
        wl_kill(&c);
}
END_TEST

START_TEST(no_such_process_and_zombies)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        pid_t pid = c.pid;
        siginfo_t si;

        /* A zombie: exited, not yet reaped. */
        kill(pid, SIGKILL);
        ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
        ck_assert_int_eq(wl_attest_reason(a, pid, -1), AE_WORKLOAD_PROCESS_GONE);
        ck_assert_int_eq(wl_attest_reason(a, pid, c.pidfd), AE_WORKLOAD_PROCESS_GONE);
        wl_kill(&c);
        /* Reaped: no such pid. */
        ck_assert_int_eq(wl_attest_reason(a, pid, -1), AE_WORKLOAD_PROCESS_GONE);
}
END_TEST

START_TEST(too_many_groups_for_the_proc_limit)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        enum { N = 20000 }; /* "Groups:" of ~120 KB, over AE_WORKLOAD_PROC_MAX */
        static gid_t groups[N];
        struct wl_spawn_opts o = { .set_groups = true, .n_groups = N, .groups = groups };
        struct wl_child c;

        for (size_t i = 0; i < N; i++)
                groups[i] = (gid_t)(100000 + i);
        c = wl_run_copy("svc", 0, &o);
        ck_assert_int_eq(wl_attest_reason(a, c.pid, c.pidfd), AE_WORKLOAD_PROC_UNREADABLE);
        wl_kill(&c);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("workload_races");
        TCase *tc = wl_tcase("races");

        tcase_add_test(tc, binary_replaced_on_disk_after_start);
        tcase_add_test(tc, deleted_executable);
        tcase_add_test(tc, executable_that_never_had_a_name);
        tcase_add_test(tc, over_the_size_limit);
        tcase_add_test(tc, process_exits_after_start_time_was_read);
        tcase_add_test(tc, process_exits_before_hashing);
        tcase_add_test(tc, process_exits_after_hashing);
        tcase_add_test(tc, process_execs_another_binary_during_attestation);
        tcase_add_test(tc, pid_reused_by_another_process);
        tcase_add_test(tc, pidfd_of_a_different_live_process);
        tcase_add_test(tc, not_a_pidfd_is_an_error);
        tcase_add_test(tc, no_such_process_and_zombies);
        tcase_add_test(tc, too_many_groups_for_the_proc_limit);
        suite_add_tcase(s, tc);
        return wl_run_suite(s, NULL);
}
