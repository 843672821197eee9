/*
 * test_quota_change.c: unit tests for quota_change(): growth recorded
 * before the file system change, shrinking after it, nothing left changed
 * when it fails, and the lock held while it runs.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "quota.h"
#include "quota_fixture.h"
#include "util.h"

/* What an apply function of quota_change saw while it ran. */
struct probe {
	const char *rel; /* the accounting file, in tmpdir */
	int calls;
	int fail;		       /* fail with this errno; 0: succeed */
	char line[QUOTA_LINE_LEN + 1]; /* the file as apply found it */
	int locked; /* a second description could not lock it */
};

static int
probe_apply(void *arg)
{
	struct probe *pr = arg;
	char *p = tpath(pr->rel);
	int fd, wr, rd;

	pr->calls++;
	memset(pr->line, 0, sizeof(pr->line));
	assert_int_equal(
	    read_file(pr->rel, pr->line, QUOTA_LINE_LEN), QUOTA_LINE_LEN);
	/* Another open of the file (as another session has) cannot lock. */
	fd = open(p, O_RDWR | O_CLOEXEC);
	assert_true(fd != -1);
	errno = 0;
	wr = try_lock(fd, F_WRLCK) == -1 &&
	    (errno == EAGAIN || errno == EACCES);
	errno = 0;
	rd = try_lock(fd, F_RDLCK) == -1 &&
	    (errno == EAGAIN || errno == EACCES);
	pr->locked = wr && rd;
	close(fd);
	free(p);
	if (pr->fail != 0) {
		errno = pr->fail;
		return -1;
	}
	return 0;
}

/* The line for bytes and files. */
static const char *
line_of(uint64_t bytes, uint64_t files)
{
	static char line[QUOTA_LINE_LEN + 1];
	struct quota_usage u = { bytes, files, 0, 0, 0, 0 };

	quota_format(&u, line, sizeof(line));
	return line;
}

/* The file holds exactly the line for bytes and files. */
static void
expect_file(const char *rel, uint64_t bytes, uint64_t files)
{
	char buf[256];

	assert_int_equal(read_file(rel, buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_memory_equal(buf, line_of(bytes, files), QUOTA_LINE_LEN);
}

/* The lock is free again: another description takes it at once. */
static void
expect_unlocked(const char *rel)
{
	char *p = tpath(rel);
	int fd;

	fd = open(p, O_RDWR | O_CLOEXEC);
	assert_true(fd != -1);
	assert_int_equal(try_lock(fd, F_WRLCK), 0);
	close(fd);
	free(p);
}

static void
test_change(void **state)
{
	struct quota_limits l = { 1000, 10 };
	struct probe pr;
	struct quota_usage a;
	int fd;

	fd = open_new("ch");
	memset(&pr, 0, sizeof(pr));
	pr.rel = "ch";
	assert_int_equal(quota_charge(fd, &l, 100, 1, NULL), 0);

	/* Growth: the new line is written first, apply sees it, locked. */
	assert_int_equal(quota_change(fd, &l, 200, 1, &a, probe_apply, &pr), 0);
	assert_int_equal(pr.calls, 1);
	assert_string_equal(pr.line, line_of(300, 2));
	assert_true(pr.locked);
	assert_true(a.bytes == 300 && a.files == 2);
	expect_file("ch", 300, 2);
	expect_unlocked("ch");

	/* Shrinking: apply first (it sees the old line), then the write. */
	assert_int_equal(
	    quota_change(fd, &l, -50, -1, &a, probe_apply, &pr), 0);
	assert_int_equal(pr.calls, 2);
	assert_string_equal(pr.line, line_of(300, 2));
	assert_true(pr.locked);
	assert_true(a.bytes == 250 && a.files == 1);
	expect_file("ch", 250, 1);
	expect_unlocked("ch");

	/* No change: apply still runs under the lock, nothing written. */
	assert_int_equal(quota_change(fd, &l, 0, 0, &a, probe_apply, &pr), 0);
	assert_int_equal(pr.calls, 3);
	assert_true(pr.locked);
	expect_file("ch", 250, 1);

	/* Both: what grows is written before apply, what shrinks after. */
	assert_int_equal(quota_change(fd, &l, 10, -1, &a, probe_apply, &pr), 0);
	assert_string_equal(pr.line, line_of(260, 1));
	expect_file("ch", 260, 0);
	assert_int_equal(quota_change(fd, &l, -10, 1, &a, probe_apply, &pr), 0);
	assert_string_equal(pr.line, line_of(260, 1));
	expect_file("ch", 250, 1);
	assert_int_equal(pr.calls, 5);

	/* Without apply: only the count, as quota_charge. */
	assert_int_equal(quota_change(fd, &l, 50, 1, &a, NULL, NULL), 0);
	expect_file("ch", 300, 2);
	assert_int_equal(quota_change(fd, &l, -50, -1, NULL, NULL, NULL), 0);
	expect_file("ch", 250, 1);
	close(fd);
}

static void
test_change_fails(void **state)
{
	struct quota_limits l = { 1000, 10 };
	struct probe pr;
	struct quota_usage a;
	int fd;

	fd = open_new("cf");
	memset(&pr, 0, sizeof(pr));
	pr.rel = "cf";
	assert_int_equal(quota_charge(fd, &l, 400, 4, NULL), 0);

	/* A failing apply after growth: the old line is written back. */
	pr.fail = ENOSPC;
	memset(&a, 0, sizeof(a));
	errno = 0;
	assert_int_equal(quota_change(fd, &l, 100, 1, &a, probe_apply, &pr),
	    QUOTA_ERR_APPLY);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(pr.calls, 1);
	assert_string_equal(pr.line, line_of(500, 5));
	assert_true(a.bytes == 400 && a.files == 4);
	expect_file("cf", 400, 4);
	expect_unlocked("cf");

	/* A failing apply when shrinking: nothing was written. */
	pr.fail = ENOENT;
	errno = 0;
	assert_int_equal(quota_change(fd, &l, -100, -1, &a, probe_apply, &pr),
	    QUOTA_ERR_APPLY);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(pr.calls, 2);
	assert_string_equal(pr.line, line_of(400, 4));
	assert_true(a.bytes == 400 && a.files == 4);
	expect_file("cf", 400, 4);

	/* And both at once. */
	pr.fail = EIO;
	assert_int_equal(
	    quota_change(fd, &l, 7, -1, &a, probe_apply, &pr), QUOTA_ERR_APPLY);
	assert_string_equal(pr.line, line_of(407, 4));
	expect_file("cf", 400, 4);
	expect_unlocked("cf");

	/* Growth past a limit never calls apply. */
	pr.fail = 0;
	pr.calls = 0;
	assert_int_equal(quota_change(fd, &l, 601, 0, &a, probe_apply, &pr),
	    QUOTA_ERR_EXCEEDED);
	assert_int_equal(quota_change(fd, &l, 0, 7, &a, probe_apply, &pr),
	    QUOTA_ERR_EXCEEDED);
	assert_int_equal(quota_change(fd, &l, -400, 7, &a, probe_apply, &pr),
	    QUOTA_ERR_EXCEEDED);
	assert_int_equal(pr.calls, 0);
	assert_true(a.bytes == 400 && a.files == 4);
	expect_file("cf", 400, 4);
	/* Up to exactly the limit is fine. */
	assert_int_equal(quota_change(fd, &l, 600, 6, &a, probe_apply, &pr), 0);
	assert_int_equal(pr.calls, 1);
	expect_file("cf", 1000, 10);
	close(fd);

	/* A damaged file: never applied, left as it was. */
	write_file("cf", "garbage\n", 8);
	fd = quota_open(tmpdir, "cf");
	assert_true(fd != -1);
	assert_int_equal(quota_change(fd, &l, 1, 0, &a, probe_apply, &pr),
	    QUOTA_ERR_CORRUPT);
	assert_int_equal(quota_change(fd, &l, -1, -1, &a, probe_apply, &pr),
	    QUOTA_ERR_CORRUPT);
	assert_int_equal(pr.calls, 1);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_change, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_change_fails, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
