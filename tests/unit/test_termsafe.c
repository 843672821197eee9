/*
 * test_termsafe.c: unit tests for what of a server's text the client
 * lets reach the terminal (client/termsafe.c).
 *
 * Every class of character: printable ASCII and UTF-8, C0, DEL, C1 as
 * UTF-8 and as raw bytes, bidi marks, embeddings, overrides and
 * isolates, and bytes that are not UTF-8 (cut short, overlong,
 * surrogates, past U+10FFFF).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "client/termsafe.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

static void
assert_class(const char *s, enum termsafe_class want, size_t len, uint32_t cp)
{
	size_t n = 99;
	uint32_t c = 0xffffffff;

	assert_int_equal(termsafe_class(s, &n, &c), want);
	assert_int_equal(n, len);
	assert_int_equal(c, cp);
}

static void
test_class_print(void **state)
{
	assert_class("a", TERMSAFE_PRINT, 1, 'a');
	assert_class(" x", TERMSAFE_PRINT, 1, ' ');
	assert_class("~", TERMSAFE_PRINT, 1, '~');
	assert_class("\xc2\xa0", TERMSAFE_PRINT, 2, 0xa0);
	assert_class("\xc3\xa9", TERMSAFE_PRINT, 2, 0xe9);
	assert_class("\xe6\x97\xa5", TERMSAFE_PRINT, 3, 0x65e5);
	assert_class("\xf0\x9f\x98\x80", TERMSAFE_PRINT, 4, 0x1f600);
	/* Neighbours of the bidi ranges are ordinary. */
	assert_class("\xe2\x80\x8d", TERMSAFE_PRINT, 3, 0x200d);
	assert_class("\xe2\x80\xaf", TERMSAFE_PRINT, 3, 0x202f);
	assert_class("\xe2\x81\xa5", TERMSAFE_PRINT, 3, 0x2065);
	assert_class("\xe2\x81\xaa", TERMSAFE_PRINT, 3, 0x206a);
}

static void
test_class_control(void **state)
{
	assert_class("\x01", TERMSAFE_CONTROL, 1, 1);
	assert_class("\n", TERMSAFE_CONTROL, 1, '\n');
	assert_class("\x1b[2J", TERMSAFE_CONTROL, 1, 0x1b);
	assert_class("\x1f", TERMSAFE_CONTROL, 1, 0x1f);
	assert_class("\x7f", TERMSAFE_CONTROL, 1, 0x7f);
	/* C1 as UTF-8: the first and last, NEL, CSI, OSC. */
	assert_class("\xc2\x80", TERMSAFE_CONTROL, 2, 0x80);
	assert_class("\xc2\x85", TERMSAFE_CONTROL, 2, 0x85);
	assert_class("\xc2\x9b"
		     "2J",
	    TERMSAFE_CONTROL, 2, 0x9b);
	assert_class("\xc2\x9d", TERMSAFE_CONTROL, 2, 0x9d);
	assert_class("\xc2\x9f", TERMSAFE_CONTROL, 2, 0x9f);
}

static void
test_class_bidi(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} t[] = {
		{ "\xe2\x80\x8e", 3, 0x200e },
		{ "\xe2\x80\x8f", 3, 0x200f },
		{ "\xe2\x80\xaa", 3, 0x202a },
		{ "\xe2\x80\xab", 3, 0x202b },
		{ "\xe2\x80\xac", 3, 0x202c },
		{ "\xe2\x80\xad", 3, 0x202d },
		{ "\xe2\x80\xae", 3, 0x202e },
		{ "\xe2\x81\xa6", 3, 0x2066 },
		{ "\xe2\x81\xa7", 3, 0x2067 },
		{ "\xe2\x81\xa8", 3, 0x2068 },
		{ "\xe2\x81\xa9", 3, 0x2069 },
		{ "\xd8\x9c", 2, 0x061c },
		{ "\xe2\x80\xa8", 3, 0x2028 },
		{ "\xe2\x80\xa9", 3, 0x2029 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_class(t[i].s, TERMSAFE_BIDI, t[i].len, t[i].cp);
}

static void
test_class_bad(void **state)
{
	/* Raw C1 bytes, as an 8-bit terminal would take them. */
	assert_class("\x9b"
		     "2J",
	    TERMSAFE_BAD, 1, 0x9b);
	assert_class("\x80", TERMSAFE_BAD, 1, 0x80);
	assert_class("\x9f", TERMSAFE_BAD, 1, 0x9f);
	assert_class("\xff", TERMSAFE_BAD, 1, 0xff);
	/* Cut short, overlong, surrogate, past U+10FFFF. */
	assert_class("\xc3", TERMSAFE_BAD, 1, 0xc3);
	assert_class("\xe2\x80", TERMSAFE_BAD, 1, 0xe2);
	assert_class("\xc0\xaf", TERMSAFE_BAD, 1, 0xc0);
	assert_class("\xc1\x9b", TERMSAFE_BAD, 1, 0xc1);
	assert_class("\xe0\x82\x9b", TERMSAFE_BAD, 1, 0xe0);
	assert_class("\xf0\x80\x82\x9b", TERMSAFE_BAD, 1, 0xf0);
	assert_class("\xed\xa0\x80", TERMSAFE_BAD, 1, 0xed);
	assert_class("\xf4\x90\x80\x80", TERMSAFE_BAD, 1, 0xf4);
	assert_class("\xc3\x28", TERMSAFE_BAD, 1, 0xc3);
}

static void
test_class_end(void **state)
{
	assert_class("", TERMSAFE_END, 0, 0);
	/* The cp pointer may be NULL. */
	size_t n = 9;

	assert_int_equal(
	    termsafe_class("\xc2\x9b", &n, NULL), TERMSAFE_CONTROL);
	assert_int_equal(n, 2);
}

static void
assert_str(const char *in, const char *want)
{
	char *s = termsafe_str(in);

	assert_string_equal(s, want);
	free(s);
}

static void
test_str(void **state)
{
	assert_str("", "");
	assert_str("plain name.txt", "plain name.txt");
	assert_str("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	assert_str("a\nb\033[2Jc\x7f", "a?b?[2Jc?");
	/* C1: each character is one '?', however many bytes. */
	assert_str("x\xc2\x9b"
		   "31my",
	    "x?31my");
	assert_str("x\x9b"
		   "31my\x90",
	    "x?31my?");
	assert_str("\xc3\xe2\x80", "???");
	assert_str("evil\xe2\x80\xaetxt.exe", "evil\\u202etxt.exe");
	assert_str("\xe2\x81\xa6\xe2\x80\x8f", "\\u2066\\u200f");
	assert_str("\xd8\x9c", "\\u061c");
}

/* The longest output per byte: every character a 2-byte bidi mark. */
static void
test_str_growth(void **state)
{
	char in[2 * 200 + 1], want[6 * 200 + 1];
	int i;

	for (i = 0; i < 200; i++) {
		memcpy(in + 2 * i, "\xd8\x9c", 2);
		memcpy(want + 6 * i, "\\u061c", 6);
	}
	in[2 * 200] = '\0';
	want[6 * 200] = '\0';
	assert_str(in, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_print),
		cmocka_unit_test(test_class_control),
		cmocka_unit_test(test_class_bidi),
		cmocka_unit_test(test_class_bad),
		cmocka_unit_test(test_class_end),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_str_growth),
	};

	log_init("test_termsafe", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
