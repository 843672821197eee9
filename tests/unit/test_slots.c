/*
 * test_slots.c: unit tests for lib/slots.c beyond the limits that
 * test_allowlist.c checks: a user without a limit (max 0) takes a free
 * slot at once, any number of times, and slots_alone tells a session
 * whether another open file description holds a slot, never counting
 * the asker's own.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mftp_limits.h"
#include "slots.h"

#define SESSIONS 40

static char tmpdir[] = "/tmp/test_slots.XXXXXX";
static char dir[sizeof(tmpdir) + 16];

static int
setup(void **state)
{
	(void)state;
	/* The template again: each test has a directory of its own. */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_slots.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* Made by the package, never by a take. */
	snprintf(dir, sizeof(dir), "%s/sessions", tmpdir);
	return mkdir(dir, 0700);
}

static int
teardown(void **state)
{
	char path[sizeof(dir) + 16];

	(void)state;
	snprintf(path, sizeof(path), "%s/alice", dir);
	(void)unlink(path);
	(void)rmdir(dir);
	return rmdir(tmpdir);
}

static void
test_no_limit_and_alone(void **state)
{
	int fd[SESSIONS], i, j;
	unsigned int slot[SESSIONS];

	(void)state;
	assert_int_equal(slots_count(dir, "alice"), 0);
	assert_true((fd[0] = slots_take(dir, "alice", 0, &slot[0])) != -1);
	assert_true(slot[0] < MFTP_USER_SESSIONS_MAX);
	/* Alone: the asker's own slot is not another's. */
	assert_int_equal(slots_alone(fd[0]), 1);
	for (i = 1; i < SESSIONS; i++) {
		assert_true(
		    (fd[i] = slots_take(dir, "alice", 0, &slot[i])) != -1);
		for (j = 0; j < i; j++)
			assert_int_not_equal(slot[i], slot[j]);
	}
	assert_int_equal(slots_count(dir, "alice"), SESSIONS);
	for (i = 0; i < SESSIONS; i++)
		assert_int_equal(slots_alone(fd[i]), 0);
	/* A session that ends frees its slot at once; the last is alone. */
	for (i = 0; i < SESSIONS - 1; i++)
		close(fd[i]);
	assert_int_equal(slots_alone(fd[SESSIONS - 1]), 1);
	assert_int_equal(slots_count(dir, "alice"), 1);
	/* A limited login counts the unlimited session's slot. */
	assert_int_equal(slots_take(dir, "alice", 1, &slot[0]), -1);
	assert_int_equal(errno, EUSERS);
	close(fd[SESSIONS - 1]);
	assert_true((fd[0] = slots_take(dir, "alice", 1, &slot[0])) != -1);
	assert_int_equal(slot[0], 0);
	close(fd[0]);
	assert_int_equal(slots_count(dir, "alice"), 0);
}

/*
 * A session_dir that does not exist (shared storage not mounted, the
 * directory's parent its bare mount point) is not made: slots made on
 * a node's own disk would count only that node's sessions, a user's
 * limit once per node.
 */
static void
test_missing_dir(void **state)
{
	struct stat st;
	unsigned int slot;

	(void)state;
	assert_int_equal(rmdir(dir), 0);
	/* Unknown, not none: its storage may not be mounted. */
	errno = 0;
	assert_int_equal(slots_count(dir, "alice"), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(slots_take(dir, "alice", 0, &slot), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(slots_take(dir, "alice", 2, &slot), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mkdir(dir, 0700), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_no_limit_and_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_missing_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
