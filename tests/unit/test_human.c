/*
 * test_human.c: unit tests for the one size format and the size and
 * count parsers (lib/human.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "human.h"

static void
assert_size(uint64_t v, const char *want)
{
	char s[HUMAN_SIZE_LEN];

	human_size(v, s, sizeof(s));
	assert_string_equal(s, want);
}

static void
test_size_format(void **state)
{
	(void)state;
	assert_size(0, "0 B");
	assert_size(1, "1 B");
	assert_size(512, "512 B");
	assert_size(1024, "1.0 KiB");
	assert_size(1536, "1.5 KiB");
	assert_size(10 * 1024, "10 KiB");
	assert_size(1000 * 1024, "1.0 MiB");
	assert_size(9961472, "9.5 MiB");
	assert_size(200ULL << 20, "200 MiB");
	assert_size(10ULL << 30, "10 GiB");
	assert_size(1ULL << 40, "1.0 TiB");
	assert_size(INT64_MAX, "8.0 EiB");
	/* Beyond int64_t, as below it: 8 and 15 EiB told apart. */
	assert_size((uint64_t)INT64_MAX + 1, "8.0 EiB");
	assert_size(15ULL << 60, "15 EiB");
	assert_size(9ULL << 60, "9.0 EiB");
	assert_size(UINT64_MAX, "16 EiB");
}

/* Every result fits HUMAN_SIZE_LEN: no cut-off unit at any scale. */
static void
test_size_fits(void **state)
{
	char s[HUMAN_SIZE_LEN + 8];
	uint64_t v;
	int shift;

	(void)state;
	for (shift = 0; shift < 64; shift++) {
		for (v = (1ULL << shift) - 1; v <= (1ULL << shift) + 1; v++) {
			human_size(v, s, sizeof(s));
			assert_true(strlen(s) < HUMAN_SIZE_LEN);
			assert_non_null(strstr(s, "B"));
			if (v == UINT64_MAX)
				break;
		}
	}
}

static void
test_parse_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "512", 512 },
		{ "10K", 10240 },
		{ "10k", 10240 },
		{ "2M", 2097152 },
		{ "2MiB", 2097152 },
		{ "1G", 1073741824 },
		{ "18446744073709551615", UINT64_MAX },
		/* decimal, whatever the leading zeros: not octal */
		{ "010", 10 },
		{ "010M", 10485760 },
		{ "512B", 512 },
		{ "3kb", 3072 },
		{ "3kib", 3072 },
		{ "1E", 1152921504606846976 },
		/* Leading zeros do not count toward any length limit. */
		{ "000000000000000000000001M", 1048576 },
		{ "00000000000000000000000018446744073709551615", UINT64_MAX },
		{ "0000000000000000000000000000", 0 },
	};
	/*
	 * Anything after the digits but one unit: not hex, not octal, no
	 * "bit" or "ps" that would read as bytes per second.
	 */
	static const char *const bad[] = { "", "abc", "-1", " 5", "+5", "1.5M",
		"10X", "M", "16E", "99999999999999999999", "0x1000", "08x",
		"10Kfoo", "10bar", "10Mbit", "100Mbps", "10MiBx", "10 M",
		"10M ", "10BB", "10iB", "10KK", "10Mi" };
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 7;
		assert_int_equal(human_parse_size(good[i].s, &v), 0);
		assert_true(v == good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_int_equal(human_parse_size(bad[i], &v), -1);
		assert_true(v == 7);
	}
	/* Too large, however many zeros come first. */
	errno = 0;
	assert_int_equal(human_parse_size("0018446744073709551616", &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(
	    human_parse_size("00000000000000000000000016E", &v), -1);
	assert_int_equal(errno, ERANGE);
}

static void
test_parse_count(void **state)
{
	static const char *const bad[] = { "", "abc", "-1", " 5", "+5", "1k",
		"10M", "1.5", "1e3" };
	uint64_t v;
	size_t i;

	(void)state;
	assert_int_equal(human_parse_count("1000", UINT64_MAX, &v), 0);
	assert_true(v == 1000);
	assert_int_equal(human_parse_count("0", 5, &v), 0);
	assert_true(v == 0);
	assert_int_equal(human_parse_count("5", 5, &v), 0);
	assert_true(v == 5);
	assert_int_equal(
	    human_parse_count("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	errno = 0;
	assert_int_equal(human_parse_count("6", 5, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(human_parse_count("9", 5, &v), -1);
	assert_int_equal(
	    human_parse_count("18446744073709551616", UINT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		errno = 0;
		assert_int_equal(human_parse_count(bad[i], UINT64_MAX, &v), -1);
		assert_int_equal(errno, EINVAL);
		assert_true(v == 7);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_format),
		cmocka_unit_test(test_size_fits),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
