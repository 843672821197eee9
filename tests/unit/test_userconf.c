/*
 * test_userconf.c: unit tests for the client's settings file
 * (client/userconf.c): defaults, both verify values in any case, the
 * ciphers list, comments and blanks, errors that name the line, a
 * missing file, a FIFO refused without waiting for a writer.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "userconf.h"

void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

static void
test_values(void **state)
{
	struct userconf u;
	char err[256];

	userconf_defaults(&u);
	assert_int_equal(u.verify, DIGEST_XXH128);
	assert_int_equal(
	    userconf_parse(&u, "c", "# mine\n\n  verify = SHA256  # always\n",
		err, sizeof(err)),
	    0);
	assert_int_equal(u.verify, DIGEST_SHA256);
	assert_int_equal(
	    userconf_parse(&u, "c", "verify=xxh128\r\n", err, sizeof(err)), 0);
	assert_int_equal(u.verify, DIGEST_XXH128);
	assert_int_equal(userconf_parse(&u, "c", "", err, sizeof(err)), 0);
	assert_int_equal(u.verify, DIGEST_XXH128);
}

static void
test_errors(void **state)
{
	struct userconf u;
	char err[256];

	userconf_defaults(&u);
	assert_int_equal(
	    userconf_parse(&u, "c", "\nverify = md5\n", err, sizeof(err)), -1);
	assert_string_equal(err, "c:2: verify: 'md5' is not xxh128 or sha256");
	assert_int_equal(u.verify, DIGEST_XXH128);
	/* A good line before a bad one is not applied either. */
	assert_int_equal(userconf_parse(&u, "c", "verify = sha256\ncolour\n",
			     err, sizeof(err)),
	    -1);
	assert_string_equal(err, "c:2: missing '=' (expected \"key = value\")");
	assert_int_equal(u.verify, DIGEST_XXH128);
	assert_int_equal(
	    userconf_parse(&u, "c", "speed = 9\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "c:1: unknown key 'speed'"));
	/* ciphers: the names of -o Ciphers, nothing else. */
	assert_int_equal(
	    userconf_parse(&u, "c", "ciphers = aes256-gcm\n", err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "c:1: ciphers: 'aes256-gcm' is not chacha20-poly1305, aes128-gcm "
	    "or both, separated by a comma");
	assert_int_equal(
	    userconf_parse(
		&u, "c", "ciphers = aes128-gcm,aes128-gcm\n", err, sizeof(err)),
	    -1);
	assert_string_equal(u.ciphers, "");
}

static void
test_ciphers(void **state)
{
	struct userconf u;
	char err[256];

	(void)state;
	userconf_defaults(&u);
	assert_string_equal(u.ciphers, "");
	assert_int_equal(
	    userconf_parse(&u, "c", "ciphers = AES128-GCM,chacha20-poly1305\n",
		err, sizeof(err)),
	    0);
	assert_string_equal(u.ciphers, "AES128-GCM,chacha20-poly1305");
	assert_int_equal(
	    userconf_parse(&u, "c", "ciphers=aes128-gcm\n", err, sizeof(err)),
	    0);
	assert_string_equal(u.ciphers, "aes128-gcm");
}

static void
test_load(void **state)
{
	char path[] = "/tmp/test_userconf.XXXXXX";
	struct userconf u;
	char err[256];
	int fd;

	userconf_defaults(&u);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "verify = sha256\n", 16), 16);
	close(fd);
	assert_int_equal(userconf_load(&u, path, err, sizeof(err)), 0);
	assert_int_equal(u.verify, DIGEST_SHA256);
	unlink(path);
	/* No file: the settings stay as they are. */
	assert_int_equal(userconf_load(&u, path, err, sizeof(err)), 0);
	assert_int_equal(u.verify, DIGEST_SHA256);
	assert_int_equal(userconf_load(&u, "/", err, sizeof(err)), -1);
	assert_string_equal(err, "/: not a regular file");
}

/*
 * A FIFO where the file should be is refused at once: an open that
 * waited for a writer would hang mftp before it ever connects.  The
 * alarm ends a test that hangs.
 */
static void
test_fifo(void **state)
{
	char dir[] = "/tmp/test_userconf.XXXXXX", path[64];
	struct userconf u;
	char err[256];

	userconf_defaults(&u);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_int_equal(userconf_load(&u, path, err, sizeof(err)), -1);
	alarm(0);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ciphers),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_fifo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
