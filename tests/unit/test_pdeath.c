/*
 * test_pdeath.c: unit tests for lib/pdeath.c.  A child whose parent is
 * alive is armed, and the signal comes when the parent dies; a child
 * whose parent died before it armed learns so, also when a subreaper
 * (this test process) and not init became its parent.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pdeath.h"

/* Children of exited children come to this process, not to init. */
static int
setup(void **state)
{
	(void)state;
	return prctl(PR_SET_CHILD_SUBREAPER, 1) == -1 ? -1 : 0;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Wait for pid (bounded: 10 s); its status. */
static int
reap(pid_t pid)
{
	int status, i;

	for (i = 0; i < 10000; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		assert_int_equal(r, 0);
		nap_ms(1);
	}
	fail_msg("pid %ld did not end within 10 s", (long)pid);
	return -1;
}

/* The parent is alive: armed. */
static void
test_parent_alive(void **state)
{
	pid_t self = getpid(), pid;
	int status;

	(void)state;
	if ((pid = fork()) == 0)
		_exit(pdeath_arm(SIGKILL, self) == 0 ? 0 : 1);
	assert_true(pid > 0);
	status = reap(pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * The parent died before the child armed: the child, now this
 * subreaper's and not init's, is told to go.
 */
static void
test_parent_gone(void **state)
{
	int p[2], status, i;
	pid_t mid, child = -1;

	(void)state;
	assert_int_equal(pipe(p), 0);
	if ((mid = fork()) == 0) {
		pid_t parent = getpid(), c;

		if ((c = fork()) == 0) {
			/* Until the reparenting (bounded: 10 s). */
			for (i = 0; i < 10000 && getppid() == parent; i++)
				nap_ms(1);
			_exit(pdeath_arm(SIGKILL, parent) == -1 ? 0 : 1);
		}
		(void)!write(p[1], &c, sizeof(c));
		_exit(0);
	}
	assert_true(mid > 0);
	close(p[1]);
	assert_int_equal(read(p[0], &child, sizeof(child)), sizeof(child));
	close(p[0]);
	status = reap(mid);
	assert_true(WIFEXITED(status));
	status = reap(child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Armed while the parent lives: its death brings the signal. */
static void
test_signal_comes(void **state)
{
	int armed[2], tell[2], status;
	pid_t mid, child = -1;

	(void)state;
	assert_int_equal(pipe(armed), 0);
	assert_int_equal(pipe(tell), 0);
	if ((mid = fork()) == 0) {
		pid_t parent = getpid(), c;
		char ok = 0;

		if ((c = fork()) == 0) {
			ok = pdeath_arm(SIGKILL, parent) == 0;
			(void)!write(armed[1], &ok, 1);
			for (;;)
				pause();
		}
		(void)!write(tell[1], &c, sizeof(c));
		/* Until the child has armed. */
		(void)!read(armed[0], &ok, 1);
		_exit(ok ? 0 : 1);
	}
	assert_true(mid > 0);
	close(armed[0]);
	close(armed[1]);
	close(tell[1]);
	assert_int_equal(read(tell[0], &child, sizeof(child)), sizeof(child));
	close(tell[0]);
	status = reap(mid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	status = reap(child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_alive),
		cmocka_unit_test(test_parent_gone),
		cmocka_unit_test(test_signal_comes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
