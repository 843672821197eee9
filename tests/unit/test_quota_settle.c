/*
 * test_quota_settle.c: unit tests for the removal line of the accounting
 * file: written before a removal and gone after it; left behind by a
 * process killed in between (so the count is high by the removed entry),
 * it is settled by a count of the home, at the next quota_settle or the
 * next change once quota_set_home named the home (once: a count that
 * fails is not made again until the home is named again).  Also its
 * format: one form per usage, lines in their order.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
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

#define Q_LINE "MFTPQ1 00000000000000005000 00000000000000000003\n"
#define R_LINE "MFTPR2 00000000000000000700 00000000000000000009\n"
#define P_LINE "MFTPP1 00000000000000004096 00000000000000000001\n"

static void
expect_parse(const char *text, int want)
{
	struct quota_usage u;

	assert_int_equal(quota_parse(text, strlen(text), &u), want);
}

static void
test_format_parse(void **state)
{
	struct quota_usage u = { 5000, 3, 700, 4096, 1, 9 }, v;
	char buf[QUOTA_FILE_MAX + 1];

	(void)state;
	assert_int_equal(quota_format(&u, buf, sizeof(buf)), QUOTA_FILE_MAX);
	assert_memory_equal(buf, Q_LINE R_LINE P_LINE, QUOTA_FILE_MAX);
	memset(&v, 0, sizeof(v));
	assert_int_equal(quota_parse(buf, QUOTA_FILE_MAX, &v), 0);
	assert_memory_equal(&u, &v, sizeof(u));
	assert_true(quota_pending(&v));

	u.reserved = 0;
	assert_int_equal(
	    quota_format(&u, buf, sizeof(buf)), 2 * QUOTA_LINE_LEN);
	assert_memory_equal(buf, Q_LINE P_LINE, 2 * QUOTA_LINE_LEN);
	expect_parse(Q_LINE P_LINE, 0);
	expect_parse(Q_LINE R_LINE, 0);
	expect_parse(Q_LINE, 0);

	/* The order is fixed, each line at most once, and a line that says
	 * nothing is never written, so is not read either. */
	expect_parse(Q_LINE P_LINE R_LINE, QUOTA_ERR_CORRUPT);
	expect_parse(Q_LINE P_LINE P_LINE, QUOTA_ERR_CORRUPT);
	expect_parse(P_LINE, QUOTA_ERR_CORRUPT);
	expect_parse(Q_LINE "MFTPP1 00000000000000000000 "
			    "00000000000000000000\n",
	    QUOTA_ERR_CORRUPT);
	expect_parse(Q_LINE "MFTPR1 00000000000000000000\n", QUOTA_ERR_CORRUPT);
	/* Cut short, or one byte more. */
	expect_parse(Q_LINE "MFTPP1 00000000000000004096 0000000000000000000",
	    QUOTA_ERR_CORRUPT);
	expect_parse(Q_LINE P_LINE "\n", QUOTA_ERR_CORRUPT);
}

/* What the killed process's apply does: remove a file, then die there. */
struct victim {
	const char *rel;
	int remove; /* 0: killed before its removal */
};

static int
die_in_apply(void *arg)
{
	const struct victim *v = arg;
	char *p = tpath(v->rel);

	if (v->remove && unlink(p) == -1)
		_exit(2);
	/* As SIGKILL would: no cleanup, no write after the change. */
	_exit(0);
}

/*
 * A child changes the file with apply = die_in_apply: the count is left
 * where the kill put it.
 */
static void
kill_in_removal(int fd, const char *rel, off_t size, int remove)
{
	struct quota_limits l = { 0, 0 };
	struct victim v = { rel, remove };
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(quota_change(fd, &l, -(int64_t)size, -1, NULL,
			  die_in_apply, &v) == 0 ?
			3 :
			4);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A home of two files and a directory, counted exactly. */
static int
home_counted(uint64_t *bytes, uint64_t *files)
{
	char err[256], *home;
	struct quota_usage u;
	int fd;

	make_dir("home");
	make_dir("home/d");
	make_sized("home/a", 3000);
	make_sized("home/d/b", 5000);
	fd = open_new("acct");
	home = tpath("home");
	assert_int_equal(quota_recount(fd, home, &u, err, sizeof(err)), 0);
	free(home);
	*bytes = u.bytes;
	*files = u.files;
	assert_int_equal(*bytes, 3000 + 5000 + QUOTA_ENTRY_BYTES);
	assert_int_equal(*files, 3);
	return fd;
}

/* Killed after the removal: high by the file, and says so; settled. */
static void
test_killed_after_removal(void **state)
{
	struct quota_usage u;
	uint64_t bytes, files;
	char *home = tpath("home");
	int fd;

	(void)state;
	fd = home_counted(&bytes, &files);
	kill_in_removal(fd, "home/d/b", 5000, 1);
	assert_int_equal(quota_read(fd, &u), 0);
	assert_int_equal(u.bytes, bytes);
	assert_int_equal(u.files, files);
	assert_int_equal(u.pending_bytes, 5000);
	assert_int_equal(u.pending_files, 1);

	assert_int_equal(quota_settle(fd, home, NULL, NULL, &u, NULL), 0);
	assert_int_equal(u.bytes, bytes - 5000);
	assert_int_equal(u.files, files - 1);
	assert_false(quota_pending(&u));
	expect_usage(fd, bytes - 5000, files - 1);
	/* Settled once: nothing left to settle, nothing counted again. */
	make_sized("home/c", 10);
	assert_int_equal(quota_settle(fd, home, NULL, NULL, &u, NULL), 0);
	assert_int_equal(u.bytes, bytes - 5000);
	free(home);
	close(fd);
}

/* Killed before the removal: the count of the home keeps the file. */
static void
test_killed_before_removal(void **state)
{
	struct quota_usage u;
	uint64_t bytes, files;
	char *home = tpath("home");
	int fd;

	(void)state;
	fd = home_counted(&bytes, &files);
	kill_in_removal(fd, "home/a", 3000, 0);
	assert_int_equal(quota_settle(fd, home, NULL, NULL, &u, NULL), 0);
	assert_int_equal(u.bytes, bytes);
	assert_int_equal(u.files, files);
	expect_usage(fd, bytes, files);
	free(home);
	close(fd);
}

/*
 * The next change settles first once the home is named, and keeps the
 * reservation of the uploads still running; without a home it leaves
 * the file high and pending, adding its own removal.
 */
static void
test_change_settles(void **state)
{
	struct quota_limits l = { 0, 0 };
	struct quota_usage u;
	uint64_t bytes, files;
	char *home = tpath("home");
	int fd;

	(void)state;
	fd = home_counted(&bytes, &files);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 700, NULL, NULL, NULL, NULL),
	    0);
	kill_in_removal(fd, "home/d/b", 5000, 1);

	quota_set_home(NULL);
	assert_int_equal(quota_charge(fd, &l, 0, 0, &u), 0);
	assert_int_equal(u.bytes, bytes);
	assert_int_equal(u.pending_bytes, 5000);
	kill_in_removal(fd, "home/a", 3000, 1);
	assert_int_equal(quota_read(fd, &u), 0);
	assert_int_equal(u.pending_bytes, 8000);
	assert_int_equal(u.pending_files, 2);

	quota_set_home(home);
	assert_int_equal(quota_charge(fd, &l, 10, 0, &u), 0);
	quota_set_home(NULL);
	assert_int_equal(u.bytes, QUOTA_ENTRY_BYTES + 10);
	assert_int_equal(u.files, 1);
	assert_int_equal(u.reserved, 700);
	assert_false(quota_pending(&u));
	assert_int_equal(quota_read(fd, &u), 0);
	assert_int_equal(u.bytes, QUOTA_ENTRY_BYTES + 10);
	assert_int_equal(u.reserved, 700);
	free(home);
	close(fd);
}

static int
remove_a(void *arg)
{
	char *p = tpath("home/a");
	int r = unlink(p);

	(void)arg;
	free(p);
	return r;
}

/* A removal that completes leaves no line behind, and is paid back. */
static void
test_removal_completes(void **state)
{
	struct quota_limits l = { 0, 0 };
	uint64_t bytes, files;
	char buf[256];
	int fd;

	(void)state;
	fd = home_counted(&bytes, &files);
	assert_int_equal(
	    quota_change(fd, &l, -3000, -1, NULL, remove_a, NULL), 0);
	assert_int_equal(read_file("acct", buf, sizeof(buf)), QUOTA_LINE_LEN);
	expect_usage(fd, bytes - 3000, files - 1);
	/* A removal that fails leaves the file as it was, one line. */
	assert_int_equal(quota_change(fd, &l, -3000, -1, NULL, remove_a, NULL),
	    QUOTA_ERR_APPLY);
	assert_int_equal(read_file("acct", buf, sizeof(buf)), QUOTA_LINE_LEN);
	expect_usage(fd, bytes - 3000, files - 1);
	close(fd);
}

/* What alone says: the int that arg points to. */
static int
say_alone(void *arg)
{
	return *(int *)arg;
}

/*
 * A reservation is dropped at a settle only when alone says no other
 * session runs; "others run" and "cannot tell" keep it, and so does no
 * alone at all.  The file is the usage line alone again after a drop.
 */
static void
test_settle_drops_reserved(void **state)
{
	struct quota_limits l = { 0, 0 };
	struct quota_usage u;
	uint64_t bytes, files, dropped = 1;
	char *home = tpath("home");
	char buf[256];
	int fd, answer;

	(void)state;
	fd = home_counted(&bytes, &files);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 700, NULL, NULL, NULL, NULL),
	    0);
	assert_int_equal(quota_settle(fd, home, NULL, NULL, &u, &dropped), 0);
	assert_int_equal(u.reserved, 700);
	assert_int_equal(dropped, 0);
	answer = 0;
	assert_int_equal(
	    quota_settle(fd, home, say_alone, &answer, &u, &dropped), 0);
	assert_int_equal(u.reserved, 700);
	assert_int_equal(dropped, 0);
	answer = -1;
	assert_int_equal(
	    quota_settle(fd, home, say_alone, &answer, &u, &dropped), 0);
	assert_int_equal(u.reserved, 700);
	answer = 1;
	assert_int_equal(
	    quota_settle(fd, home, say_alone, &answer, &u, &dropped), 0);
	assert_int_equal(u.reserved, 0);
	assert_int_equal(dropped, 700);
	assert_int_equal(u.bytes, bytes);
	assert_int_equal(u.files, files);
	assert_int_equal(read_file("acct", buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_int_equal(quota_read(fd, &u), 0);
	assert_int_equal(u.reserved, 0);
	/* Nothing reserved: nothing to drop, alone not even asked. */
	answer = 2;
	assert_int_equal(
	    quota_settle(fd, home, say_alone, &answer, &u, &dropped), 0);
	assert_int_equal(dropped, 0);
	free(home);
	close(fd);
}

/*
 * A count of the home that fails (here: no home at that path yet) is
 * not made again at every change of the process, which would walk the
 * home under the lock each time and still leave the file high: the
 * process gives up on it until quota_set_home names the home again (the
 * next login), and says why.  quota_settle of that home gives up too.
 */
static void
test_failed_count_not_retried(void **state)
{
	struct quota_limits l = { 0, 0 };
	struct quota_usage u;
	uint64_t bytes, files;
	char *home = tpath("home"), *later = tpath("later");
	int fd;

	(void)state;
	fd = home_counted(&bytes, &files);
	kill_in_removal(fd, "home/d/b", 5000, 1);

	quota_set_home(later);
	assert_null(quota_home_failed());
	assert_int_equal(quota_charge(fd, &l, 10, 0, &u), 0);
	assert_true(quota_pending(&u));
	assert_non_null(quota_home_failed());
	assert_non_null(strstr(quota_home_failed(), "later"));
	/* Countable now, but not counted again by this process. */
	assert_int_equal(rename(home, later), 0);
	assert_int_equal(quota_charge(fd, &l, 10, 0, &u), 0);
	assert_true(quota_pending(&u));
	assert_int_equal(u.bytes, bytes + 20);
	assert_int_equal(quota_settle(fd, later, NULL, NULL, &u, NULL), 0);
	assert_true(quota_pending(&u));

	/* Named again (a new session): counted, and settled. */
	quota_set_home(later);
	assert_null(quota_home_failed());
	assert_int_equal(quota_charge(fd, &l, 10, 0, &u), 0);
	assert_false(quota_pending(&u));
	assert_int_equal(u.bytes, bytes - 5000 + 10);
	assert_int_equal(u.files, files - 1);
	assert_null(quota_home_failed());

	/* A login's quota_settle that fails gives up for the changes. */
	assert_int_equal(rename(later, home), 0);
	kill_in_removal(fd, "home/a", 3000, 1);
	quota_set_home(later);
	assert_int_equal(quota_settle(fd, later, NULL, NULL, &u, NULL), 0);
	assert_true(quota_pending(&u));
	assert_non_null(quota_home_failed());
	assert_int_equal(rename(home, later), 0);
	assert_int_equal(quota_charge(fd, &l, 0, 0, &u), 0);
	assert_true(quota_pending(&u));
	quota_set_home(NULL);
	free(later);
	free(home);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test_setup_teardown(
		    test_killed_after_removal, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_killed_before_removal, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_change_settles, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_removal_completes, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_settle_drops_reserved, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_failed_count_not_retried, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
