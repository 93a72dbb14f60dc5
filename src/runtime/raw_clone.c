/* x86-64, the machines cboxlab is built and tested on; elsewhere, plain
 * syscall() and no clone on a stack, so nodes are cloned as fork does (see
 * raw_clone.h). */
#include "runtime/raw_clone.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)

long cbx_raw_syscall(long nr, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

long cbx_clone3_on_stack(struct clone_args *args, void (*fn)(void *), void *arg)
{
	long ret;

	/* The child comes back from the system call on its new stack, so it
	 * must not run any of this function's compiled code (which would look
	 * for its locals there): it calls fn straight from here. */
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %[arg], %%rdi\n\t"
			 "call *%[fn]\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone3), "D"(args),
			   "S"(sizeof(*args)), [fn] "r"(fn), [arg] "r"(arg)
			 : "rcx", "r11", "memory");
	return ret;
}

#else

long cbx_raw_syscall(long nr, long a, long b, long c, long d, long e)
{
	long ret = syscall(nr, a, b, c, d, e);

	return ret < 0 ? -errno : ret;
}

long cbx_clone3_on_stack(struct clone_args *args, void (*fn)(void *), void *arg)
{
	(void)args;
	(void)fn;
	(void)arg;
	return -ENOSYS;
}

#endif
