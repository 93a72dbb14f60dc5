#include "runtime/seccomp_load.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int seccomp_load_fd(int fd, struct cbx_error *err)
{
	struct sock_fprog prog;
	struct stat st;
	void *code;
	int rc, e;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return cbx_error_set(err, CBX_ERR_SYSTEM, "the seccomp filter is not a filter");
	/* Mapped, not read: the node's init keeps no dirty copy of it (the
	 * page cache's pages are shared by every node). */
	code = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (code == MAP_FAILED)
		return cbx_error_sys(err, errno, "map the seccomp filter");
	prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	prog.filter = code;
	rc = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	e = errno;
	munmap(code, (size_t)st.st_size);
	if (rc < 0)
		return cbx_error_sys(err, e, "load the seccomp filter");
	return 0;
}

int seccomp_load_file(const char *path, struct cbx_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cbx_error_sys(err, errno, "open the seccomp filter %s", path);
	return seccomp_load_fd(fd, err);
}
