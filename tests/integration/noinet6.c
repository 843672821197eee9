/*
 * noinet6.c: run a program as on a kernel without IPv6.
 *
 * Runs as: the test (root); never installed.  A kernel booted with
 * ipv6.disable=1 has no AF_INET6: socket(2) for it fails with
 * EAFNOSUPPORT.  This installs a seccomp filter that makes it so, for
 * this process and every process it starts, and executes the program:
 *
 *   noinet6 PROGRAM [ARG...]
 *
 * Exit 2 for bad usage, 1 when the filter cannot be installed or the
 * program executed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	scmp_filter_ctx ctx;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: noinet6 PROGRAM [ARG...]\n");
		return 2;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		fprintf(stderr, "noinet6: seccomp_init failed\n");
		return 1;
	}
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT),
	    SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET6));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r != 0) {
		fprintf(stderr, "noinet6: seccomp: %d\n", r);
		return 1;
	}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 1;
}
