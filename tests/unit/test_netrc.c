/*
 * test_netrc: ~/.netrc lookup for the client (client/netrc.c).
 */
#include <sys/types.h>
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

#include "client/netrc.h"

static char dir[] = "/tmp/test_netrc.XXXXXX";
static char path[64];

/* Write text as the .netrc with mode; returns the path. */
static const char *
netrc_file(const char *text, mode_t mode)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/netrc", dir);
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

struct found {
	int r;
	char login[64];
	char pw[64];
	char err[256];
};

static struct found
look(const char *text, mode_t mode, const char *host, const char *user)
{
	struct found f;

	memset(&f, 0, sizeof(f));
	f.r = netrc_lookup(netrc_file(text, mode), host, user, f.login,
	    sizeof(f.login), f.pw, sizeof(f.pw), f.err, sizeof(f.err));
	return f;
}

static void
test_machine_entry(void **state)
{
	struct found f;

	f = look("machine a.example login al password pa\n"
		 "machine files.example login bob password s3cret\n",
	    0600, "files.example", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "bob");
	assert_string_equal(f.pw, "s3cret");
	/* Host names compare without case, as in DNS. */
	f = look("machine FILES.example login bob password x\n", 0600,
	    "files.example", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.pw, "x");
}

static void
test_user_must_match(void **state)
{
	struct found f;
	const char *text = "machine h login alice password pa\n"
			   "machine h login bob password pb\n";

	f = look(text, 0600, "h", "bob");
	assert_int_equal(f.r, 1);
	assert_string_equal(f.pw, "pb");
	/* The command line's user stays: login is left empty. */
	assert_string_equal(f.login, "");
	f = look(text, 0600, "h", "carol");
	assert_int_equal(f.r, 0);
}

static void
test_default_and_absent(void **state)
{
	struct found f;
	const char *text = "machine other login o password po\n"
			   "default login anon password pd\n";

	f = look(text, 0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "anon");
	assert_string_equal(f.pw, "pd");
	f = look(text, 0600, "other", NULL);
	assert_string_equal(f.pw, "po");
	f = look("machine other password po\n", 0600, "h", NULL);
	assert_int_equal(f.r, 0);
	/* No file at all is no entry, not an error. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    netrc_lookup("/nonexistent/.netrc", "h", NULL, f.login,
		sizeof(f.login), f.pw, sizeof(f.pw), f.err, sizeof(f.err)),
	    0);
}

/*
 * The host's own entry wins even without a password: its login names
 * the user and the password is asked for; the default entry, meant for
 * other hosts, never logs in there as someone else.
 */
static void
test_machine_without_password(void **state)
{
	struct found f;
	const char *text = "machine h login alice\n"
			   "default login anon password pd\n";

	f = look(text, 0600, "h", NULL);
	assert_int_equal(f.r, 0);
	assert_string_equal(f.login, "alice");
	assert_string_equal(f.pw, "");
	f = look(text, 0600, "other", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "anon");
	assert_string_equal(f.pw, "pd");
	/* Neither login nor password: still the host's entry. */
	f = look("machine h account a\ndefault password pd\n", 0600, "h", NULL);
	assert_int_equal(f.r, 0);
	assert_string_equal(f.login, "");
	assert_string_equal(f.pw, "");
	/* Another user's entry for the host is no entry for this one. */
	f = look(
	    "machine h login bob\ndefault password pd\n", 0600, "h", "alice");
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "");
	assert_string_equal(f.pw, "pd");
}

static void
test_macdef_and_account_skipped(void **state)
{
	struct found f;

	f = look("macdef init\nlogin x password y\nmachine h\n\n"
		 "machine h account acct login u password p\n",
	    0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "u");
	assert_string_equal(f.pw, "p");
	/* With CR LF line ends the empty line that ends it is "\r\n". */
	f = look("macdef init\r\ncd /\r\n\r\n"
		 "machine h login u password p\r\n",
	    0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "u");
	assert_string_equal(f.pw, "p");
}

static void
test_unsafe_file_refused(void **state)
{
	struct found f;

	f = look("machine h login u password p\n", 0644, "h", NULL);
	assert_int_equal(f.r, -1);
	assert_non_null(strstr(f.err, "chmod 600"));
	f = look("machine h login u password p\n", 0640, "h", NULL);
	assert_int_equal(f.r, -1);
}

static void
test_too_long_refused(void **state)
{
	char text[200];
	struct found f;

	snprintf(text, sizeof(text), "machine h password %0100d\n", 7);
	f = look(text, 0600, "h", NULL);
	assert_int_equal(f.r, -1);
	assert_non_null(strstr(f.err, "too long"));
}

static void
test_quoted_tokens(void **state)
{
	struct found f;

	/* Blanks, an escaped quote and backslash, as curl reads them. */
	f = look("machine h login \"al ice\" password \"p w\\\"x\\\\y\"\n",
	    0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.login, "al ice");
	assert_string_equal(f.pw, "p w\"x\\y");
	/* \t and \n stand for tab and newline; a quoted host matches. */
	f = look("machine \"h\" password \"a\\tb\\nc\"", 0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.pw, "a\tb\nc");
	/* The token after a quoted one is read as usual. */
	f = look("machine h password \"\" login bob\n", 0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.pw, "");
	assert_string_equal(f.login, "bob");
	/* Unquoted tokens keep their quotes inside: a"b is a"b. */
	f = look("machine h password a\"b\n", 0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.pw, "a\"b");
	/* An unterminated quote runs to the end of the file. */
	f = look("machine h password \"x y", 0600, "h", NULL);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.pw, "x y");
}

/*
 * A NUL byte is refused, as in the user database and the configuration:
 * the parser would stop there, and the wipe of the buffer with it,
 * leaving a password after it in freed memory.
 */
static void
test_nul_refused(void **state)
{
	static const char text[] = "machine h password p\0machine h "
				   "password hidden\n";
	struct found f;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/netrc", dir);
	unlink(path);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(
	    fwrite(text, 1, sizeof(text) - 1, fp), sizeof(text) - 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, 0600), 0);
	memset(&f, 0, sizeof(f));
	f.r = netrc_lookup(path, "h", NULL, f.login, sizeof(f.login), f.pw,
	    sizeof(f.pw), f.err, sizeof(f.err));
	assert_int_equal(f.r, -1);
	assert_non_null(strstr(f.err, "NUL"));
	assert_string_equal(f.pw, "");
}

/* The parser alone, on text in memory: no file, no permission check. */
static void
test_parse_text(void **state)
{
	char text[] = "machine h\tlogin u\npassword p\r\n";
	char login[16], pw[16], err[64];

	assert_int_equal(netrc_parse(text, "h", NULL, login, sizeof(login), pw,
			     sizeof(pw), err, sizeof(err)),
	    1);
	assert_string_equal(login, "u");
	assert_string_equal(pw, "p");
	/* The tokens were cut in place. */
	assert_string_equal(text, "machine");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_entry),
		cmocka_unit_test(test_user_must_match),
		cmocka_unit_test(test_default_and_absent),
		cmocka_unit_test(test_machine_without_password),
		cmocka_unit_test(test_macdef_and_account_skipped),
		cmocka_unit_test(test_unsafe_file_refused),
		cmocka_unit_test(test_too_long_refused),
		cmocka_unit_test(test_quoted_tokens),
		cmocka_unit_test(test_parse_text),
		cmocka_unit_test(test_nul_refused),
	};
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	rmdir(dir);
	return r;
}
