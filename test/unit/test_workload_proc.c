/* The workload attestor's /proc parsers (status, stat, cgroup, pidfd
 * fdinfo), container ids for each runtime's cgroup layout, reasons,
 * selector packing, fs-verity formatting and user names. */
#define _GNU_SOURCE /* syscall */
#include "workload-attestor/proc_status.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <linux/fsverity.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check_util.h"
#include "common/file.h"
#include "workload-attestor/fsverity.h"
#include "workload-attestor/pidfd.h"
#include "workload-attestor/proc_cgroup.h"
#include "workload-attestor/proc_stat.h"
#include "workload-attestor/proc_text.h"
#include "workload-attestor/selectors.h"
#include "workload-attestor/user_names.h"
#include "workload-attestor/workload_attestor.h"
#include "workload-attestor/workload_reason.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct ae_wl_span span(const char *s)
{
        return (struct ae_wl_span){ s, strlen(s) };
}

static char *slurp(const char *path, size_t *len)
{
        uint8_t *data = NULL;

        ck_assert_int_eq(ae_file_read(path, 65536, &data, len), 0);
        return (char *)data;
}

START_TEST(numbers_are_strict)
{
        uint64_t u;
        int64_t i;

        ck_assert_int_eq(ae_wl_parse_u64(span("0"), &u), 0);
        ck_assert_uint_eq(u, 0);
        ck_assert_int_eq(ae_wl_parse_u64(span("18446744073709551615"), &u), 0);
        ck_assert(u == UINT64_MAX);
        ck_assert_int_eq(ae_wl_parse_u64(span("18446744073709551616"), &u), -EINVAL);
        ck_assert_int_eq(ae_wl_parse_u64(span(""), &u), -EINVAL);
        ck_assert_int_eq(ae_wl_parse_u64(span("+1"), &u), -EINVAL);
        ck_assert_int_eq(ae_wl_parse_u64(span("1 "), &u), -EINVAL);
        ck_assert_int_eq(ae_wl_parse_u64(span("12a"), &u), -EINVAL);
        ck_assert_int_eq(ae_wl_parse_i64(span("-1"), &i), 0);
        ck_assert_int_eq(i, -1);
        ck_assert_int_eq(ae_wl_parse_i64(span("-9223372036854775808"), &i), 0);
        ck_assert(i == INT64_MIN);
        ck_assert_int_eq(ae_wl_parse_i64(span("9223372036854775808"), &i), -EINVAL);
        ck_assert_int_eq(ae_wl_parse_i64(span("-"), &i), -EINVAL);
}
END_TEST

START_TEST(status_of_this_process)
{
        struct ae_wl_status st;
        gid_t groups[256];
        int n = getgroups(256, groups);
        size_t len;
        char *text = slurp("/proc/self/status", &len);

        ck_assert_int_eq(ae_wl_status_parse(text, len, &st), 0);
        ck_assert_uint_eq(st.uid[0], getuid());
        ck_assert_uint_eq(st.uid[1], geteuid());
        ck_assert_uint_eq(st.gid[1], getegid());
        ck_assert_int_ge(n, 0);
        ck_assert_uint_eq(st.n_groups, (size_t)n);
        for (int i = 0; i < n; i++)
                ck_assert_uint_eq(st.groups[i], groups[i]);
        ae_wl_status_fini(&st);
        free(text);
}
END_TEST

static int status_of(const char *text, struct ae_wl_status *st)
{
        return ae_wl_status_parse(text, strlen(text), st);
}

START_TEST(status_fields)
{
        struct ae_wl_status st;

        ck_assert_int_eq(status_of("Name:\tx\nUid:\t1000\t1001\t1002\t1003\n"
                                   "Gid:\t5\t6\t7\t8\nGroups:\t10 20 4294967295 \n",
                                   &st),
                         0);
        ck_assert_uint_eq(st.uid[0], 1000);
        ck_assert_uint_eq(st.uid[1], 1001);
        ck_assert_uint_eq(st.uid[3], 1003);
        ck_assert_uint_eq(st.gid[1], 6);
        ck_assert_uint_eq(st.n_groups, 3);
        ck_assert_uint_eq(st.groups[2], 4294967295u);
        ae_wl_status_fini(&st);

        /* No groups, and no final newline. */
        ck_assert_int_eq(status_of("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:", &st), 0);
        ck_assert_uint_eq(st.n_groups, 0);
        ae_wl_status_fini(&st);

        /* The kernel escapes Name:; an escaped newline is no new line. */
        ck_assert_int_eq(status_of("Name:\tx\\nUid:\t9 9 9 9\nUid:\t1 1 1 1\n"
                                   "Gid:\t0 0 0 0\nGroups:\t\n",
                                   &st),
                         0);
        ck_assert_uint_eq(st.uid[1], 1);
        ae_wl_status_fini(&st);
}
END_TEST

START_TEST(status_malformed)
{
        struct ae_wl_status st;
        static const char *const bad[] = {
                "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",                      /* no Groups */
                "Uid:\t0\t0\t0\t0\nGroups:\t\n",                             /* no Gid */
                "Gid:\t0\t0\t0\t0\nGroups:\t\n",                             /* no Uid */
                "Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n",                 /* 3 ids */
                "Uid:\t0\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n",           /* 5 ids */
                "Uid:\t0\t0\t0\t4294967296\nGid:\t0\t0\t0\t0\nGroups:\n",     /* > 32 bits */
                "Uid:\t0\t-1\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n",             /* sign */
                "Uid:\t0\t0\t0\t0\nUid:\t1\t1\t1\t1\nGid:\t0\t0\t0\t0\nGroups:\n", /* twice */
                "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t1 x\n",         /* not a gid */
                "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\nGroups:\n",     /* twice */
                "",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(status_of(bad[i], &st) == -EBADMSG, "case %zu", i);
}
END_TEST

START_TEST(pidfd_fdinfo)
{
        int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        int64_t pid;

        /* Valgrind 3.19 does not emulate pidfd_open: check the text only. */
        if (fd < 0 && errno == ENOSYS)
                goto text;
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ae_wl_pidfd_pid(fd, &pid), 0);
        ck_assert_int_eq(pid, getpid());
        ck_assert_int_eq(ae_wl_pidfd_alive(fd), 1);
        close(fd);
        fd = open("/dev/null", O_RDONLY);
        ck_assert_int_eq(ae_wl_pidfd_pid(fd, &pid), -EBADMSG);
        close(fd);
        ck_assert_int_eq(ae_wl_pidfd_open(0x7ffffff0, &fd), -ESRCH);
        /* The fdinfo fallback on its own (PIDFD_GET_INFO answers first
         * where the kernel has it). */
        fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        ck_assert_int_eq(ae_wl_pidfd_pid_fdinfo(fd, &pid), 0);
        ck_assert_int_eq(pid, getpid());
        close(fd);

text:
        ck_assert_int_eq(ae_wl_fdinfo_pid("pos:\t0\nPid:\t-1\nNSpid:\t-1\n", 26, &pid), 0);
        ck_assert_int_eq(pid, -1);
        ck_assert_int_eq(ae_wl_fdinfo_pid("Pid:\t-2\n", 8, &pid), -EBADMSG);
        ck_assert_int_eq(ae_wl_fdinfo_pid("Pid:\t1\nPid:\t2\n", 14, &pid), -EBADMSG);
        ck_assert_int_eq(ae_wl_fdinfo_pid("Pid:\t1 2\n", 9, &pid), -EBADMSG);
        ck_assert_int_eq(ae_wl_fdinfo_pid("NSpid:\t1\n", 9, &pid), -EBADMSG);
}
END_TEST

START_TEST(stat_of_this_process)
{
        struct ae_wl_stat st;
        size_t len;
        char *text = slurp("/proc/self/stat", &len);

        ck_assert_int_eq(ae_wl_stat_parse(text, len, &st), 0);
        ck_assert_uint_eq(st.pid, (uint64_t)getpid());
        ck_assert_int_eq(st.state, 'R');
        ck_assert_uint_gt(st.start_time, 0);
        ck_assert(!ae_wl_stat_is_kthread(&st));
        free(text);
}
END_TEST

#define TAIL20 " 1 2 3 4 -1 4194560 7 8 9 10 11 12 13 14 20 0 1 0 4242 99\n"

static int stat_of(const char *text, struct ae_wl_stat *st)
{
        return ae_wl_stat_parse(text, strlen(text), st);
}

START_TEST(stat_comm_cannot_fake_fields)
{
        struct ae_wl_stat st;

        /* comm ") Z 1 2 3 4 5 2097152 ..." would fake a kernel thread that
         * is a zombie with another start time: the last ')' wins. */
        ck_assert_int_eq(stat_of("77 (a) Z 1 1 1 1 -1 2097152 1 1 1 1 1 1 1 1 1 1 1 1 7 (b) S"
                                 TAIL20,
                                 &st),
                         0);
        ck_assert_uint_eq(st.pid, 77);
        ck_assert_int_eq(st.state, 'S');
        ck_assert_uint_eq(st.flags, 4194560);
        ck_assert_uint_eq(st.start_time, 4242);
        ck_assert(!ae_wl_stat_is_kthread(&st));

        ck_assert_int_eq(stat_of("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 26 0\n",
                                 &st),
                         0);
        ck_assert(ae_wl_stat_is_kthread(&st));
        ck_assert_uint_eq(st.start_time, 26);
        /* Spaces, parentheses and a newline inside comm. */
        ck_assert_int_eq(stat_of("5 (x (y)\n) z) R" TAIL20, &st), 0);
        ck_assert_int_eq(st.state, 'R');
}
END_TEST

START_TEST(stat_malformed)
{
        struct ae_wl_stat st;
        static const char *const bad[] = {
                "",
                "5 (x) S 1 2 3 4 -1 0 7 8 9 10 11 12 13 14 20 0 1 0\n", /* 21 fields */
                "5 x S" TAIL20,                                          /* no parens */
                "5 (x S" TAIL20,                                         /* no ')' */
                "(x) S" TAIL20,                                          /* no pid */
                "5(x) S" TAIL20,                                         /* no space */
                "-5 (x) S" TAIL20,                                       /* sign */
                "5 (x) SS" TAIL20,                                       /* state */
                "5 (x)S" TAIL20,                                         /* no space */
                "5 (x) S 1 2 3 4 -1 -7 7 8 9 10 11 12 13 14 20 0 1 0 4242\n", /* flags */
                "5 (x) S 1 2 3 4 -1 0 7 8 9 10 11 12 13 14 20 0 1 0 x\n", /* starttime */
                ")",
                "5 )(",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(stat_of(bad[i], &st) == -EBADMSG, "case %zu", i);
}
END_TEST

static int cgroups_of(const char *text, struct ae_wl_cgroups *cg)
{
        return ae_wl_cgroup_parse(text, strlen(text), cg);
}

START_TEST(cgroup_lines)
{
        struct ae_wl_cgroups cg;
        size_t len;
        char *text = slurp("/proc/self/cgroup", &len);

        ck_assert_int_eq(ae_wl_cgroup_parse(text, len, &cg), 0);
        ck_assert_uint_ge(cg.n, 1);
        free(text);

        ck_assert_int_eq(cgroups_of("0::/system.slice/nginx.service\n", &cg), 0);
        ck_assert_uint_eq(cg.n, 1);
        ck_assert_uint_eq(cg.lines[0].hierarchy, 0);
        ck_assert(ae_wl_span_eq(cg.lines[0].path, "/system.slice/nginx.service"));

        /* Hybrid: v1 hierarchies and the unified one; ':' inside a path. */
        ck_assert_int_eq(cgroups_of("12:cpu,cpuacct:/a:b\n1:name=systemd:/user.slice\n0::/", &cg),
                         0);
        ck_assert_uint_eq(cg.n, 3);
        ck_assert(ae_wl_span_eq(cg.lines[0].controllers, "cpu,cpuacct"));
        ck_assert(ae_wl_span_eq(cg.lines[0].path, "/a:b"));
        ck_assert(ae_wl_span_eq(cg.lines[2].path, "/"));
}
END_TEST

START_TEST(cgroup_malformed)
{
        struct ae_wl_cgroups cg;
        char many[64 * 16 + 64] = "";
        static const char *const bad[] = {
                "",
                "0::/a\n0::/b\n",   /* unified twice: a forged line */
                "3:cpu:/a\n3:cpu:/b\n",
                "0::a\n",           /* relative */
                "0::\n",
                "0:cpu:/a\n",       /* unified with controllers */
                "4::/a\n",          /* v1 without */
                "x::/a\n",
                "0:/a\n",
                "4294967296:cpu:/a\n",
                "0::/a\n\n",        /* empty line */
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(cgroups_of(bad[i], &cg) == -EBADMSG, "case %zu", i);
        for (int i = 1; i <= AE_WL_CGROUP_LINES_MAX + 1; i++)
                snprintf(many + strlen(many), sizeof(many) - strlen(many), "%d:c:/\n", i);
        ck_assert_int_eq(cgroups_of(many, &cg), -EBADMSG);
}
END_TEST

static const char *container_of(const char *path)
{
        static char id[AE_WL_CONTAINER_ID_LEN + 1];

        return ae_wl_container_id(span(path), id) ? id : NULL;
}

START_TEST(container_ids_per_runtime)
{
        static const char *const found[] = {
                /* Docker, cgroupfs driver (v1) */
                "/docker/" ID64,
                /* Docker, systemd driver */
                "/system.slice/docker-" ID64 ".scope",
                /* containerd under Kubernetes, systemd driver */
                "/kubepods.slice/kubepods-besteffort.slice/"
                "kubepods-besteffort-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/"
                "cri-containerd-" ID64 ".scope",
                /* CRI-O under Kubernetes, systemd driver */
                "/kubepods.slice/kubepods-burstable.slice/"
                "kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/crio-" ID64
                ".scope",
                /* Kubernetes, cgroupfs driver, each QoS class */
                "/kubepods/burstable/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" ID64,
                "/kubepods/besteffort/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" ID64,
                "/kubepods/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" ID64,
                /* rootless Podman (crun's "container" leaf) and Podman's cgroupfs */
                "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64
                ".scope/container",
                "/machine.slice/libpod-" ID64 ".scope",
                "/libpod_parent/libpod-" ID64,
        };
        static const char *const none[] = {
                "/",
                "/system.slice/docker.service",
                "/docker/" ID64 "0",                               /* 65 digits */
                "/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                "/system.slice/crio-conmon-" ID64 ".scope",         /* the monitor */
                "/machine.slice/libpod-conmon-" ID64 ".scope",
                "/system.slice/docker-" ID64 ".scopes",
                "/system.slice/docker-" ID64,
                "/kubepods/burstable/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
                "/user.slice/" ID64,                                /* hex alone */
                "/pod1234/" ID64,                                   /* not under kubepods */
        };

        for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
                const char *id = container_of(found[i]);

                ck_assert_msg(id && strcmp(id, ID64) == 0, "no id in %s", found[i]);
        }
        for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
                ck_assert_msg(container_of(none[i]) == NULL, "id in %s", none[i]);
        /* Docker in Docker: the innermost container. */
        ck_assert_str_eq(container_of("/docker/" ID64B "/docker/" ID64), ID64);
}
END_TEST

START_TEST(reasons_have_ids_and_text)
{
        for (int i = 0; i < AE_WORKLOAD_REASON_COUNT; i++) {
                const char *id = ae_workload_reason_id((enum ae_workload_reason)i);

                ck_assert_str_ne(id, "unknown");
                ck_assert_str_ne(ae_workload_reason_str((enum ae_workload_reason)i),
                                 "unknown reason");
                for (int k = 0; k < i; k++)
                        ck_assert_str_ne(id, ae_workload_reason_id((enum ae_workload_reason)k));
        }
        ck_assert_str_eq(ae_workload_reason_str(AE_WORKLOAD_PROCESS_CHANGED), "process changed");
        ck_assert_str_eq(ae_workload_reason_id(AE_WORKLOAD_REASON_COUNT), "unknown");
        ck_assert_str_eq(ae_workload_reason_str((enum ae_workload_reason)-1), "unknown reason");
}
END_TEST

START_TEST(selectors_pack_into_one_block)
{
        struct ae_wl_selectors s = { 0 };
        struct ae_workload_result tmpl = { .pid = 42 }, *r = NULL;

        ck_assert_int_eq(ae_wl_sel_add_u32(&s, "uid", 1000), 0);
        ck_assert_int_eq(ae_wl_sel_add(&s, "path", "/usr/bin/x y", 12), 0);
        ck_assert_int_eq(ae_wl_sel_add(&s, "cgroup", "/a", 2), 0);
        ck_assert_int_eq(ae_wl_sel_add(&s, "bad", "a\0b", 3), -EINVAL);
        ck_assert(ae_wl_sel_has(&s, "cgroup", "/a", 2));
        ck_assert(!ae_wl_sel_has(&s, "cgroup", "/", 1));
        ck_assert_int_eq(ae_wl_sel_pack(&s, &tmpl, &r), 0);
        ae_wl_sel_fini(&s);
        ck_assert_uint_eq(r->n_selectors, 3);
        ck_assert_str_eq(r->selectors[0], "uid:1000");
        ck_assert_str_eq(r->selectors[1], "path:/usr/bin/x y");
        ck_assert_str_eq(r->selectors[2], "cgroup:/a");
        ck_assert_str_eq(r->path, "/usr/bin/x y");
        ck_assert_int_eq(r->pid, 42);
        ae_workload_result_free(r);

        /* Empty: path is "". */
        ck_assert_int_eq(ae_wl_sel_pack(&s, &tmpl, &r), 0);
        ck_assert_uint_eq(r->n_selectors, 0);
        ck_assert_str_eq(r->path, "");
        ae_workload_result_free(r);
}
END_TEST

START_TEST(fsverity_digest_text)
{
        struct ae_wl_fsverity v = { .algorithm = FS_VERITY_HASH_ALG_SHA256, .size = 32 };
        char out[AE_WL_FSVERITY_TEXT_MAX];
        int fd;

        memset(v.digest, 0xab, 32);
        ck_assert_int_eq(ae_wl_fsverity_format(&v, out, sizeof(out)), 0);
        ck_assert_str_eq(out, "sha256:abababababababababababababababababababababababababababababababab");
        ck_assert_int_eq(ae_wl_fsverity_format(&v, out, 7 + 64), -ENOBUFS);
        v.size = 64;
        ck_assert_int_eq(ae_wl_fsverity_format(&v, out, sizeof(out)), -EINVAL);
        v.algorithm = FS_VERITY_HASH_ALG_SHA512;
        ck_assert_int_eq(ae_wl_fsverity_format(&v, out, sizeof(out)), 0);
        ck_assert_int_eq(strncmp(out, "sha512:abab", 11), 0);
        ck_assert_uint_eq(strlen(out), 7 + 128);
        v.algorithm = 9;
        ck_assert_int_eq(ae_wl_fsverity_format(&v, out, sizeof(out)), -EINVAL);

        /* A file without verity (or a file system without it): no digest. */
        fd = open("/proc/self/exe", O_RDONLY);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ae_wl_fsverity_measure(fd, &v), 0);
        close(fd);
}
END_TEST

START_TEST(names_from_the_host)
{
        struct ae_wl_names *n = NULL;
        char name[AE_WL_NAME_MAX];

        for (int ttl = 0; ttl <= 1; ttl++) {
                ck_assert_int_eq(ae_wl_names_new(ttl ? 60000 : 0, &n), 0);
                for (int twice = 0; twice < 2; twice++) {
                        ck_assert_int_eq(ae_wl_name_lookup(n, AE_WL_NAME_USER, 0, name), 1);
                        ck_assert_str_eq(name, "root");
                        ck_assert_int_eq(ae_wl_name_lookup(n, AE_WL_NAME_GROUP, 0, name), 1);
                        ck_assert_str_eq(name, "root");
                        ck_assert_int_eq(ae_wl_name_lookup(n, AE_WL_NAME_USER, 4242424, name), 0);
                        ck_assert_int_eq(ae_wl_name_lookup(n, AE_WL_NAME_GROUP, 4242424, name), 0);
                        /* Same slot as 0 in the direct-mapped table. */
                        ck_assert_int_eq(ae_wl_name_lookup(n, AE_WL_NAME_USER, AE_WL_NAME_SLOTS,
                                                           name),
                                         getpwuid(AE_WL_NAME_SLOTS) ? 1 : 0);
                }
                ae_wl_names_free(n);
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("workload_proc");
        TCase *tc = tcase_create("parsers");

        tcase_add_test(tc, numbers_are_strict);
        tcase_add_test(tc, status_of_this_process);
        tcase_add_test(tc, status_fields);
        tcase_add_test(tc, status_malformed);
        tcase_add_test(tc, pidfd_fdinfo);
        tcase_add_test(tc, stat_of_this_process);
        tcase_add_test(tc, stat_comm_cannot_fake_fields);
        tcase_add_test(tc, stat_malformed);
        tcase_add_test(tc, cgroup_lines);
        tcase_add_test(tc, cgroup_malformed);
        tcase_add_test(tc, container_ids_per_runtime);
        suite_add_tcase(s, tc);
        tc = tcase_create("support");
        tcase_add_test(tc, reasons_have_ids_and_text);
        tcase_add_test(tc, selectors_pack_into_one_block);
        tcase_add_test(tc, fsverity_digest_text);
        tcase_add_test(tc, names_from_the_host);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
