/*
 * authtime: time mftpd-auth's answers, for t_auth_timing.sh.
 *
 * usage: authtime HELPER USERS-FILE UID GID ROUNDS USER PASSWORD ...
 *
 * Runs HELPER the way the monitor does (a SOCK_SEQPACKET pair on fd 0 to
 * play the pre-auth worker, another on fd 1 for the verdict), sends one
 * login, and waits for the verdict; ROUNDS times for each USER PASSWORD
 * pair, the pairs taken in turn in each round, so that a burst of load
 * on a busy machine falls on all of them alike.  Prints, a line for each
 * pair, the median time in microseconds and the verdict ("ok" or
 * "fail").  It needs root, as the helper does.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "privsep_msg.h"
#include "util.h"

#define ROUNDS_MAX 99
#define PAIRS_MAX 32

static long
one_round(char *const argv[], const char *user, const char *pw, int *ok)
{
	struct privsep_verdict v;
	static const uint8_t psk[MFTP_PSK_LEN];
	struct timespec a, b;
	int worker[2], verdict[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, worker) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, verdict) == -1) {
		perror("socketpair");
		exit(1);
	}
	switch ((pid = fork())) {
	case -1:
		perror("fork");
		exit(1);
	case 0:
		if (dup2(worker[1], 0) == -1 || dup2(verdict[1], 1) == -1)
			_exit(127);
		closefrom(3);
		execv(argv[0], argv);
		_exit(127);
	}
	close(worker[1]);
	close(verdict[1]);
	/* The helper reads the database first; time only the login. */
	sleep_ms(100);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (privsep_send_request(worker[0], user, pw, psk, 0) == -1 ||
	    privsep_recv_verdict(verdict[0], 30000, &v) != 0) {
		fprintf(stderr, "authtime: no verdict from %s\n", argv[0]);
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	*ok = v.ok;
	close(worker[0]);
	close(verdict[0]);
	waitpid(pid, &status, 0);
	return (b.tv_sec - a.tv_sec) * 1000000L +
	    (b.tv_nsec - a.tv_nsec) / 1000;
}

static int
cmp_long(const void *x, const void *y)
{
	long a = *(const long *)x, b = *(const long *)y;

	return (a > b) - (a < b);
}

int
main(int argc, char *argv[])
{
	char *hargv[] = { argv[1], "-e", "--", argv[2], argv[3], argv[4],
		NULL };
	static long t[PAIRS_MAX][ROUNDS_MAX];
	int ok[PAIRS_MAX];
	int i, j, n, pairs = (argc - 6) / 2;

	if (argc < 8 || (argc - 6) % 2 != 0 || pairs > PAIRS_MAX ||
	    (n = atoi(argv[5])) < 1 || n > ROUNDS_MAX) {
		fprintf(stderr,
		    "usage: authtime helper users-file uid gid "
		    "rounds user password ...\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < pairs; j++)
			t[j][i] = one_round(
			    hargv, argv[6 + 2 * j], argv[7 + 2 * j], &ok[j]);
	for (j = 0; j < pairs; j++) {
		qsort(t[j], (size_t)n, sizeof(t[j][0]), cmp_long);
		printf("%ld %s\n", t[j][n / 2], ok[j] ? "ok" : "fail");
	}
	return 0;
}
