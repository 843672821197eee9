/*
 * filterfull.c: run a program as on a kernel that has no room left for
 * another seccomp filter.
 *
 * Runs as: the test (root); never installed.  The kernel bounds the
 * instructions of the filters stacked on a thread (32768 of its own,
 * each filter counting 4 more): past that, seccomp(2) fails with ENOMEM,
 * as when the kernel's memory lacks.  This stacks filters that allow
 * every call, each as long as still fits, until not even the shortest
 * one does, then executes the program, whose processes inherit them:
 * every filter of theirs fails to load.  Each filter jumps straight to
 * its end, so that a call runs through a few instructions of each, not
 * all of them.
 *
 *   filterfull PROGRAM [ARG...]
 *
 * Exit 2 for bad usage, 1 when the filters cannot be installed or the
 * program executed.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

static struct sock_filter insns[BPF_MAXINSNS];

/* A filter of len instructions (2 or more) that allows every call. */
static int
stack_filter(unsigned short len)
{
	struct sock_fprog prog = { .len = len, .filter = insns };
	unsigned short i;

	insns[0] = (struct sock_filter)BPF_JUMP(
	    BPF_JMP | BPF_JA, (unsigned int)len - 2, 0, 0);
	for (i = 1; i + 1 < len; i++)
		insns[i] = (struct sock_filter)BPF_STMT(
		    BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr));
	insns[len - 1] = (struct sock_filter)BPF_STMT(
	    BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int
main(int argc, char *argv[])
{
	unsigned short len = BPF_MAXINSNS;

	if (argc < 2) {
		fprintf(stderr, "usage: filterfull PROGRAM [ARG...]\n");
		return 2;
	}
	/* As mftpd's own processes: needed without CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		perror("filterfull: PR_SET_NO_NEW_PRIVS");
		return 1;
	}
	/* The longest that fits, until none does. */
	while (len >= 2) {
		if (stack_filter(len) == 0)
			continue;
		if (errno != ENOMEM) {
			perror("filterfull: seccomp");
			return 1;
		}
		len /= 2;
	}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 1;
}
