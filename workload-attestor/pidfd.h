/* Process handles that cannot be fooled by pid reuse. A pidfd names one
 * process for its whole life; once that process has exited it polls
 * readable and never refers to another one, whatever now has its pid. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "common/guard.h"

/* pidfd_open(2), close-on-exec. -ESRCH when no process has that pid. */
AE_MUST_USE int ae_wl_pidfd_open(pid_t pid, int *ret_fd);

/* 1 while the process runs, 0 once it has exited (zombies included), or
 * the negative errno of poll(). */
AE_MUST_USE int ae_wl_pidfd_alive(int pidfd);

/* The pid a pidfd refers to, in our pid namespace: -1 once reaped (a
 * zombie still has its pid). PIDFD_GET_INFO where the kernel has it (6.13+,
 * one ioctl), else /proc/self/fdinfo. -EBADMSG when fd is not a pidfd. */
AE_MUST_USE int ae_wl_pidfd_pid(int pidfd, int64_t *ret);
/* The same from /proc/self/fdinfo only (the fallback; for tests). */
AE_MUST_USE int ae_wl_pidfd_pid_fdinfo(int pidfd, int64_t *ret);
