/*
 * test_known_hosts.c: the client's pins of server keys (client/
 * known_hosts.c): lookups that match, differ or find nothing, lines that
 * must never be trusted, and adding a pin to a new file.
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

#include "known_hosts.h"

#define FP_A "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define FP_B "SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
/* KNOWN_HOSTS_LINE_MAX in known_hosts.c: the longest line read. */
#define LINE_MAX_TEST 1024

static enum known_hosts_result
check(const char *text, const char *host, const char *port, const char *fp,
    size_t *line, char *old)
{
	*line = 0;
	old[0] = '\0';
	return known_hosts_check(
	    text, strlen(text), host, port, fp, line, old, 64);
}

static void
test_match_mismatch_unknown(void **state)
{
	const char *text = "# pins\n"
			   "\n"
			   "files.example.org 2121 " FP_A "\n"
			   "127.0.0.1 2121 " FP_B "\n";
	char old[64];
	size_t line;

	assert_int_equal(
	    check(text, "files.example.org", "2121", FP_A, &line, old),
	    KNOWN_HOSTS_MATCH);
	/* Host names compare without regard to case. */
	assert_int_equal(
	    check(text, "Files.Example.ORG", "2121", FP_A, &line, old),
	    KNOWN_HOSTS_MATCH);
	assert_int_equal(
	    check(text, "files.example.org", "2121", FP_B, &line, old),
	    KNOWN_HOSTS_MISMATCH);
	assert_int_equal(line, 3);
	assert_string_equal(old, FP_A);
	/* Another port is another server. */
	assert_int_equal(
	    check(text, "files.example.org", "2122", FP_B, &line, old),
	    KNOWN_HOSTS_UNKNOWN);
	assert_int_equal(check(text, "127.0.0.2", "2121", FP_B, &line, old),
	    KNOWN_HOSTS_UNKNOWN);
}

/* A later line with the right key wins over an earlier stale one. */
static void
test_second_line_matches(void **state)
{
	const char *text = "h 1 " FP_A "\nh 1 " FP_B "\n";
	char old[64];
	size_t line;

	assert_int_equal(
	    check(text, "h", "1", FP_B, &line, old), KNOWN_HOSTS_MATCH);
	assert_int_equal(check(text, "h", "1", "SHA256:C", &line, old),
	    KNOWN_HOSTS_MISMATCH);
	assert_int_equal(line, 1);
}

/* Lines that do not parse vouch for nothing. */
static void
test_bad_lines(void **state)
{
	char text[2048], old[64];
	size_t line;

	/* Four words; a key without the SHA256: prefix; two words. */
	snprintf(text, sizeof(text),
	    "h 1 %s extra\nh 1 AAAA\nh 1\nh 1 %s # comment\n", FP_A, FP_B);
	assert_int_equal(
	    check(text, "h", "1", FP_A, &line, old), KNOWN_HOSTS_MISMATCH);
	assert_int_equal(line, 4);
	/* A NUL inside a line makes it unreadable, not shorter. */
	memcpy(text, "h 1 " FP_A "\0x\n", sizeof("h 1 " FP_A "\0x\n"));
	assert_int_equal(
	    known_hosts_check(text, sizeof("h 1 " FP_A "\0x\n") - 1, "h", "1",
		FP_A, &line, old, sizeof(old)),
	    KNOWN_HOSTS_UNKNOWN);
	/* A last line without its newline still counts. */
	assert_int_equal(
	    check("h 1 " FP_A, "h", "1", FP_A, &line, old), KNOWN_HOSTS_MATCH);
	/* CR LF line ends (a file edited on Windows): the CR is a blank,
	 * not the end of the key, which would then read as changed. */
	assert_int_equal(
	    check("# pins\r\nh 1 " FP_A "\r\n", "h", "1", FP_A, &line, old),
	    KNOWN_HOSTS_MATCH);
	assert_int_equal(check("h 1 " FP_A "\r\n", "h", "1", FP_B, &line, old),
	    KNOWN_HOSTS_MISMATCH);
	assert_string_equal(old, FP_A);
	/*
	 * An over-long line is skipped whole, not cut: its first
	 * KNOWN_HOSTS_LINE_MAX bytes are a matching pin and blanks, so a
	 * reader that kept them would find the key.  One byte shorter, the
	 * same line is read and matches.
	 */
	memset(text, ' ', sizeof(text));
	memcpy(text, "h 1 " FP_A, sizeof("h 1 " FP_A) - 1);
	text[LINE_MAX_TEST] = '\0';
	assert_int_equal(
	    check(text, "h", "1", FP_A, &line, old), KNOWN_HOSTS_MATCH);
	text[LINE_MAX_TEST] = ' ';
	text[LINE_MAX_TEST + 1] = '\0';
	assert_int_equal(
	    check(text, "h", "1", FP_A, &line, old), KNOWN_HOSTS_UNKNOWN);
	text[LINE_MAX_TEST + 1] = '\n';
	memcpy(text + LINE_MAX_TEST + 2, "h 1 " FP_B "\n",
	    sizeof("h 1 " FP_B "\n"));
	assert_int_equal(
	    check(text, "h", "1", FP_A, &line, old), KNOWN_HOSTS_MISMATCH);
	assert_int_equal(line, 2);
	/* Far past the limit, with nothing after the blanks, too. */
	memset(text + sizeof("h 1 " FP_A) - 1, ' ',
	    sizeof(text) - sizeof("h 1 " FP_A));
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(
	    check(text, "h", "1", FP_A, &line, old), KNOWN_HOSTS_UNKNOWN);
}

static void
test_add_and_read_back(void **state)
{
	char dir[] = "/tmp/test_known_hosts.XXXXXX", path[256], err[256];
	char old[64], cmd[300];
	struct stat st;
	size_t line;

	assert_non_null(mkdtemp(dir));
	/* Directories are made as needed, the file 0600. */
	snprintf(path, sizeof(path), "%s/a/b/known_hosts", dir);
	assert_int_equal(known_hosts_check_file(path, "h", "1", FP_A, &line,
			     old, sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_UNKNOWN);
	assert_int_equal(known_hosts_add(path, "MiXeD.example", "1", FP_A,
			     &line, old, sizeof(old), err, sizeof(err)),
	    0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(known_hosts_check_file(path, "mixed.example", "1",
			     FP_A, &line, old, sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_MATCH);
	assert_int_equal(known_hosts_add(path, "h2", "2", FP_B, &line, old,
			     sizeof(old), err, sizeof(err)),
	    0);
	assert_int_equal(known_hosts_check_file(path, "h2", "2", FP_A, &line,
			     old, sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_MISMATCH);
	assert_int_equal(line, 2);
	/* A directory where the file should be is an error, not "unknown". */
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(known_hosts_check_file(path, "h", "1", FP_A, &line,
			     old, sizeof(old), err, sizeof(err)),
	    -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * Two clients pinning at once: each looked the host up before the
 * other wrote, and each adds.  The second add must see, under the lock,
 * what the first wrote: the same key is not written twice, another key
 * is not pinned beside it (the pin made meanwhile decides, as it would
 * have had it come a moment earlier), and the file is left as it was.
 */
static void
test_add_after_another_pin(void **state)
{
	char dir[] = "/tmp/test_known_hosts.XXXXXX", path[256], err[256];
	char old[64], cmd[300];
	struct stat st, st2;
	size_t line = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/known_hosts", dir);
	assert_int_equal(known_hosts_add(path, "h", "1", FP_A, &line, old,
			     sizeof(old), err, sizeof(err)),
	    0);
	assert_int_equal(stat(path, &st), 0);
	/* The same key again: nothing is added. */
	assert_int_equal(known_hosts_add(path, "H", "1", FP_A, &line, old,
			     sizeof(old), err, sizeof(err)),
	    0);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size);
	/* Another key of that host and port: refused, naming the pin. */
	old[0] = '\0';
	assert_int_equal(known_hosts_add(path, "h", "1", FP_B, &line, old,
			     sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_MISMATCH);
	assert_int_equal(line, 1);
	assert_string_equal(old, FP_A);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size);
	assert_int_equal(known_hosts_check_file(path, "h", "1", FP_B, &line,
			     old, sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_MISMATCH);
	/* Another port is another server: pinned. */
	assert_int_equal(known_hosts_add(path, "h", "2", FP_B, &line, old,
			     sizeof(old), err, sizeof(err)),
	    0);
	assert_int_equal(known_hosts_check_file(path, "h", "2", FP_B, &line,
			     old, sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_MATCH);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * A file named without a directory (-o UserKnownHostsFile=kh) is in the
 * working directory: there is no directory to make, and above all not
 * one of the file's own name.
 */
static void
test_add_relative_name(void **state)
{
	char dir[] = "/tmp/test_known_hosts.XXXXXX", cwd[4096], err[256];
	char old[64], cmd[300];
	struct stat st;
	size_t line = 0;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(known_hosts_add("kh", "h", "1", FP_A, &line, old,
			     sizeof(old), err, sizeof(err)),
	    0);
	assert_int_equal(stat("kh", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(known_hosts_check_file("kh", "h", "1", FP_A, &line,
			     old, sizeof(old), err, sizeof(err)),
	    KNOWN_HOSTS_MATCH);
	assert_int_equal(chdir(cwd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_mismatch_unknown),
		cmocka_unit_test(test_second_line_matches),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_add_and_read_back),
		cmocka_unit_test(test_add_after_another_pin),
		cmocka_unit_test(test_add_relative_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
