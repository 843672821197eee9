/*
 * test_words.c: unit tests for the client's command-line splitting and
 * name quoting (client/words.c).
 *
 * Checks every quoting form of words_split, each error, and that
 * words_quote gives back, through words_split, exactly the name it was
 * given, for names with blanks, quotes, control characters, unicode,
 * bytes that are not UTF-8 and leading dashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "client/words.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

/*
 * Fail if s holds a byte or sequence that acts on a terminal: C0, DEL,
 * C1 as UTF-8 (c2 80-9f) or raw (80-9f not inside a sequence), or a bidi
 * character.  Written from the byte patterns, not with the code tested.
 */
static void
assert_terminal_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, len = strlen(s), cont = 0;

	for (i = 0; i < len; i++) {
		assert_false(p[i] < 0x20 || p[i] == 0x7f);
		if (p[i] == 0xc2 && i + 1 < len)
			assert_false(p[i + 1] >= 0x80 && p[i + 1] <= 0x9f);
		if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80)
			assert_false(p[i + 2] == 0x8e || p[i + 2] == 0x8f ||
			    (p[i + 2] >= 0xa8 && p[i + 2] <= 0xae));
		if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x81)
			assert_false(p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9);
		if (p[i] == 0xd8 && i + 1 < len)
			assert_false(p[i + 1] == 0x9c);
		/* A byte 80-bf is only ever a continuation byte. */
		if (p[i] >= 0x80 && p[i] <= 0xbf) {
			assert_true(cont > 0);
			cont--;
		} else
			cont = p[i] >= 0xf0 ? 3 :
			    p[i] >= 0xe0    ? 2 :
			    p[i] >= 0xc0    ? 1 :
					      0;
	}
}

/* Split line and check it gives exactly the n words of want. */
static void
assert_split(const char *line, const char *const *want, int n)
{
	const char *err = NULL;
	char **argv;
	int argc, i;

	assert_int_equal(words_split(line, &argc, &argv, &err), 0);
	assert_null(err);
	assert_int_equal(argc, n);
	for (i = 0; i < n; i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[n]);
	words_free(argv);
}

static void
assert_split_error(const char *line, const char *msg_part)
{
	const char *err = NULL;
	char **argv = (char **)1;
	int argc = 99;

	assert_int_equal(words_split(line, &argc, &argv, &err), -1);
	assert_null(argv);
	assert_non_null(err);
	assert_non_null(strstr(err, msg_part));
}

static void
test_split_blanks(void **state)
{
	static const char *const w[] = { "get", "a", "b" };

	assert_split("get a b", w, 3);
	assert_split("  get\ta   b \n", w, 3);
	assert_split("get a b\r\n", w, 3);
	assert_split("", NULL, 0);
	assert_split(" \t \n", NULL, 0);
}

static void
test_split_single_quotes(void **state)
{
	static const char *const w1[] = { "put", "my file", "x" };
	static const char *const w2[] = { "a\\b\"c$d" };
	static const char *const w3[] = { "", "x" };

	assert_split("put 'my file' x", w1, 3);
	assert_split("'a\\b\"c$d'", w2, 1);
	assert_split("'' x", w3, 2);
}

static void
test_split_double_quotes(void **state)
{
	static const char *const w1[] = { "say \"hi\"" };
	static const char *const w2[] = { "a\\b" };
	static const char *const w3[] = { "a\\nb", "it's" };

	assert_split("\"say \\\"hi\\\"\"", w1, 1);
	assert_split("\"a\\\\b\"", w2, 1);
	/* Other backslashes stay as they are. */
	assert_split("\"a\\nb\" \"it's\"", w3, 2);
}

static void
test_split_backslash(void **state)
{
	static const char *const w1[] = { "my file" };
	static const char *const w2[] = { "'", "\"", "\\" };

	assert_split("my\\ file", w1, 1);
	assert_split("\\' \\\" \\\\", w2, 3);
}

static void
test_split_joined_parts(void **state)
{
	static const char *const w[] = { "abcdef g", "h'i" };

	assert_split("ab'cd'\"ef g\" h\"'\"i", w, 2);
}

static void
test_split_ansi_c(void **state)
{
	static const char *const w1[] = { "a\nb\tc" };
	static const char *const w2[] = { "it's \\ \"q\"" };
	static const char *const w3[] = { "\x01\x7f\xff"
					  "A" };
	static const char *const w4[] = { "\033\a\b\f\v\r?" };
	/* "\z" is no escape: the backslash stays. */
	static const char *const w5[] = { "\\z" };
	/* A $ not followed by a quote is an ordinary character. */
	static const char *const w6[] = { "$HOME", "a$" };

	assert_split("$'a\\nb\\tc'", w1, 1);
	assert_split("$'it\\'s \\\\ \\\"q\\\"'", w2, 1);
	assert_split("$'\\x01\\177\\xff\\101'", w3, 1);
	assert_split("$'\\e\\a\\b\\f\\v\\r\\?'", w4, 1);
	assert_split("$'\\z'", w5, 1);
	assert_split("$HOME a$", w6, 2);
}

/* \u and \U give a character as UTF-8, as bash does. */
static void
test_split_unicode_escapes(void **state)
{
	static const char *const w1[] = { "evil\xe2\x80\xaetxt" };
	static const char *const w2[] = { "\xc3\xa9x", "\x01" };
	static const char *const w3[] = { "\xf0\x9f\x98\x80!" };
	/* At most 4 digits after \u: the fifth is a character. */
	static const char *const w4[] = { "\xe2\x80\xae"
					  "1" };

	assert_split("$'evil\\u202etxt'", w1, 1);
	assert_split("$'\\u00e9x' $'\\u1'", w2, 2);
	assert_split("$'\\U1F600!'", w3, 1);
	assert_split("$'\\u202e1'", w4, 1);
	assert_split_error("get $'\\u'", "hex digit");
	assert_split_error("get $'\\U'", "hex digit");
	assert_split_error("get $'\\u0'", "NUL");
	assert_split_error("get $'\\ud800'", "not a character");
	assert_split_error("get $'\\U110000'", "not a character");
}

static void
test_split_errors(void **state)
{
	assert_split_error("get 'abc", "single quote");
	assert_split_error("get \"abc", "double quote");
	assert_split_error("get \"abc\\\"", "double quote");
	assert_split_error("get abc\\", "backslash");
	assert_split_error("get $'abc", "$' quote");
	assert_split_error("get $'abc\\", "$' quote");
	assert_split_error("get $'a\\x00b'", "NUL");
	assert_split_error("get $'a\\0'", "NUL");
	assert_split_error("get $'\\xg'", "hex");
	/* Words before the error are not leaked or returned. */
	assert_split_error("one two three 'four", "single quote");
}

static void
test_split_dashes(void **state)
{
	static const char *const w[] = { "rm", "--", "-file", "--x" };

	assert_split("rm -- -file --x", w, 4);
}

static void
test_quote_plain(void **state)
{
	static const char *const plain[] = { "file.txt", "-file", "--",
		"a-b_c.d,e:f+g@h%i=j^k", "dir/sub/x", "caf\xc3\xa9",
		"\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80", "x~", "x#" };
	size_t i;
	char *q;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		q = words_quote(plain[i]);
		assert_string_equal(q, plain[i]);
		free(q);
	}
}

static void
test_quote_forms(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "", "''" },
		{ "my file", "'my file'" },
		{ "it's", "'it'\\''s'" },
		{ "a\"b", "'a\"b'" },
		{ "back\\slash", "'back\\slash'" },
		{ "$HOME", "'$HOME'" },
		{ "*.txt", "'*.txt'" },
		{ "#x", "'#x'" },
		{ "~x", "'~x'" },
		{ "a\nb", "$'a\\nb'" },
		{ "tab\there", "$'tab\\there'" },
		{ "esc\033[2J", "$'esc\\x1b[2J'" },
		{ "del\x7f", "$'del\\x7f'" },
		{ "bad\xff", "$'bad\\xff'" },
		{ "it's\n", "$'it\\'s\\n'" },
		{ "b\\s\r", "$'b\\\\s\\r'" },
		{ "\xc3\xa9\x01", "$'\xc3\xa9\\x01'" },
		/* C1 controls, as UTF-8 and as raw bytes: CSI, NEL, OSC. */
		{ "csi\xc2\x9b"
		  "2J",
		    "$'csi\\xc2\\x9b2J'" },
		{ "nel\xc2\x85", "$'nel\\xc2\\x85'" },
		{ "raw\x9b"
		  "2J\x9d",
		    "$'raw\\x9b2J\\x9d'" },
		/* Bidi characters show escaped, so a name cannot disguise
		 * itself ("evil\u202etxt.exe" would read "evilexe.txt"). */
		{ "evil\xe2\x80\xaetxt.exe", "$'evil\\u202etxt.exe'" },
		{ "\xe2\x81\xa6x\xe2\x81\xa9", "$'\\u2066x\\u2069'" },
		{ "\xe2\x80\x8f\xe2\x80\x8e", "$'\\u200f\\u200e'" },
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		    "$'\\u202a\\u202b\\u202c\\u202d'" },
		{ "\xe2\x81\xa7\xe2\x81\xa8", "$'\\u2067\\u2068'" },
		{ "ar\xd8\x9c", "$'ar\\u061c'" },
		/* Printable characters near them stay as they are. */
		{ "\xc2\xa0nbsp\xe2\x80\x90", "\xc2\xa0nbsp\xe2\x80\x90" },
	};
	size_t i;
	char *q;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		q = words_quote(t[i].in);
		assert_string_equal(q, t[i].out);
		free(q);
	}
}

/* Whatever the name, quoting then splitting gives it back, one word. */
static void
test_quote_round_trip(void **state)
{
	static const char *const names[] = { "", "plain", "two words", " lead",
		"trail ", "it's", "'", "''", "\"", "\\", "a\\'b", "-dash", "--",
		"$'x'", "new\nline", "\r\n\t", "\x01\x02\x1f", "\x7f",
		"\xff\xfe", "\xc3", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80",
		"\xc0\xaf", "\xf4\x90\x80\x80", "caf\xc3\xa9",
		"\xe6\x97\xa5 \xe6\x9c\xac's", "!bang", "a;b|c&d", "(x)", "{y}",
		"<z>", "`q`", "[r]", "?", "*",
		"csi\xc2\x9b"
		"2J",
		"\x9b\x80\x9f", "evil\xe2\x80\xaetxt",
		"\xe2\x81\xa6\xe2\x80\x8f", "\xd8\x9c\xe2\x80\xa8\xe2\x80\xa9",
		"\xe2\x80\xae"
		"1f" };
	const char *err;
	size_t i;
	char **argv, *q, *line;
	int argc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		q = words_quote(names[i]);
		/* No control or bidi character ever reaches the screen. */
		assert_terminal_safe(q);
		assert_int_equal(asprintf(&line, "cmd %s end", q) > 0, 1);
		assert_int_equal(words_split(line, &argc, &argv, &err), 0);
		assert_int_equal(argc, 3);
		assert_string_equal(argv[1], names[i]);
		assert_string_equal(argv[2], "end");
		words_free(argv);
		free(line);
		free(q);
	}
}

static void
test_printable(void **state)
{
	char *p;

	p = words_printable("a\nb\033c\x7f"
			    "d\xc3\xa9");
	assert_string_equal(p, "a?b?c?d\xc3\xa9");
	free(p);
	/* C1 as UTF-8 and as a raw byte; a bidi override shown escaped. */
	p = words_printable("x\xc2\x9b"
			    "2Jy\x9b"
			    "2Jz\xe2\x80\xae\xe6\x97\xa5");
	assert_string_equal(p, "x?2Jy?2Jz\\u202e\xe6\x97\xa5");
	assert_terminal_safe(p);
	free(p);
}

static void
test_utf8_len(void **state)
{
	assert_int_equal(words_utf8_len(""), 0);
	assert_int_equal(words_utf8_len("a"), 1);
	assert_int_equal(words_utf8_len("\xc3\xa9"), 2);
	assert_int_equal(words_utf8_len("\xe2\x82\xac"), 3);
	assert_int_equal(words_utf8_len("\xf0\x9f\x98\x80"), 4);
	/* Cut short, overlong, surrogate, past U+10FFFF, stray bytes. */
	assert_int_equal(words_utf8_len("\xc3"), 0);
	assert_int_equal(words_utf8_len("\xe2\x82"), 0);
	assert_int_equal(words_utf8_len("\xc0\xaf"), 0);
	assert_int_equal(words_utf8_len("\xe0\x80\xaf"), 0);
	assert_int_equal(words_utf8_len("\xf0\x80\x80\xaf"), 0);
	assert_int_equal(words_utf8_len("\xed\xa0\x80"), 0);
	assert_int_equal(words_utf8_len("\xf4\x90\x80\x80"), 0);
	assert_int_equal(words_utf8_len("\x80"), 0);
	assert_int_equal(words_utf8_len("\xff"), 0);
}

/* Which words start with a ~ that is neither quoted nor escaped. */
static void
test_split_tilde(void **state)
{
	static const char want[] = { 0, 1, 1, 0, 0, 0, 0, 1, 0 };
	const char *err = NULL;
	char **argv, *tilde;
	int argc, i;

	(void)state;
	assert_int_equal(words_split_tilde("get ~/a ~bob/b '~' \"~\" \\~ "
					   "$'~' ~'x' a~",
			     &argc, &argv, &tilde, &err),
	    0);
	assert_int_equal(argc, 9);
	assert_string_equal(argv[7], "~x");
	for (i = 0; i < argc; i++)
		assert_int_equal(tilde[i], want[i]);
	words_free(argv);
	free(tilde);
	assert_int_equal(
	    words_split_tilde("   ", &argc, &argv, &tilde, &err), 0);
	assert_int_equal(argc, 0);
	assert_non_null(tilde);
	words_free(argv);
	free(tilde);
	assert_int_equal(
	    words_split_tilde("~ 'x", &argc, &argv, &tilde, &err), -1);
	assert_null(tilde);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_blanks),
		cmocka_unit_test(test_split_single_quotes),
		cmocka_unit_test(test_split_double_quotes),
		cmocka_unit_test(test_split_backslash),
		cmocka_unit_test(test_split_joined_parts),
		cmocka_unit_test(test_split_ansi_c),
		cmocka_unit_test(test_split_unicode_escapes),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_split_dashes),
		cmocka_unit_test(test_split_tilde),
		cmocka_unit_test(test_quote_plain),
		cmocka_unit_test(test_quote_forms),
		cmocka_unit_test(test_quote_round_trip),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_utf8_len),
	};

	log_init("test_words", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
