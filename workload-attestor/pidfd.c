#include "workload-attestor/pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "workload-attestor/proc_status.h"

#define FDINFO_MAX 4096

/* Linux 6.13's PIDFD_GET_INFO (linux/pidfd.h), absent from older headers:
 * the first version of its struct, which every kernel that has it accepts. */
#define AE_PIDFS_MAGIC 0x50494446
struct ae_pidfd_info_v0 {
        uint64_t mask, cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t exit_code;
};
#define AE_PIDFD_GET_INFO _IOWR(0xFF, 11, struct ae_pidfd_info_v0)

int ae_wl_pidfd_open(pid_t pid, int *ret_fd)
{
        /* pidfds are always close-on-exec. */
        long fd = syscall(SYS_pidfd_open, pid, 0);

        ENSURE(fd >= 0, -errno);
        *ret_fd = (int)fd;
        return 0;
}

int ae_wl_pidfd_alive(int pidfd)
{
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int r;

        do
                r = poll(&p, 1, 0);
        while (r < 0 && errno == EINTR);
        ENSURE(r >= 0, -errno);
        ENSURE(!(p.revents & POLLNVAL), -EBADF);
        return r == 0;
}

int ae_wl_pidfd_pid_fdinfo(int pidfd, int64_t *ret)
{
        _cleanup_close_ int fd = -1;
        char path[64], buf[FDINFO_MAX];
        size_t len = 0;

        ENSURE(pidfd >= 0, -EBADF);
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ENSURE(fd >= 0, -errno);
        for (;;) {
                ssize_t n = read(fd, buf + len, sizeof(buf) - len);

                if (n < 0 && errno == EINTR)
                        continue;
                ENSURE(n >= 0, -errno);
                if (n == 0)
                        break;
                len += (size_t)n;
                ENSURE(len < sizeof(buf), -EBADMSG);
        }
        return ae_wl_fdinfo_pid(buf, len, ret);
}

int ae_wl_pidfd_pid(int pidfd, int64_t *ret)
{
        struct ae_pidfd_info_v0 info;
        struct statfs fs;

        ENSURE(pidfd >= 0, -EBADF);
        /* The ioctl only on a pidfd (pidfs, Linux 6.9+): on another fd the
         * same number could mean something else. */
        if (fstatfs(pidfd, &fs) == 0 && fs.f_type == AE_PIDFS_MAGIC) {
                memset(&info, 0, sizeof(info));
                if (ioctl(pidfd, AE_PIDFD_GET_INFO, &info) == 0) {
                        *ret = info.pid;
                        return 0;
                }
                if (errno == ESRCH) {
                        *ret = -1;
                        return 0;
                }
                /* ENOTTY/EINVAL before 6.13: ask fdinfo. */
        }
        return ae_wl_pidfd_pid_fdinfo(pidfd, ret);
}
