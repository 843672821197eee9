/*
 * test_progress_fit.c: unit tests for the name in the client's progress
 * bar (client/progress_fit.c), whose bytes and columns differ.
 *
 * A server names the file: after termsafe_str, a character the terminal
 * must not see (U+061C, a bidi mark) is six bytes of text ("\u061c")
 * and six columns, and a combining mark (U+0301) two bytes and no
 * column.  Names made of both, at every width the bar may give, must
 * stay inside the buffer (guard bytes after it are checked) and inside
 * the columns.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "client/progress_fit.h"
#include "client/termsafe.h"

/* The bar's name buffer: progress.c's PROGRESS_LINE / 2 + 8. */
#define NAME_BUF 264
#define GUARD 64

void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

static int
utf8_locale(void **state)
{
	(void)state;
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fail_msg("no C.UTF-8 locale");
	return 0;
}

/* progress_fit into a buffer with guard bytes after it; the columns. */
static int
fit_guarded(const char *name, int cols, char *buf)
{
	unsigned char *g = (unsigned char *)buf + NAME_BUF;
	int used, i;

	memset(buf, 'x', NAME_BUF);
	memset(g, 0xa5, GUARD);
	used = progress_fit(name, cols, buf, NAME_BUF);
	for (i = 0; i < GUARD; i++)
		if (g[i] != 0xa5)
			fail_msg("cols %d: byte %d past the buffer written",
			    cols, i);
	assert_true(memchr(buf, '\0', NAME_BUF) != NULL);
	return used;
}

/* A server's name of at most 255 bytes: k bidi marks, then accents. */
static char *
hostile_name(int k)
{
	char raw[256];
	size_t o = 0;
	int i;

	for (i = 0; i < k; i++) {
		memcpy(raw + o, "\xd8\x9c", 2); /* U+061C */
		o += 2;
	}
	while (o + 2 <= 255) {
		memcpy(raw + o, "\xcc\x81", 2); /* U+0301 */
		o += 2;
	}
	raw[o] = '\0';
	return termsafe_str(raw);
}

static void
test_hostile_names_stay_in_bounds(void **state)
{
	char buf[NAME_BUF + GUARD];
	char *name;
	int k, cols, used;

	(void)state;
	for (k = 1; k <= 40; k++) {
		name = hostile_name(k);
		for (cols = 1; cols <= 256; cols++) {
			used = fit_guarded(name, cols, buf);
			if (cols >= 5)
				assert_true(used <= cols);
		}
		free(name);
	}
}

static void
test_plain_names(void **state)
{
	char buf[NAME_BUF + GUARD];

	(void)state;
	assert_int_equal(fit_guarded("report.pdf", 40, buf), 10);
	assert_string_equal(buf, "report.pdf");
	assert_int_equal(
	    fit_guarded("a-rather-long-file-name.tar.gz", 13, buf), 13);
	assert_string_equal(buf, "a-rat...ar.gz");
	/* Two columns a character: never half of one. */
	assert_int_equal(fit_guarded("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
				     "\xe3\x81\xae\xe5\x90\x8d\xe5\x89\x8d",
			     7, buf),
	    7);
	assert_string_equal(buf, "\xe6\x97\xa5...\xe5\x89\x8d");
}

/* The columns a name takes: two a CJK character, none a combining mark. */
static void
test_cols(void **state)
{
	(void)state;
	assert_int_equal(progress_cols("report.pdf"), 10);
	assert_int_equal(progress_cols("m-\xe6\x97\xa5\xe6\x9c\xac"), 6);
	assert_int_equal(progress_cols("e\xcc\x81"), 1);
	/* \001, not \x01b (one hex escape of three digits). */
	assert_int_equal(progress_cols("a\001b"), 3);
	assert_int_equal(progress_cols(""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_names_stay_in_bounds),
		cmocka_unit_test(test_plain_names),
		cmocka_unit_test(test_cols),
	};

	return cmocka_run_group_tests(tests, utf8_locale, NULL);
}
