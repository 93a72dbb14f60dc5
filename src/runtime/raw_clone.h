/* System calls for a child that shares our memory until it execs.
 *
 * Such a child (clone3 with CLONE_VM, on a stack of its own) must not touch
 * what the parent may be using at the same moment: not the heap, and not
 * libc's per-thread state, which it shares too (a failing libc wrapper
 * writes errno). It therefore makes its system calls through these, which
 * return -errno and touch nothing else. */
#ifndef CBX_RAW_CLONE_H
#define CBX_RAW_CLONE_H

#include <linux/sched.h>

long cbx_raw_syscall(long nr, long a, long b, long c, long d, long e);

/* clone3 whose child calls fn(arg) on args->stack (which must be 16-byte
 * aligned, its size a multiple of 16) and never returns from it. In the
 * parent: the child's PID, or -errno. -ENOSYS where this architecture has no
 * such code here: the caller then clones as fork does. */
long cbx_clone3_on_stack(struct clone_args *args, void (*fn)(void *), void *arg);

#endif
