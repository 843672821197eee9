/*
 * test_xfer_key.c: unit tests for a .part's resume record
 * (client/xfer_key.c): the forms mftp writes read back, at the ends of
 * each number's range; anything else, which a .part from elsewhere may
 * carry, is no record (a sign or a number past its range that a
 * lenient reader would wrap or clip, blanks, a newline, leading zeros,
 * what follows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xfer_key.h"

static void
check_good(const char *text, uint64_t size, int64_t mtime, uint64_t ino)
{
	struct xfer_key k;
	char out[XFER_KEY_TEXT_MAX];

	assert_int_equal(xfer_key_parse(text, strlen(text), &k), 0);
	assert_true(k.size == size);
	assert_true(k.mtime == mtime);
	assert_true(k.ino == ino);
	assert_int_equal(xfer_key_format(&k, out, sizeof(out)), strlen(text));
	assert_string_equal(out, text);
}

static void
test_good(void **state)
{
	(void)state;
	check_good("0 0", 0, 0, 0);
	check_good("1048576 1700000000", 1048576, 1700000000, 0);
	check_good("5 -1 42", 5, -1, 42);
	check_good("18446744073709551615 9223372036854775807 "
		   "18446744073709551615",
	    UINT64_MAX, INT64_MAX, UINT64_MAX);
	check_good("7 -9223372036854775808", 7, INT64_MIN, 0);
}

static void
test_bad(void **state)
{
	static const char *bad[] = {
		"",
		"1",
		"1 ",
		"-1 5",			  /* a size is never negative */
		"18446744073709551616 1", /* past UINT64_MAX */
		"1 9223372036854775808",  /* past INT64_MAX */
		"1 -9223372036854775809",
		"1 2 18446744073709551616",
		"1 2 -3",
		" 1 2",
		"1  2",
		"1\t2",
		"1 2\n",
		"1 2 ",
		"1 2 junk",
		"1 2 3 4",
		"+1 2",
		"1 +2",
		"01 2",
		"1 02",
		"1 -0",
		"1 2 0", /* no inode is written as none */
		"1 2 03",
	};
	struct xfer_key k, was;
	size_t i;

	(void)state;
	memset(&k, 0xa5, sizeof(k));
	was = k;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (xfer_key_parse(bad[i], strlen(bad[i]), &k) != -1)
			fail_msg("'%s' read as a record", bad[i]);
		assert_memory_equal(&k, &was, sizeof(k));
	}
	/* A NUL inside, and a record longer than any written. */
	assert_int_equal(xfer_key_parse("1 2\0003", 5, &k), -1);
	assert_int_equal(xfer_key_parse("1 2", 4, &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
