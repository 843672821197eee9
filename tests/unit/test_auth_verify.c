/*
 * test_auth_verify.c: unit tests for privsep/auth_verify.c: which
 * settings a verification hashes.  A failed check must cost what an
 * unknown user's costs: the dummy of the default method and cost is
 * hashed unless the stored hash is itself of that method and cost and
 * crypt(3) could use it.  crypt_rn is wrapped (-Wl,--wrap=crypt_rn) to
 * record the settings it is given.
 */
#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth_verify.h"
#include "util.h"

#define CALLS_MAX 4

static char calls[CALLS_MAX][CRYPT_OUTPUT_SIZE];
static int ncalls;

char *__real_crypt_rn(const char *, const char *, void *, int);
char *__wrap_crypt_rn(const char *, const char *, void *, int);

char *
__wrap_crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	if (ncalls < CALLS_MAX)
		strlcpy(calls[ncalls], setting, sizeof(calls[0]));
	ncalls++;
	return __real_crypt_rn(phrase, setting, data, size);
}

/* The default method and cost: a fresh setting up to its last '$'. */
static char default_prefix[CRYPT_GENSALT_OUTPUT_SIZE];

static int
setup(void **state)
{
	char *end;

	if (crypt_gensalt_rn(NULL, 0, NULL, 0, default_prefix,
		sizeof(default_prefix)) == NULL ||
	    (end = strrchr(default_prefix, '$')) == NULL)
		return -1;
	end[1] = '\0';
	return 0;
}

/* The hash of pw for setting, made with the real crypt_rn. */
static char *
hash_of(const char *pw, const char *setting)
{
	struct crypt_data cd;
	char *out;

	memset(&cd, 0, sizeof(cd));
	out = __real_crypt_rn(pw, setting, &cd, sizeof(cd));
	assert_non_null(out);
	assert_true(out[0] != '*');
	return xstrdup(out);
}

static int
is_dummy(int i)
{
	return strncmp(calls[i], default_prefix, strlen(default_prefix)) == 0;
}

/* auth_verify(hash, pw), with the settings it hashed in calls[]. */
static int
verify(const char *hash, const char *pw)
{
	ncalls = 0;
	memset(calls, 0, sizeof(calls));
	return auth_verify(hash, pw);
}

static void
test_current(void **state)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], *h;

	assert_non_null(
	    crypt_gensalt_rn(NULL, 0, NULL, 0, setting, sizeof(setting)));
	h = hash_of("secret", setting);
	/* One hash, the stored one, right password or wrong. */
	assert_int_equal(verify(h, "secret"), 1);
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0], h);
	assert_int_equal(verify(h, "wrong"), 0);
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0], h);
	free(h);
}

static void
test_unknown_and_locked(void **state)
{
	static const char *const hashes[] = { NULL, "", "!$y$j9T$abc$def", "*",
		"*LK*" };
	size_t i;

	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		assert_int_equal(verify(hashes[i], "secret"), 0);
		assert_int_equal(ncalls, 1);
		assert_true(is_dummy(0));
	}
}

/* Markers crypt(3) cannot use: the dummy is hashed after them. */
static void
test_unusable(void **state)
{
	static const char *const hashes[] = { "x", "NP", "$y$", "$9$zz" };
	size_t i;

	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		assert_int_equal(verify(hashes[i], "x"), 0);
		assert_int_equal(ncalls, 2);
		assert_string_equal(calls[0], hashes[i]);
		assert_true(is_dummy(1));
	}
}

/*
 * Hashes of another method or cost still let their users in, and are
 * followed by the dummy whatever the answer.
 */
static void
test_legacy(void **state)
{
	static const char *const settings[] = { "ab", "$1$saltsalt$",
		"$5$saltsalt$", "$y$jC5$abcdefghijklmnop$" };
	size_t i;
	char *h;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		h = hash_of("secret", settings[i]);
		assert_int_equal(verify(h, "wrong"), 0);
		assert_int_equal(ncalls, 2);
		assert_string_equal(calls[0], h);
		assert_true(is_dummy(1));
		assert_int_equal(verify(h, "secret"), 1);
		assert_int_equal(ncalls, 2);
		assert_true(is_dummy(1));
		free(h);
	}
	/* "LOCKED" is read as DES, salt "LO": the dummy too. */
	assert_int_equal(verify("LOCKED", "x"), 0);
	assert_int_equal(ncalls, 2);
	assert_true(is_dummy(1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_current),
		cmocka_unit_test(test_unknown_and_locked),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_legacy),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
