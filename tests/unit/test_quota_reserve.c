/*
 * test_quota_reserve.c: unit tests for the bytes reserved by uploads in
 * progress: the second line of the accounting file (format, parse,
 * corrupt forms), quota_change_reserved (a reservation is checked with
 * the usage against the limit, a chunk moved from it to the usage is
 * never refused, the file goes back to one line when nothing is
 * reserved), and the recount, which drops every reservation.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
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

#define TWO_LINES                                            \
	"MFTPQ1 00000000000000000100 00000000000000000002\n" \
	"MFTPR2 00000000000000000900 00000000000000000042\n"
#define TWO_LEN (QUOTA_LINE_LEN + QUOTA_RESERVE_LEN)
/* As versions before the sets wrote it: a reservation of no set. */
#define OLD_ZERO                                             \
	"MFTPQ1 00000000000000000000 00000000000000000000\n" \
	"MFTPR1 00000000000000000300\n"
#define OLD_LINES                                            \
	"MFTPQ1 00000000000000000100 00000000000000000002\n" \
	"MFTPR1 00000000000000000900\n"

static void
test_format_parse(void **state)
{
	struct quota_usage u = { 100, 2, 900, 0, 0, 42 }, v;
	char buf[QUOTA_FILE_MAX + 8];

	assert_int_equal(sizeof(TWO_LINES) - 1, TWO_LEN);
	assert_int_equal(quota_format(&u, buf, sizeof(buf)), TWO_LEN);
	assert_memory_equal(buf, TWO_LINES, TWO_LEN);
	memset(&v, 0, sizeof(v));
	assert_int_equal(quota_parse(buf, TWO_LEN, &v), 0);
	assert_true(v.bytes == 100 && v.files == 2 && v.reserved == 900 &&
	    v.reserve_set == 42);
	/* The line of versions before the sets: no set. */
	v.reserve_set = 7;
	assert_int_equal(quota_parse(OLD_LINES, sizeof(OLD_LINES) - 1, &v), 0);
	assert_true(v.bytes == 100 && v.files == 2 && v.reserved == 900 &&
	    v.reserve_set == 0);
	/* The first line alone: nothing reserved. */
	v.reserved = 7;
	assert_int_equal(quota_parse(buf, QUOTA_LINE_LEN, &v), 0);
	assert_true(v.reserved == 0);
	u.reserved = 0;
	assert_int_equal(quota_format(&u, buf, sizeof(buf)), QUOTA_LINE_LEN);

	/* Corrupt second lines: another magic, a short number, no newline,
	 * a byte more or less. */
	memcpy(buf, TWO_LINES, TWO_LEN);
	buf[QUOTA_LINE_LEN + 5] = 'X';
	assert_int_equal(quota_parse(buf, TWO_LEN, &v), QUOTA_ERR_CORRUPT);
	memcpy(buf, TWO_LINES, TWO_LEN);
	buf[QUOTA_LINE_LEN + 10] = ' ';
	assert_int_equal(quota_parse(buf, TWO_LEN, &v), QUOTA_ERR_CORRUPT);
	memcpy(buf, TWO_LINES, TWO_LEN);
	buf[TWO_LEN - 1] = 'x';
	assert_int_equal(quota_parse(buf, TWO_LEN, &v), QUOTA_ERR_CORRUPT);
	memcpy(buf, TWO_LINES, TWO_LEN);
	assert_int_equal(quota_parse(buf, TWO_LEN - 1, &v), QUOTA_ERR_CORRUPT);
	buf[TWO_LEN] = '\n';
	assert_int_equal(quota_parse(buf, TWO_LEN + 1, &v), QUOTA_ERR_CORRUPT);
}

/*
 * The file holds exactly what u formats to, with the set it names (a
 * random one, never 0, while anything is reserved); the set.
 */
static uint64_t
expect_file(const char *rel, uint64_t bytes, uint64_t files, uint64_t res)
{
	struct quota_usage u = { bytes, files, res, 0, 0, 0 }, got;
	char want[QUOTA_FILE_MAX + 1], buf[256];
	size_t n, len;

	n = read_file(rel, buf, sizeof(buf));
	assert_int_equal(quota_parse(buf, n, &got), 0);
	assert_true((got.reserve_set != 0) == (res > 0));
	u.reserve_set = got.reserve_set;
	len = quota_format(&u, want, sizeof(want));
	assert_int_equal(n, len);
	assert_memory_equal(buf, want, len);
	return got.reserve_set;
}

static void
test_reserve(void **state)
{
	struct quota_limits l = { 1000, 0 };
	struct quota_usage a;
	int fd;

	fd = open_new("r");
	assert_int_equal(quota_charge(fd, &l, 100, 1, NULL), 0);
	/* Two reservations that fit, a third that would not. */
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 400, NULL, &a, NULL, NULL), 0);
	assert_true(a.bytes == 100 && a.reserved == 400);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 400, NULL, NULL, NULL, NULL),
	    0);
	expect_file("r", 100, 1, 800);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 101, NULL, &a, NULL, NULL),
	    QUOTA_ERR_EXCEEDED);
	assert_true(a.bytes == 100 && a.reserved == 800);
	/* What is reserved counts as used for any other growth too. */
	assert_int_equal(
	    quota_charge(fd, &l, 101, 0, NULL), QUOTA_ERR_EXCEEDED);
	assert_true(quota_fits(&a, &l, 100, 0));
	assert_false(quota_fits(&a, &l, 101, 0));

	/* Chunks move from the reservation to the usage: never refused,
	 * even past the limit lowered meanwhile. */
	l.bytes = 500;
	assert_int_equal(
	    quota_change_reserved(fd, &l, 300, 0, -300, NULL, &a, NULL, NULL),
	    0);
	expect_file("r", 400, 1, 500);
	/* A chunk bigger than what is left reserved: only the rest is
	 * growth, and checked. */
	l.bytes = 1000;
	assert_int_equal(
	    quota_change_reserved(fd, &l, 700, 0, -500, NULL, &a, NULL, NULL),
	    QUOTA_ERR_EXCEEDED);
	expect_file("r", 400, 1, 500);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 600, 0, -500, NULL, &a, NULL, NULL),
	    0);
	/* Nothing reserved: the file is the first line alone again. */
	expect_file("r", 1000, 1, 0);
	/* Giving back more than is reserved stops at 0. */
	assert_int_equal(
	    quota_change_reserved(fd, &l, -1000, -1, 0, NULL, NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 10, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, -50, NULL, &a, NULL, NULL), 0);
	assert_true(a.reserved == 0);
	expect_file("r", 0, 0, 0);
	/* A reservation that would wrap the count is refused. */
	l.bytes = 0;
	assert_int_equal(quota_change_reserved(
			     fd, &l, 0, 0, INT64_MAX, NULL, NULL, NULL, NULL),
	    0);
	assert_int_equal(quota_change_reserved(
			     fd, &l, 0, 0, INT64_MAX, NULL, NULL, NULL, NULL),
	    0);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 2, NULL, NULL, NULL, NULL),
	    QUOTA_ERR_EXCEEDED);
	close(fd);
}

/*
 * The reservations dropped by a recount are gone for the uploads that
 * held them: one that goes on neither takes its chunks out of what is
 * reserved after, by others, nor gives that back; each of its chunks is
 * checked like any growth, and it is told that it holds nothing.
 */
static void
test_dropped_set(void **state)
{
	struct quota_limits l = { 1000, 0 };
	struct quota_usage a;
	uint64_t x = 0, y = 0, old = 0, s1;
	char err[256], *home;
	int fd;

	make_dir("home");
	fd = open_new("ds");
	/* x reserves 800 and writes 200 of it. */
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 800, &x, NULL, NULL, NULL), 0);
	s1 = expect_file("ds", 0, 0, 800);
	assert_true(x == s1);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 200, 0, -200, &x, NULL, NULL, NULL),
	    0);
	assert_true(x == s1);
	expect_file("ds", 200, 0, 600);
	/* The recount drops it; y then reserves 800 in a new set. */
	make_sized("home/.x.mftp-part", 200);
	home = tpath("home");
	assert_int_equal(quota_recount(fd, home, NULL, err, sizeof(err)), 0);
	free(home);
	expect_file("ds", 200, 1, 0);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 800, &y, NULL, NULL, NULL), 0);
	assert_true(y != 0 && y != s1);
	assert_true(expect_file("ds", 200, 1, 800) == y);
	/* x's next chunk: y's reservation is not x's, and the room is y's. */
	assert_int_equal(
	    quota_change_reserved(fd, &l, 100, 0, -100, &x, &a, NULL, NULL),
	    QUOTA_ERR_EXCEEDED);
	assert_true(x == 0);
	expect_file("ds", 200, 1, 800);
	/* Nor does x's give-back take any of it. */
	x = s1;
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, -500, &x, NULL, NULL, NULL), 0);
	assert_true(x == 0);
	expect_file("ds", 200, 1, 800);
	/* y's chunks move from its own reservation, never refused. */
	l.bytes = 500;
	assert_int_equal(
	    quota_change_reserved(fd, &l, 800, 0, -800, &y, &a, NULL, NULL), 0);
	assert_true(a.bytes == 1000 && a.reserved == 0);
	expect_file("ds", 1000, 1, 0);
	/* A hold of no set (the tools', a line of an older version) takes
	 * from any; a reservation gives such a line a set. */
	write_file("ds", OLD_ZERO, sizeof(OLD_ZERO) - 1);
	l.bytes = 0;
	assert_int_equal(
	    quota_change_reserved(fd, &l, 0, 0, 100, &old, NULL, NULL, NULL),
	    0);
	assert_true(old != 0);
	assert_true(expect_file("ds", 0, 0, 400) == old);
	assert_int_equal(
	    quota_change_reserved(fd, &l, 50, 0, -50, NULL, NULL, NULL, NULL),
	    0);
	expect_file("ds", 50, 0, 350);
	close(fd);
}

/* The recount writes the usage alone: every reservation is dropped. */
static void
test_recount_drops(void **state)
{
	struct quota_limits l = { 0, 0 };
	struct quota_usage u;
	char err[256], *home;
	int fd;

	make_dir("home");
	make_sized("home/f", 10);
	fd = open_new("rc");
	assert_int_equal(
	    quota_change_reserved(fd, &l, 10, 1, 5000, NULL, NULL, NULL, NULL),
	    0);
	expect_file("rc", 10, 1, 5000);
	home = tpath("home");
	assert_int_equal(quota_recount(fd, home, &u, err, sizeof(err)), 0);
	free(home);
	assert_true(u.bytes == 10 && u.files == 1 && u.reserved == 0);
	expect_file("rc", 10, 1, 0);
	assert_int_equal(quota_read(fd, &u), 0);
	assert_true(u.reserved == 0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test_setup_teardown(
		    test_reserve, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_dropped_set, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_recount_drops, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
