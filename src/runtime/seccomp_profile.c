#include "runtime/seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/caps.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Allowed whatever the node holds: Docker's list, which is what ordinary
 * programs need (names the libseccomp at hand does not know yet are
 * skipped). ptrace and process_vm_* too, as Docker allows them on kernels
 * from 4.8: the kernel checks them against the tracer's capabilities. */
/* clang-format off */
static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget",
	"capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
	"clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
	"dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
	"epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
	"execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2",
	"fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
	"flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
	"fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64",
	"futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents",
	"getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
	"getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
	"getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
	"getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt",
	"get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
	"inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
	"ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
	"ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
	"landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
	"link", "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
	"membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
	"mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
	"mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
	"mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd",
	"msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
	"_newselect", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
	"pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
	"pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
	"pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "removexattrat", "rename", "renameat", "renameat2",
	"restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
	"rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
	"sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
	"semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64",
	"sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
	"setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
	"setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
	"setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area",
	"set_tid_address", "setuid", "setuid32", "setxattr", "setxattrat", "shmat", "shmctl", "shmdt",
	"shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn",
	"socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statmount",
	"statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee",
	"tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
	"timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
	"timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
	"truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe", "utime",
	"utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid",
	"write", "writev",
	"ptrace", "process_vm_readv", "process_vm_writev",
};
/* clang-format on */

/* Allowed when the node holds the capability that gates them (Docker's
 * "includes": {"caps": [...]}). */
/* clang-format off */
static const struct {
	int cap;
	const char *const *calls;
} gated[] = {
	{ CAP_SYS_ADMIN, (const char *const[]){ "bpf", "clone", "clone3", "fanotify_init",
		"fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount",
		"mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl",
		"quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
		"umount2", "unshare", NULL } },
	{ CAP_SYS_BOOT, (const char *const[]){ "reboot", NULL } },
	{ CAP_SYS_CHROOT, (const char *const[]){ "chroot", NULL } },
	{ CAP_SYS_MODULE, (const char *const[]){ "delete_module", "init_module", "finit_module",
		NULL } },
	{ CAP_SYS_PACCT, (const char *const[]){ "acct", NULL } },
	{ CAP_SYS_PTRACE, (const char *const[]){ "kcmp", "pidfd_getfd", "process_madvise", NULL } },
	{ CAP_SYS_RAWIO, (const char *const[]){ "iopl", "ioperm", NULL } },
	{ CAP_SYS_TIME, (const char *const[]){ "settimeofday", "stime", "clock_settime",
		"clock_settime64", NULL } },
	{ CAP_SYS_TTY_CONFIG, (const char *const[]){ "vhangup", NULL } },
	{ CAP_SYS_NICE, (const char *const[]){ "get_mempolicy", "mbind", "set_mempolicy",
		"set_mempolicy_home_node", NULL } },
	{ CAP_SYSLOG, (const char *const[]){ "syslog", NULL } },
	{ CAP_BPF, (const char *const[]){ "bpf", NULL } },
	{ CAP_PERFMON, (const char *const[]){ "perf_event_open", NULL } },
};
/* clang-format on */

/* Socket families a node may open: all but the few Docker refuses (AF_ALG's
 * and AF_VSOCK's kernel attack surface, and long-dead families). */
/* clang-format off */
static const int families[] = { 13, 14, 15, 16, 17, 18, 21, 22, 24, 26, 27, 28, 29, 30,
				31, 32, 33, 35, 36, 39, 41, 42, 43, 44, 45 };
/* clang-format on */
/* personality(2) values glibc and tools set (Linux, and its 32-bit and
 * address-randomisation-off variants), and the query. */
static const uint64_t personalities[] = { 0, 0x8, 0x20000, 0x20008, 0xffffffff };
/* clone(2) flags that make namespaces: CLONE_NEWNS, NEWCGROUP, NEWUTS,
 * NEWIPC, NEWUSER, NEWPID, NEWNET. */
#define NAMESPACE_FLAGS 0x7E020000ULL

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
	       const struct scmp_arg_cmp *cmp, struct cbx_error *err)
{
	int nr = seccomp_syscall_resolve_name(name), rc;

	if (nr == __NR_SCMP_ERROR)
		return 0; /* unknown to this libseccomp: nothing to allow */
	rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	/* -EEXIST: allowed already (syslog is in two groups). */
	if (rc < 0 && rc != -EEXIST)
		return cbx_error_sys(err, -rc, "seccomp rule for %s", name);
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, uint64_t caps, struct cbx_error *err)
{
	const bool sys_admin = caps & CBX_CAP_BIT(CAP_SYS_ADMIN);
	const uint32_t allow = SCMP_ACT_ALLOW;

	for (size_t i = 0; i < CBX_ARRAY_SIZE(allowed); i++)
		if (add(ctx, allow, allowed[i], 0, NULL, err) < 0)
			return -1;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(gated); i++)
		for (size_t k = 0; (caps & CBX_CAP_BIT(gated[i].cap)) && gated[i].calls[k]; k++)
			if (add(ctx, allow, gated[i].calls[k], 0, NULL, err) < 0)
				return -1;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(families); i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (uint64_t)families[i]);
		if (add(ctx, allow, "socket", 1, &c, err) < 0)
			return -1;
	}
	{
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_LT, 12);
		if (add(ctx, allow, "socket", 1, &c, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < CBX_ARRAY_SIZE(personalities); i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, personalities[i]);
		if (add(ctx, allow, "personality", 1, &c, err) < 0)
			return -1;
	}
	if (!sys_admin) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, NAMESPACE_FLAGS, 0);
		/* fork and threads, without namespaces; unshare of the
		 * descriptor table or filesystem context alone is harmless. */
		if (add(ctx, allow, "clone", 1, &c, err) < 0 ||
		    add(ctx, allow, "unshare", 1, &c, err) < 0 ||
		    add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err) < 0)
			return -1;
	}
	return add(ctx, allow, "arch_prctl", 0, NULL, err) < 0 ||
			       add(ctx, allow, "modify_ldt", 0, NULL, err) < 0
		       ? -1
		       : 0;
}

int seccomp_profile_export(uint64_t caps, int fd, struct cbx_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc = -1, e;

	if (!ctx)
		return cbx_error_set(err, CBX_ERR_SYSTEM, "seccomp: cannot make a filter");
	/* The native ABI only. A 32-bit or x32 call (int 0x80 from any program
	 * too) answers ENOSYS: each extra ABI would triple the filter, and the
	 * kernel's cost to load it (JIT and per-call cache, once per node:
	 * 0.15 ms native only, 0.5 ms with both, docs/performance.md). */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	/* A binary tree of syscall numbers: a few comparisons per call
	 * instead of a walk through hundreds. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (add_rules(ctx, caps, err) < 0)
		goto out;
	if ((e = seccomp_export_bpf(ctx, fd)) < 0) {
		cbx_error_sys(err, -e, "seccomp: write the filter");
		goto out;
	}
	rc = 0;
out:
	seccomp_release(ctx);
	return rc;
}

uint64_t seccomp_profile_key(uint64_t caps)
{
	uint64_t gating = 0;

	for (size_t i = 0; i < CBX_ARRAY_SIZE(gated); i++)
		gating |= CBX_CAP_BIT(gated[i].cap);
	return caps & gating;
}

int seccomp_profile_name(uint64_t caps, const char *dir, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%016" PRIx64 ".bpf", dir, seccomp_profile_key(caps));

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Filters are written beside their place and renamed into it: a node never
 * loads half a filter. */
static int open_tmp(const char *path, char *tmp, size_t size, struct cbx_error *err)
{
	int fd;

	if (snprintf(tmp, size, "%s.tmp", path) >= (int)size)
		return cbx_error_sys(err, ENAMETOOLONG, "%s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return fd < 0 ? cbx_error_sys(err, errno, "create %s", tmp) : fd;
}

static int commit_tmp(const char *tmp, const char *path, int rc, struct cbx_error *err)
{
	if (rc < 0)
		return unlink(tmp), -1;
	if (rename(tmp, path) < 0)
		return cbx_error_sys(err, errno, "rename %s", tmp);
	return 0;
}

int seccomp_profile_make(uint64_t caps, const char *dir, char *buf, size_t size,
			 struct cbx_error *err)
{
	char tmp[PATH_MAX];
	cleanup_close int fd = -1;

	if (seccomp_profile_name(caps, dir, buf, size) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "seccomp filter in %s", dir);
	if (access(buf, F_OK) == 0)
		return 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cbx_error_sys(err, errno, "create %s", dir);
	if ((fd = open_tmp(buf, tmp, sizeof(tmp), err)) < 0)
		return -1;
	return commit_tmp(tmp, buf, seccomp_profile_export(caps, fd, err), err);
}

int seccomp_profile_install(uint64_t caps, const char *libdir, const char *dir, char *buf,
			    size_t size, struct cbx_error *err)
{
	char built_dir[PATH_MAX], built[PATH_MAX], tmp[PATH_MAX], code[64 * 1024];
	cleanup_close int fd = -1;
	cleanup_close int out = -1;
	ssize_t n;

	if (seccomp_profile_name(caps, dir, buf, size) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "seccomp filter in %s", dir);
	if (access(buf, F_OK) == 0)
		return 0;
	snprintf(built_dir, sizeof(built_dir), "%s/seccomp", libdir);
	if (seccomp_profile_name(caps, built_dir, built, sizeof(built)) < 0 ||
	    (fd = open(built, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (n = read(fd, code, sizeof(code))) <= 0 || n == (ssize_t)sizeof(code))
		return seccomp_profile_make(caps, dir, buf, size, err);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cbx_error_sys(err, errno, "create %s", dir);
	if ((out = open_tmp(buf, tmp, sizeof(tmp), err)) < 0)
		return -1;
	return commit_tmp(tmp, buf,
			  write(out, code, (size_t)n) == n
				  ? 0
				  : cbx_error_sys(err, errno, "write %s", tmp),
			  err);
}
