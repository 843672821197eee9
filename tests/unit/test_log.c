/*
 * test_log.c: unit tests for the lines on stderr (lib/log.c): each says
 * the id of the process that wrote it, also in a child forked after the
 * parent's first line (the id is kept, and a fork renews it), and a line
 * longer than the buffer is cut short but still ends.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* Run fn with stderr on a pipe; what it wrote, NUL-terminated, in out. */
static void
capture(void (*fn)(void), char *out, size_t len)
{
	int fds[2], saved;
	size_t have = 0;
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	close(fds[1]);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	while (have < len - 1 &&
	    (n = read(fds[0], out + have, len - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
	close(fds[0]);
}

static pid_t child_pid;

/* A line from the parent, then one from a child, then the parent's. */
static void
log_across_fork(void)
{
	int status;

	log_info("parent before");
	child_pid = fork();
	assert_true(child_pid >= 0);
	if (child_pid == 0) {
		log_info("child");
		_exit(0);
	}
	assert_int_equal(waitpid(child_pid, &status, 0), child_pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log_info("parent after");
}

static void
test_pid_after_fork(void **state)
{
	char out[4096], want[256];

	(void)state;
	log_init("tlog", 1);
	capture(log_across_fork, out, sizeof(out));
	snprintf(want, sizeof(want),
	    "tlog[%ld]: parent before\ntlog[%ld]: child\n"
	    "tlog[%ld]: parent after\n",
	    (long)getpid(), (long)child_pid, (long)getpid());
	assert_string_equal(out, want);
}

static void
log_long(void)
{
	char msg[3000];

	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	log_info("%s", msg);
	log_info("next");
}

static void
test_long_line_ends(void **state)
{
	char out[8192], next[64];
	const char *nl;

	(void)state;
	log_init("tlog", 1);
	capture(log_long, out, sizeof(out));
	/* The first line is cut, yet ends before the next begins. */
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_true(nl - out > 1000);
	assert_int_equal(nl[-1], 'x');
	snprintf(next, sizeof(next), "tlog[%ld]: next\n", (long)getpid());
	assert_string_equal(nl + 1, next);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_after_fork),
		cmocka_unit_test(test_long_line_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
