/*
 * test_quota.c: unit tests for lib/quota.c: the limit arithmetic, the
 * accounting file's line, creating and opening it, its locked charge and
 * read, and the locks (test_quota_tree: the recount; test_quota_change:
 * a change applied under the lock).
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

static void
test_fits(void **state)
{
	struct quota_usage u = { 0, 0, 0, 0, 0, 0 };
	struct quota_limits l = { 100, 10 };

	/* Exactly at the limit fits, one byte or file more does not. */
	assert_true(quota_fits(&u, &l, 100, 0));
	assert_false(quota_fits(&u, &l, 101, 0));
	assert_true(quota_fits(&u, &l, 0, 10));
	assert_false(quota_fits(&u, &l, 0, 11));
	assert_true(quota_fits(&u, &l, 100, 10));
	assert_false(quota_fits(&u, &l, 100, 11));
	assert_false(quota_fits(&u, &l, 101, 10));
	u.bytes = 99;
	u.files = 9;
	assert_true(quota_fits(&u, &l, 1, 1));
	assert_false(quota_fits(&u, &l, 2, 0));
	assert_false(quota_fits(&u, &l, 0, 2));
	u.bytes = 100;
	u.files = 10;
	assert_false(quota_fits(&u, &l, 1, 0));
	assert_false(quota_fits(&u, &l, 0, 1));
	assert_true(quota_fits(&u, &l, 0, 0));

	/* A dimension that does not grow is not checked, even when over
	 * its limit (the administrator lowered it). */
	u.bytes = 500;
	u.files = 3;
	assert_true(quota_fits(&u, &l, 0, 1));
	assert_false(quota_fits(&u, &l, 1, 0));

	/* 0 = no limit, up to where the sum would wrap. */
	l.bytes = 0;
	l.files = 0;
	u.bytes = 0;
	u.files = 0;
	assert_true(quota_fits(&u, &l, UINT64_MAX, UINT64_MAX));
	u.bytes = UINT64_MAX - 5;
	assert_true(quota_fits(&u, &l, 5, 0));
	assert_false(quota_fits(&u, &l, 6, 0));
	assert_false(quota_fits(&u, &l, UINT64_MAX, 0));
	u.bytes = 0;
	u.files = UINT64_MAX;
	assert_true(quota_fits(&u, &l, 0, 0));
	assert_false(quota_fits(&u, &l, 0, 1));

	/* A limit near UINT64_MAX: the sum is compared, never wrapped. */
	l.bytes = UINT64_MAX;
	l.files = UINT64_MAX - 1;
	u.bytes = UINT64_MAX - 1;
	u.files = UINT64_MAX - 2;
	assert_true(quota_fits(&u, &l, 1, 1));
	assert_false(quota_fits(&u, &l, 2, 0));
	assert_false(quota_fits(&u, &l, 0, 2));
	assert_false(quota_fits(&u, &l, UINT64_MAX, 0));
	l.bytes = UINT64_MAX - 10;
	u.bytes = 20;
	assert_true(quota_fits(&u, &l, UINT64_MAX - 30, 0));
	assert_false(quota_fits(&u, &l, UINT64_MAX - 29, 0));
	assert_false(quota_fits(&u, &l, UINT64_MAX - 10, 0));
}

static void
roundtrip(uint64_t bytes, uint64_t files)
{
	struct quota_usage u = { bytes, files, 0, 0, 0, 0 },
			   v = { 1, 1, 0, 0, 0, 0 };
	char line[QUOTA_LINE_LEN + 1];

	memset(line, 'x', sizeof(line));
	quota_format(&u, line, sizeof(line));
	assert_int_equal(strlen(line), QUOTA_LINE_LEN);
	assert_int_equal(line[QUOTA_LINE_LEN - 1], '\n');
	assert_int_equal(quota_parse(line, QUOTA_LINE_LEN, &v), 0);
	assert_true(v.bytes == bytes);
	assert_true(v.files == files);
}

static void
test_format_parse(void **state)
{
	struct quota_usage u = { 1234567, 89, 0, 0, 0, 0 };
	char line[QUOTA_LINE_LEN + 1];

	quota_format(&u, line, sizeof(line));
	assert_string_equal(
	    line, "MFTPQ1 00000000000001234567 00000000000000000089\n");
	roundtrip(0, 0);
	roundtrip(1, 1);
	roundtrip(UINT64_MAX, UINT64_MAX);
	roundtrip(UINT64_MAX - 1, 0);
	roundtrip(10000000000000000000ULL, 9999999999999999999ULL);
	roundtrip(1048576, 1);
	u.bytes = 0;
	u.files = 0;
	quota_format(&u, line, sizeof(line));
	assert_string_equal(line, zero_line);
}

static void
expect_corrupt(const char *data, size_t len)
{
	struct quota_usage u = { 7, 7, 0, 0, 0, 0 };

	assert_int_equal(quota_parse(data, len, &u), QUOTA_ERR_CORRUPT);
	/* Never read as "nothing used" or any other value. */
	assert_true(u.bytes == 7 && u.files == 7);
}

static void
test_parse_corrupt(void **state)
{
	const char good[] =
	    "MFTPQ1 00000000000000001000 00000000000000000002\n";
	char buf[QUOTA_LINE_LEN + 8];
	struct quota_usage u;
	size_t i, len;

	assert_int_equal(sizeof(good) - 1, QUOTA_LINE_LEN);
	assert_int_equal(quota_parse(good, QUOTA_LINE_LEN, &u), 0);
	assert_true(u.bytes == 1000 && u.files == 2);

	/* Empty, and truncated at every length. */
	expect_corrupt("", 0);
	for (len = 0; len < QUOTA_LINE_LEN; len++)
		expect_corrupt(good, len);

	/* Extra bytes: another line, a second newline, a NUL. */
	memcpy(buf, good, QUOTA_LINE_LEN);
	buf[QUOTA_LINE_LEN] = '\n';
	expect_corrupt(buf, QUOTA_LINE_LEN + 1);
	buf[QUOTA_LINE_LEN] = '\0';
	expect_corrupt(buf, QUOTA_LINE_LEN + 1);
	memcpy(buf + QUOTA_LINE_LEN, "MFTPQ1 ", 7);
	expect_corrupt(buf, QUOTA_LINE_LEN + 7);

	/* Every byte changed in turn is corrupt (no digit becomes another
	 * digit here: each is replaced by a non-digit). */
	for (i = 0; i < QUOTA_LINE_LEN; i++) {
		const char bad[] = { 'X', ' ', '\n', '\0', '+', '-', '\t',
			'9' + 1, '0' - 1 };
		size_t k;

		for (k = 0; k < sizeof(bad); k++) {
			if (bad[k] == good[i])
				continue;
			memcpy(buf, good, QUOTA_LINE_LEN);
			buf[i] = bad[k];
			expect_corrupt(buf, QUOTA_LINE_LEN);
		}
	}

	/* Wrong magic, other version, lower case. */
	expect_corrupt("MFTPQ2 00000000000000001000 00000000000000000002\n",
	    QUOTA_LINE_LEN);
	expect_corrupt("mftpq1 00000000000000001000 00000000000000000002\n",
	    QUOTA_LINE_LEN);
	/* Missing newline (same length: a space at the end instead). */
	expect_corrupt("MFTPQ1 00000000000000001000 00000000000000000002 ",
	    QUOTA_LINE_LEN);
	/* A CR before the newline, digits shifted. */
	expect_corrupt("MFTPQ1 0000000000000001000 00000000000000000002\r\n",
	    QUOTA_LINE_LEN);
	/* Two spaces, digits shifted. */
	expect_corrupt("MFTPQ1  0000000000000001000 00000000000000000002\n",
	    QUOTA_LINE_LEN);
	/* Over 64 bits in 20 digits. */
	expect_corrupt("MFTPQ1 18446744073709551616 00000000000000000002\n",
	    QUOTA_LINE_LEN);
	expect_corrupt("MFTPQ1 00000000000000000000 99999999999999999999\n",
	    QUOTA_LINE_LEN);
	/* The old "0 0\n". */
	expect_corrupt("0 0\n", 4);
	/* The largest value is fine. */
	assert_int_equal(quota_parse("MFTPQ1 18446744073709551615 "
				     "18446744073709551615\n",
			     QUOTA_LINE_LEN, &u),
	    0);
	assert_true(u.bytes == UINT64_MAX && u.files == UINT64_MAX);
}

static void
test_create_open(void **state)
{
	char buf[256], *p;
	struct stat st;
	int fd;

	umask(077);
	assert_int_equal(quota_create(tmpdir, "alice"), 0);
	p = tpath("alice");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(read_file("alice", buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_memory_equal(buf, zero_line, QUOTA_LINE_LEN);

	/* Never over an existing file, nor through a link. */
	errno = 0;
	assert_int_equal(quota_create(tmpdir, "alice"), -1);
	assert_int_equal(errno, EEXIST);
	free(p);
	p = tpath("link");
	assert_int_equal(symlink("target", p), 0);
	errno = 0;
	assert_int_equal(quota_create(tmpdir, "link"), -1);
	assert_int_equal(errno, EEXIST);
	free(p);
	p = tpath("target");
	assert_int_equal(lstat(p, &st), -1);

	/* One path component only. */
	errno = 0;
	assert_int_equal(quota_create(tmpdir, "a/b"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(quota_create(tmpdir, ".."), -1);
	assert_int_equal(quota_create(tmpdir, ""), -1);
	assert_int_equal(quota_open(tmpdir, "../alice"), -1);
	assert_int_equal(errno, EINVAL);

	fd = quota_open(tmpdir, "alice");
	assert_true(fd != -1);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	close(fd);

	/* Missing, a link (even to a good file), a directory, a FIFO. */
	errno = 0;
	assert_int_equal(quota_open(tmpdir, "nobody"), -1);
	assert_int_equal(errno, ENOENT);
	free(p);
	p = tpath("link2");
	assert_int_equal(symlink("alice", p), 0);
	errno = 0;
	assert_int_equal(quota_open(tmpdir, "link2"), -1);
	assert_int_equal(errno, ELOOP);
	make_dir("dir");
	assert_int_equal(quota_open(tmpdir, "dir"), -1);
	free(p);
	p = tpath("fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	errno = 0;
	assert_int_equal(quota_open(tmpdir, "fifo"), -1);
	assert_int_equal(errno, EINVAL);
	free(p);

	/* A directory that is not there. */
	p = tpath("nodir");
	assert_int_equal(quota_create(p, "alice"), -1);
	assert_int_equal(errno, ENOENT);
	free(p);
}

static void
test_charge(void **state)
{
	struct quota_limits l = { 1000, 3 };
	struct quota_usage a;
	char buf[256];
	int fd;

	fd = open_new("u");
	expect_usage(fd, 0, 0);

	/* Up to exactly the limit. */
	assert_int_equal(quota_charge(fd, &l, 600, 1, &a), 0);
	assert_true(a.bytes == 600 && a.files == 1);
	assert_int_equal(quota_charge(fd, &l, 400, 1, NULL), 0);
	expect_usage(fd, 1000, 2);

	/* One byte more is refused, nothing written, after = current. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(quota_charge(fd, &l, 1, 0, &a), QUOTA_ERR_EXCEEDED);
	assert_true(a.bytes == 1000 && a.files == 2);
	assert_int_equal(quota_charge(fd, &l, 1, -1, &a), QUOTA_ERR_EXCEEDED);
	expect_usage(fd, 1000, 2);
	assert_int_equal(read_file("u", buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_memory_equal(buf,
	    "MFTPQ1 00000000000000001000 00000000000000000002\n",
	    QUOTA_LINE_LEN);

	/* The file limit alike. */
	assert_int_equal(quota_charge(fd, &l, 0, 1, NULL), 0);
	assert_int_equal(quota_charge(fd, &l, 0, 1, &a), QUOTA_ERR_EXCEEDED);
	assert_true(a.bytes == 1000 && a.files == 3);
	/* Shrinking bytes while adding a file: only the growth counts. */
	assert_int_equal(
	    quota_charge(fd, &l, -100, 1, NULL), QUOTA_ERR_EXCEEDED);
	expect_usage(fd, 1000, 3);

	/* Shrinking always works and stops at 0. */
	assert_int_equal(quota_charge(fd, &l, -300, -1, &a), 0);
	assert_true(a.bytes == 700 && a.files == 2);
	assert_int_equal(quota_charge(fd, &l, -5000, -7, &a), 0);
	assert_true(a.bytes == 0 && a.files == 0);
	assert_int_equal(quota_charge(fd, &l, INT64_MIN, INT64_MIN, &a), 0);
	assert_true(a.bytes == 0 && a.files == 0);
	expect_usage(fd, 0, 0);

	/* Shrinking works when over a lowered limit; growing does not. */
	l.bytes = 0;
	l.files = 0;
	assert_int_equal(quota_charge(fd, &l, 5000, 10, NULL), 0);
	l.bytes = 1000;
	l.files = 3;
	assert_int_equal(quota_charge(fd, &l, -1000, -1, &a), 0);
	assert_true(a.bytes == 4000 && a.files == 9);
	assert_int_equal(quota_charge(fd, &l, 1, 0, NULL), QUOTA_ERR_EXCEEDED);

	/* Unlimited, near UINT64_MAX: refused where it would wrap. */
	l.bytes = 0;
	l.files = 0;
	assert_int_equal(quota_charge(fd, &l, INT64_MAX, 0, NULL), 0);
	expect_usage(fd, 4000 + (uint64_t)INT64_MAX, 9);
	assert_int_equal(
	    quota_charge(fd, &l, INT64_MAX, 0, &a), QUOTA_ERR_EXCEEDED);
	assert_true(a.bytes == 4000 + (uint64_t)INT64_MAX);
	assert_int_equal(quota_charge(fd, &l, INT64_MAX - 4000, 0, NULL), 0);
	expect_usage(fd, UINT64_MAX - 1, 9);
	assert_int_equal(quota_charge(fd, &l, 2, 0, NULL), QUOTA_ERR_EXCEEDED);
	assert_int_equal(quota_charge(fd, &l, 1, 0, NULL), 0);
	expect_usage(fd, UINT64_MAX, 9);
	assert_int_equal(quota_charge(fd, &l, 1, 0, NULL), QUOTA_ERR_EXCEEDED);

	/* Nothing to change: fine. */
	assert_int_equal(quota_charge(fd, &l, 0, 0, &a), 0);
	assert_true(a.bytes == UINT64_MAX && a.files == 9);
	close(fd);
}

static void
test_charge_corrupt(void **state)
{
	struct quota_limits l = { 0, 0 };
	struct quota_usage u = { 5, 5, 0, 0, 0, 0 };
	const char *bad[] = {
		"",
		"MFTPQ1 0000000000000000100",
		"MFTPQ1 00000000000000000100 00000000000000000001",
		"MFTPQ1 00000000000000000100 00000000000000000001\nmore",
		"0 0\n",
		"garbage that is exactly as long as a line is, here!",
	};
	char buf[256];
	size_t i, n;
	int fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file("c", bad[i], strlen(bad[i]));
		fd = quota_open(tmpdir, "c");
		assert_true(fd != -1);
		assert_int_equal(quota_read(fd, &u), QUOTA_ERR_CORRUPT);
		assert_int_equal(
		    quota_charge(fd, &l, 10, 1, &u), QUOTA_ERR_CORRUPT);
		assert_int_equal(
		    quota_charge(fd, &l, -10, -1, NULL), QUOTA_ERR_CORRUPT);
		assert_true(u.bytes == 5 && u.files == 5);
		/* Left as it was, for the administrator to see. */
		n = read_file("c", buf, sizeof(buf));
		assert_int_equal(n, strlen(bad[i]));
		assert_memory_equal(buf, bad[i], n);
		close(fd);
	}
}

/*
 * sleep_ms wrapped (Makefile.am): the longest pause asked for while
 * pauses_seen is set.
 */
void __real_sleep_ms(unsigned int ms);
void __wrap_sleep_ms(unsigned int ms);
static int pauses_seen;
static unsigned int pause_longest;

void
__wrap_sleep_ms(unsigned int ms)
{
	if (pauses_seen && ms > pause_longest)
		pause_longest = ms;
	__real_sleep_ms(ms);
}

/* A stop that says so from its twelfth look on. */
static int
stop_twelfth(void *arg)
{
	int *looks = arg;

	return ++*looks >= 12;
}

/* A stop (quota_set_stop) that says so from its third look on. */
static int
stop_third(void *arg)
{
	int *looks = arg;

	return ++*looks >= 3;
}

static void
test_locks(void **state)
{
	struct quota_limits l = { 0, 0 };
	struct quota_usage u;
	char buf[256];
	int fd1, fd2, status, looks;
	pid_t pid;

	fd1 = open_new("lk");
	fd2 = quota_open(tmpdir, "lk");
	assert_true(fd2 != -1);

	/* Exclusive on one description blocks the other, in one process. */
	assert_int_equal(try_lock(fd1, F_WRLCK), 0);
	errno = 0;
	assert_int_equal(try_lock(fd2, F_WRLCK), -1);
	assert_true(errno == EAGAIN || errno == EACCES);
	assert_int_equal(try_lock(fd2, F_RDLCK), -1);
	assert_int_equal(try_lock(fd1, F_UNLCK), 0);
	assert_int_equal(try_lock(fd2, F_WRLCK), 0);
	assert_int_equal(try_lock(fd2, F_UNLCK), 0);

	/* Shared: reads go together, a writer waits. */
	assert_int_equal(try_lock(fd1, F_RDLCK), 0);
	assert_int_equal(quota_read(fd2, &u), 0);
	assert_int_equal(try_lock(fd2, F_WRLCK), -1);
	assert_int_equal(try_lock(fd1, F_UNLCK), 0);

	/* quota_charge and quota_read release their locks. */
	assert_int_equal(quota_charge(fd1, &l, 10, 1, NULL), 0);
	assert_int_equal(quota_read(fd1, &u), 0);
	assert_int_equal(try_lock(fd2, F_WRLCK), 0);
	assert_int_equal(try_lock(fd2, F_UNLCK), 0);

	/*
	 * A charge waits while another description holds the lock: a
	 * child charges through its own open of the file while this one
	 * holds it; the charge lands only after the release.
	 */
	assert_int_equal(try_lock(fd1, F_WRLCK), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		int fd = quota_open(tmpdir, "lk");

		alarm(10);
		_exit(
		    fd != -1 && quota_charge(fd, &l, 5, 0, NULL) == 0 ? 0 : 1);
	}
	usleep(300 * 1000);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	/* Still as before: the child waits, it has not written. */
	assert_int_equal(read_file("lk", buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_memory_equal(buf,
	    "MFTPQ1 00000000000000000010 00000000000000000001\n",
	    QUOTA_LINE_LEN);
	assert_int_equal(try_lock(fd1, F_UNLCK), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_usage(fd1, 15, 1);

	/*
	 * quota_read_timed gives up on a lock held all the time it was
	 * given (a recount's), and reads beside a shared one.
	 */
	assert_int_equal(try_lock(fd1, F_WRLCK), 0);
	assert_int_equal(quota_read_timed(fd2, &u, 100), QUOTA_ERR_BUSY);
	assert_int_equal(try_lock(fd1, F_RDLCK), 0);
	memset(&u, 0, sizeof(u));
	assert_int_equal(quota_read_timed(fd2, &u, 100), 0);
	assert_int_equal(u.bytes, 15);
	/* It let its own lock go. */
	assert_int_equal(try_lock(fd1, F_WRLCK), 0);
	assert_int_equal(try_lock(fd1, F_UNLCK), 0);

	/*
	 * With a stop (the serving process's SIGTERM): a lock another
	 * description holds is waited for until the stop says so, and
	 * nothing is done; a free one is taken whatever the stop says.
	 */
	looks = 0;
	quota_set_stop(stop_third, &looks);
	assert_int_equal(try_lock(fd1, F_WRLCK), 0);
	assert_int_equal(quota_charge(fd2, &l, 5, 1, NULL), QUOTA_ERR_STOPPED);
	assert_int_equal(looks, 3);
	assert_int_equal(quota_read(fd2, &u), QUOTA_ERR_STOPPED);
	assert_int_equal(
	    quota_settle(fd2, NULL, NULL, NULL, &u, NULL), QUOTA_ERR_STOPPED);
	assert_int_equal(try_lock(fd1, F_UNLCK), 0);
	expect_usage(fd2, 15, 1);
	assert_int_equal(quota_charge(fd2, &l, 5, 1, NULL), 0);
	expect_usage(fd1, 20, 2);

	/*
	 * A long wait pauses at most 20 ms between two tries (SECURITY.md):
	 * twelve looks, far past the pauses' doubling.
	 */
	looks = 0;
	quota_set_stop(stop_twelfth, &looks);
	assert_int_equal(try_lock(fd1, F_WRLCK), 0);
	pauses_seen = 1;
	pause_longest = 0;
	assert_int_equal(quota_read(fd2, &u), QUOTA_ERR_STOPPED);
	pauses_seen = 0;
	assert_int_equal(looks, 12);
	assert_true(pause_longest > 0);
	assert_true(pause_longest <= 20);
	assert_int_equal(try_lock(fd1, F_UNLCK), 0);
	quota_set_stop(NULL, NULL);
	close(fd1);
	close(fd2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_parse_corrupt),
		cmocka_unit_test_setup_teardown(
		    test_create_open, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_charge, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_charge_corrupt, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_locks, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
