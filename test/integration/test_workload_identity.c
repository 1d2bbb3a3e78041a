/* The workload attestor against real processes: what a process is.
 * Selectors of children started from copies of system binaries under
 * chosen credentials and cgroups, compared with sha256sum and the kernel's
 * own view. Needs root. Usage: test_workload_identity [identity|cgroup|kthread]
 * (cgroup and kthread skip, 77, where the host does not allow them). */
#include "workload-attestor/workload_attestor.h"

#include <fcntl.h>
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

START_TEST(sha256_path_and_ids_of_a_root_process)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *r = NULL;
        struct wl_child c = wl_run_copy("svc", 0, NULL);
        char sel[4300], cg[4200];

        r = wl_attest_ok(a, c.pid, c.pidfd);
        wl_expect_sha(r, wl_path_in("svc"));
        snprintf(sel, sizeof(sel), "path:%s", wl_path_in("svc"));
        wl_assert_has(r, sel);
        ck_assert_str_eq(r->path, wl_path_in("svc"));
        wl_assert_has(r, "uid:0");
        wl_assert_has(r, "user:root");
        wl_assert_has(r, "gid:0");
        wl_assert_has(r, "group:root");
        wl_own_cgroup_v2(cg, sizeof(cg));
        snprintf(sel, sizeof(sel), "cgroup:%s", cg);
        wl_assert_has(r, sel);
        wl_assert_lacks_prefix(r, "fsverity:"); /* ext4 here has no verity */
        ck_assert_int_eq(r->pid, c.pid);
        ck_assert_int_eq(r->uid, 0);
        ck_assert(!r->cache_hit);
        /* SPIRE's order: uid, user, gid, group, ..., path, sha256. */
        ck_assert_str_eq(r->selectors[0], "uid:0");
        ck_assert_str_eq(r->selectors[1], "user:root");
        ck_assert_str_eq(r->selectors[2], "gid:0");
        ck_assert_str_eq(r->selectors[3], "group:root");
        ck_assert_int_lt(wl_find_prefix(r->selectors, r->n_selectors, "path:"),
                         wl_find_prefix(r->selectors, r->n_selectors, "sha256:"));
        wl_kill(&c);
}
END_TEST

START_TEST(without_a_pidfd_the_attestor_pins_its_own)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *r = NULL;
        struct wl_child c = wl_run_copy("svc", 0, NULL);

        r = wl_attest_ok(a, c.pid, -1);
        wl_expect_sha(r, wl_path_in("svc"));
        wl_kill(&c);
}
END_TEST

START_TEST(another_user_effective_ids_and_names)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *r = NULL;
        /* real 1000/1000, effective 65534 (nobody/nogroup): the effective
         * ids are the identity, as in SPIRE. */
        struct wl_spawn_opts o = { .set_ids = true, .ruid = 1000, .euid = 65534,
                                   .rgid = 1000, .egid = 65534, .set_groups = true };
        struct wl_child c = wl_run_copy("svc", 0, &o);

        r = wl_attest_ok(a, c.pid, c.pidfd);
        wl_assert_has(r, "uid:65534");
        wl_assert_has(r, "user:nobody");
        wl_assert_has(r, "gid:65534");
        wl_assert_has(r, "group:nogroup");
        wl_assert_lacks_prefix(r, "uid:1000");
        wl_assert_lacks_prefix(r, "gid:1000");
        wl_assert_lacks_prefix(r, "supplementary_gid:");
        ck_assert_int_eq(r->uid, 65534);
        ck_assert_int_eq(r->gid, 65534);
        wl_expect_sha(r, wl_path_in("svc"));
        wl_kill(&c);
}
END_TEST

START_TEST(supplementary_groups_with_and_without_names)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *r = NULL;
        static const gid_t groups[] = { 100, 4242, 65534 }; /* users, (none), nogroup */
        struct wl_spawn_opts o = { .set_ids = true, .ruid = 65534, .euid = 65534,
                                   .rgid = 65534, .egid = 65534, .set_groups = true,
                                   .n_groups = 3, .groups = groups };
        struct wl_child c = wl_run_copy("svc", 0, &o);
        int i;

        r = wl_attest_ok(a, c.pid, c.pidfd);
        wl_assert_has(r, "supplementary_gid:100");
        wl_assert_has(r, "supplementary_group:users");
        wl_assert_has(r, "supplementary_gid:4242");
        wl_assert_has(r, "supplementary_gid:65534");
        wl_assert_has(r, "supplementary_group:nogroup");
        /* Each name follows its id; 4242 has none on this host. */
        i = wl_find_selector(r->selectors, r->n_selectors, "supplementary_gid:4242");
        ck_assert_str_eq(r->selectors[i + 1], "supplementary_gid:65534");
        i = wl_find_selector(r->selectors, r->n_selectors, "supplementary_gid:100");
        ck_assert_str_eq(r->selectors[i + 1], "supplementary_group:users");
        wl_kill(&c);
}
END_TEST

START_TEST(a_script_is_its_interpreter)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        _cleanup_(ae_workload_result_freep) struct ae_workload_result *r = NULL;
        struct wl_child c = { 0, -1 };
        char script[4200], shell[4200], fifo[4200], sel[4300];
        char *argv[] = { script, NULL };
        FILE *f;

        snprintf(shell, sizeof(shell), "%s", wl_path_in("dash"));
        ck_assert_int_eq(wl_copy_exe("/bin/dash", shell, 0), 0);
        snprintf(script, sizeof(script), "%s", wl_path_in("job.sh"));
        snprintf(fifo, sizeof(fifo), "%s", wl_path_in("fifo"));
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        f = fopen(script, "w");
        ck_assert_ptr_nonnull(f);
        /* The shell itself waits (opening a FIFO nobody writes): no child. */
        fprintf(f, "#!%s\nread x < %s\n", shell, fifo);
        fclose(f);
        ck_assert_int_eq(chmod(script, 0755), 0);
        ck_assert_int_eq(wl_spawn(script, argv, NULL, &c), 0);

        r = wl_attest_ok(a, c.pid, c.pidfd);
        snprintf(sel, sizeof(sel), "path:%s", shell);
        wl_assert_has(r, sel);
        wl_expect_sha(r, shell);
        wl_kill(&c);
}
END_TEST

static char cgroup2_root[4096];

/* The cgroup v2 mount, from our mountinfo; "" when there is none. */
static void find_cgroup2(void)
{
        FILE *f = fopen("/proc/self/mountinfo", "r");
        char line[8192];

        cgroup2_root[0] = '\0';
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                char *sep = strstr(line, " - "), mnt[4096];

                if (!sep || strncmp(sep, " - cgroup2 ", 11) != 0)
                        continue;
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
                        snprintf(cgroup2_root, sizeof(cgroup2_root), "%s", mnt);
                        break;
                }
        }
        fclose(f);
}

static int write_pid(const char *cg, pid_t pid)
{
        char procs[8300], num[32];
        int fd, n, ok;

        snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
        fd = open(procs, O_WRONLY);
        if (fd < 0)
                return -errno;
        n = snprintf(num, sizeof(num), "%d\n", (int)pid);
        ok = write(fd, num, (size_t)n) == n;
        close(fd);
        return ok ? 0 : -errno;
}

/* A cgroup below our own v2 cgroup, then a Docker-style scope below it. */
START_TEST(process_in_a_cgroup_we_create)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);
        static const char id[] =
                "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
        char own[4096], cg[8300], scope[8400], sel[8500];
        struct wl_child c = wl_run_copy("svc", 0, NULL), d;

        find_cgroup2();
        ck_assert_msg(cgroup2_root[0], "no cgroup v2 mount");
        wl_own_cgroup_v2(own, sizeof(own));
        if (strcmp(own, "/") == 0)
                own[0] = '\0';
        /* A plain cgroup... */
        snprintf(cg, sizeof(cg), "%s%s/aegis-wl-%d", cgroup2_root, own, (int)getpid());
        ck_assert_int_eq(mkdir(cg, 0755), 0);
        ck_assert_int_eq(write_pid(cg, c.pid), 0);
        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r =
                        wl_attest_ok(a, c.pid, c.pidfd);

                snprintf(sel, sizeof(sel), "cgroup:%s/aegis-wl-%d", own, (int)getpid());
                wl_assert_has(r, sel);
                wl_assert_lacks_prefix(r, "container_id:");
                ck_assert_str_eq(r->container_id, "");
        }
        /* ... and one laid out as Docker's systemd driver does. */
        snprintf(scope, sizeof(scope), "%s/docker-%s.scope", cg, id);
        ck_assert_int_eq(mkdir(scope, 0755), 0);
        ck_assert_int_eq(wl_spawn_sleep(wl_path_in("svc"), NULL, &d), 0);
        ck_assert_int_eq(write_pid(scope, d.pid), 0);
        {
                _cleanup_(ae_workload_result_freep) struct ae_workload_result *r =
                        wl_attest_ok(a, d.pid, d.pidfd);

                snprintf(sel, sizeof(sel), "container_id:%s", id);
                wl_assert_has(r, sel);
                ck_assert_str_eq(r->container_id, id);
                snprintf(sel, sizeof(sel), "cgroup:%s/aegis-wl-%d/docker-%s.scope", own,
                         (int)getpid(), id);
                wl_assert_has(r, sel);
        }
        wl_kill(&c);
        wl_kill(&d);
        ck_assert_int_eq(rmdir(scope), 0);
        ck_assert_int_eq(rmdir(cg), 0);
}
END_TEST

static int is_kthread(pid_t pid)
{
        char path[64], buf[1024];
        FILE *f;
        unsigned long flags = 0;
        char *close_paren;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "r");
        if (!f)
                return 0;
        if (!fgets(buf, sizeof(buf), f)) {
                fclose(f);
                return 0;
        }
        fclose(f);
        close_paren = strrchr(buf, ')');
        if (!close_paren ||
            sscanf(close_paren + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
                return 0;
        return (flags & 0x00200000u) != 0;
}

START_TEST(kernel_thread_has_no_executable)
{
        _cleanup_(ae_workload_attestor_freep) struct ae_workload_attestor *a =
                wl_attestor(16, 0, 0);

        ck_assert_int_eq(wl_attest_reason(a, 2, -1), AE_WORKLOAD_KERNEL_THREAD);
}
END_TEST

int main(int argc, char **argv)
{
        const char *only = argc > 1 ? argv[1] : NULL;
        Suite *s = suite_create("workload_identity");
        TCase *tc;

        if (only && strcmp(only, "cgroup") == 0) {
                char probe[4200];

                find_cgroup2();
                snprintf(probe, sizeof(probe), "%s/aegis-wl-probe-%d", cgroup2_root,
                         (int)getpid());
                if (!cgroup2_root[0] || mkdir(probe, 0755) != 0) {
                        fprintf(stderr, "no writable cgroup v2 hierarchy here: skipped\n");
                        return AE_TEST_SKIP;
                }
                rmdir(probe);
        }
        if (only && strcmp(only, "kthread") == 0 && !is_kthread(2)) {
                fprintf(stderr, "pid 2 is not a kernel thread here (pid namespace?): skipped\n");
                return AE_TEST_SKIP;
        }
        tc = wl_tcase("identity");
        tcase_add_test(tc, sha256_path_and_ids_of_a_root_process);
        tcase_add_test(tc, without_a_pidfd_the_attestor_pins_its_own);
        tcase_add_test(tc, another_user_effective_ids_and_names);
        tcase_add_test(tc, supplementary_groups_with_and_without_names);
        tcase_add_test(tc, a_script_is_its_interpreter);
        suite_add_tcase(s, tc);
        tc = wl_tcase("cgroup");
        tcase_add_test(tc, process_in_a_cgroup_we_create);
        suite_add_tcase(s, tc);
        tc = wl_tcase("kthread");
        tcase_add_test(tc, kernel_thread_has_no_executable);
        suite_add_tcase(s, tc);
        return wl_run_suite(s, only);
}
