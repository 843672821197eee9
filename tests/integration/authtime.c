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
 * "fail").  The time is the CPU time the helper ran from the request to
 * its exit (/proc/PID/schedstat), not the time on the clock: a busy
 * machine makes the clock's time of each case vary far more than the
 * work it measures.  It needs root, as the helper does.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep_msg.h"
#include "util.h"

#define ROUNDS_MAX 99
#define PAIRS_MAX 32

/* The CPU time PID has run so far, in microseconds (a zombie's too). */
static long
cpu_us(pid_t pid)
{
	unsigned long long ns;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/schedstat", (long)pid);
	if ((f = fopen(path, "r")) == NULL || fscanf(f, "%llu", &ns) != 1) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return (long)(ns / 1000);
}

static long
one_round(char *const argv[], const char *user, const char *pw, int *ok)
{
	struct privsep_verdict v;
	static const uint8_t psk[MFTP_PSK_LEN];
	siginfo_t si;
	long a, b;
	int worker[2], verdict[2], status, i;
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
	/*
	 * The helper reads the database first; time only the login: from
	 * when it waits for the request (its CPU time stands still for
	 * 20 ms; 10 s at most) to its exit.
	 */
	sleep_ms(50);
	for (i = 0, a = cpu_us(pid); i < 500; i++, a = b) {
		sleep_ms(20);
		if ((b = cpu_us(pid)) == a)
			break;
	}
	if (privsep_send_request(worker[0], user, pw, psk, 0) == -1 ||
	    privsep_recv_verdict(verdict[0], 30000, &v) != 0) {
		fprintf(stderr, "authtime: no verdict from %s\n", argv[0]);
		exit(1);
	}
	*ok = v.ok;
	close(worker[0]);
	close(verdict[0]);
	/* Exited, not reaped: its times are still there to read. */
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1) {
		perror("waitid");
		exit(1);
	}
	b = cpu_us(pid);
	waitpid(pid, &status, 0);
	return b - a;
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
