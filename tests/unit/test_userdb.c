/*
 * test_userdb.c: unit tests for lib/userdb.c (the user database format,
 * its atomic rewrite and its lock).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "mftp_limits.h"
#include "userdb.h"
#include "util.h"

#define HASH \
	"$y$j9T$abcdefghijklmnop$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"

static void
test_valid_name(void **state)
{
	assert_true(userdb_valid_name("a"));
	assert_true(userdb_valid_name("_"));
	assert_true(userdb_valid_name("_mftp"));
	assert_true(userdb_valid_name("alice-2_b"));
	assert_true(userdb_valid_name("a-"));
	/* 32 characters are the most. */
	assert_true(userdb_valid_name("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(userdb_valid_name("abcdefghijklmnopqrstuvwxyz0123456"));
	assert_false(userdb_valid_name(""));
	assert_false(userdb_valid_name(NULL));
	assert_false(userdb_valid_name("Alice"));
	assert_false(userdb_valid_name("aLice"));
	assert_false(userdb_valid_name("1alice"));
	assert_false(userdb_valid_name("-alice"));
	assert_false(userdb_valid_name("al ice"));
	assert_false(userdb_valid_name("al:ice"));
	assert_false(userdb_valid_name("al/ice"));
	assert_false(userdb_valid_name("al.ice"));
	assert_false(userdb_valid_name("alice\n"));
	assert_false(userdb_valid_name("\xc3\xa9t\xc3\xa9"));
}

static void
test_parse_line(void **state)
{
	struct user u;
	char err[256];

	assert_int_equal(
	    userdb_parse_line("alice:" HASH ":20000:20001:/srv/mftp/alice:"
			      "1048576:18446744073709551615",
		&u, err, sizeof(err)),
	    0);
	assert_string_equal(u.name, "alice");
	assert_string_equal(u.hash, HASH);
	assert_int_equal(u.uid, 20000);
	assert_int_equal(u.gid, 20001);
	assert_string_equal(u.home, "/srv/mftp/alice");
	assert_true(u.quota_bytes == 1048576);
	assert_true(u.quota_files == UINT64_MAX);
	user_free(&u);

	/* A locked account ('!' hash) is still a valid line. */
	assert_int_equal(userdb_parse_line("bob:!" HASH ":2147483646:1:/h:0:0",
			     &u, err, sizeof(err)),
	    0);
	assert_int_equal(u.uid, 2147483646);
	user_free(&u);

	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(userdb_parse_line("", &u, err, sizeof(err)), 1);
	assert_int_equal(userdb_parse_line("   \t", &u, err, sizeof(err)), 1);
	assert_int_equal(
	    userdb_parse_line("# alice:x:1:1:/h:0:0", &u, err, sizeof(err)), 1);
	assert_int_equal(
	    userdb_parse_line("  # indented", &u, err, sizeof(err)), 1);
	/* Comments and blank lines leave u untouched. */
	assert_int_equal(u.name[0], 0x5a);
}

/* line must be rejected with a reason containing what. */
static void
expect_bad(const char *line, const char *what)
{
	struct user u;
	char err[256];

	err[0] = '\0';
	if (userdb_parse_line(line, &u, err, sizeof(err)) != -1)
		fail_msg("accepted \"%s\"", line);
	if (strstr(err, what) == NULL)
		fail_msg(
		    "for \"%s\": got \"%s\", expected \"%s\"", line, err, what);
}

static void
test_parse_line_bad(void **state)
{
	expect_bad("alice:x:1:1:/h:0", "6 fields instead of 7 or 10");
	expect_bad("alice:x:1:1:/h:0:0:", "8 fields instead of 7 or 10");
	expect_bad("alice:x:1:1:/h:0:0:0:0", "9 fields instead of 7 or 10");
	/* The limits: sessions, rate, canonical allow-list. */
	expect_bad("alice:x:1:1:/h:0:0:-1:0:", "session limit '-1'");
	expect_bad("alice:x:1:1:/h:0:0:10001:0:", "session limit '10001'");
	expect_bad("alice:x:1:1:/h:0:0::0:", "session limit ''");
	expect_bad("alice:x:1:1:/h:0:0:0:2M:", "rate '2M'");
	expect_bad("alice:x:1:1:/h:0:0:0::", "rate ''");
	/* Below the tools' least: a session would wait minutes a write. */
	expect_bad("alice:x:1:1:/h:0:0:0:1:", "rate '1' is below 4096");
	expect_bad("alice:x:1:1:/h:0:0:0:4095:", "rate '4095' is below 4096");
	expect_bad("alice:x:1:1:/h:0:0:0:0:300.1.1.1", "not an IPv4 or IPv6");
	expect_bad("alice:x:1:1:/h:0:0:0:0:10.0.0.1/8", "canonical");
	expect_bad("alice:x:1:1:/h:0:0:0:0:1.2.3.4/32", "canonical");
	expect_bad("alice:x:1:1:/h:0:0:0:0:1.2.3.4,", "not an address");
	expect_bad("alice:x:1:1:/h:0:0:0:0:0:0:0:0:0:0:0:1", "canonical");
	expect_bad("alice:x:1:1:/h:0:0:0:0:a:b", "not an IPv4 or IPv6");
	expect_bad("alice", "1 field instead of 7 or 10");
	expect_bad("Alice:x:1:1:/h:0:0", "invalid user name");
	expect_bad(":x:1:1:/h:0:0", "invalid user name");
	expect_bad("abcdefghijklmnopqrstuvwxyz0123456:x:1:1:/h:0:0",
	    "user name longer");
	expect_bad("alice::1:1:/h:0:0", "invalid password hash");
	expect_bad("alice:a b:1:1:/h:0:0", "invalid password hash");
	expect_bad("alice:x:0:1:/h:0:0", "uid '0'");
	expect_bad("alice:x::1:/h:0:0", "uid ''");
	expect_bad("alice:x:-1:1:/h:0:0", "uid '-1'");
	expect_bad("alice:x:+1:1:/h:0:0", "uid '+1'");
	expect_bad("alice:x: 1:1:/h:0:0", "uid ' 1'");
	expect_bad("alice:x:1 :1:/h:0:0", "uid '1 '");
	expect_bad("alice:x:0x10:1:/h:0:0", "uid '0x10'");
	expect_bad("alice:x:2147483647:1:/h:0:0", "uid '2147483647'");
	expect_bad("alice:x:99999999999999999999999:1:/h:0:0", "uid");
	expect_bad("alice:x:1:0:/h:0:0", "gid '0'");
	expect_bad("alice:x:1:abc:/h:0:0", "gid 'abc'");
	expect_bad("alice:x:1:1::0:0", "home ''");
	expect_bad("alice:x:1:1:h:0:0", "home 'h'");
	expect_bad("alice:x:1:1:/h\t:0:0", "home");
	expect_bad("alice:x:1:1:/h::0", "byte quota ''");
	expect_bad("alice:x:1:1:/h:-1:0", "byte quota '-1'");
	expect_bad("alice:x:1:1:/h:1K:0", "byte quota '1K'");
	expect_bad("alice:x:1:1:/h:18446744073709551616:0", "byte quota");
	expect_bad("alice:x:1:1:/h:0:", "file quota ''");
	expect_bad("alice:x:1:1:/h:0: 1", "file quota ' 1'");
	expect_bad("alice:x:1:1:/h:0:1\r", "file quota");
	expect_bad("alice:x:1:1:/h:0:99999999999999999999", "file quota");
}

/*
 * The three limit fields: read from a ten-field line (the allow-list may
 * hold ':'), written back the same; a user without limits is written
 * with the seven fields older readers know, and a seven-field line reads
 * as no limits.
 */
static void
test_limits(void **state)
{
	const char *ten = "dave:" HASH ":25000:100:/h:0:0:2:2097152:"
			  "127.0.0.2,2001:db8::/32";
	struct user u;
	char line[512], err[256];

	assert_int_equal(userdb_parse_line(ten, &u, err, sizeof(err)), 0);
	assert_int_equal(u.max_sessions, 2);
	assert_true(u.rate == 2097152);
	assert_string_equal(u.allow, "127.0.0.2,2001:db8::/32");
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), 0);
	line[strlen(line) - 1] = '\0';
	assert_string_equal(line, ten);

	/* No limits left: seven fields again. */
	u.max_sessions = 0;
	u.rate = 0;
	assert_int_equal(user_set_allow(&u, "", err, sizeof(err)), 0);
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), 0);
	assert_string_equal(line, "dave:" HASH ":25000:100:/h:0:0\n");
	/* Any one limit: ten. */
	u.rate = 4096;
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), 0);
	assert_string_equal(line, "dave:" HASH ":25000:100:/h:0:0:0:4096:\n");
	/* Only canonical lists are taken. */
	assert_int_equal(
	    user_set_allow(&u, "10.0.0.1/8", err, sizeof(err)), -1);
	assert_int_equal(user_set_allow(&u, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_string_equal(u.allow, "10.0.0.0/8");
	user_free(&u);

	/*
	 * A network in IPv4-mapped form, as earlier tools wrote it: read,
	 * and written back the same.
	 */
	assert_int_equal(
	    userdb_parse_line("eve:" HASH ":7:7:/e:0:0:0:0:"
			      "::ffff:127.0.0.1,::ffff:10.0.0.0/104",
		&u, err, sizeof(err)),
	    0);
	assert_string_equal(u.allow, "::ffff:127.0.0.1,::ffff:10.0.0.0/104");
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), 0);
	assert_string_equal(line,
	    "eve:" HASH ":7:7:/e:0:0:0:0:"
	    "::ffff:127.0.0.1,::ffff:10.0.0.0/104\n");
	user_free(&u);

	/* An old line: no limits. */
	assert_int_equal(
	    userdb_parse_line("eve:x:7:7:/e:0:0", &u, err, sizeof(err)), 0);
	assert_int_equal(u.max_sessions, 0);
	assert_true(u.rate == 0);
	assert_string_equal(u.allow, "");
	user_free(&u);
}

static void
test_format_roundtrip(void **state)
{
	const char *expect = "carol:" HASH ":25000:100:/data/homes/carol:"
			     "18446744073709551615:7\n";
	struct user u, v;
	char line[512], err[256];

	memset(&u, 0, sizeof(u));
	strlcpy(u.name, "carol", sizeof(u.name));
	u.hash = HASH;
	u.uid = 25000;
	u.gid = 100;
	u.home = "/data/homes/carol";
	u.quota_bytes = UINT64_MAX;
	u.quota_files = 7;
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), 0);
	assert_string_equal(line, expect);
	line[strlen(line) - 1] = '\0';
	assert_int_equal(userdb_parse_line(line, &v, err, sizeof(err)), 0);
	assert_string_equal(v.name, u.name);
	assert_string_equal(v.hash, u.hash);
	assert_int_equal(v.uid, u.uid);
	assert_int_equal(v.gid, u.gid);
	assert_string_equal(v.home, u.home);
	assert_true(v.quota_bytes == u.quota_bytes);
	assert_true(v.quota_files == u.quota_files);
	user_free(&v);

	/* Too small a buffer, by one byte (the NUL). */
	assert_int_equal(userdb_format_line(&u, line, strlen(expect)), -1);

	/* Fields that would break the format. */
	u.home = "/a:b";
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.home = "/a\nb";
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.home = "rel";
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.home = "/h";
	u.hash = "a\nb";
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.hash = "a:b";
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.hash = "";
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.hash = HASH;
	u.uid = 0;
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.uid = 1;
	u.gid = 0;
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
	u.gid = 1;
	strlcpy(u.name, "Bad", sizeof(u.name));
	assert_int_equal(userdb_format_line(&u, line, sizeof(line)), -1);
}

/* text must be rejected with exactly the message msg. */
static void
expect_parse_error(const char *text, const char *msg)
{
	struct userdb db;
	char err[256];

	err[0] = '\0';
	assert_int_equal(userdb_parse(&db, text, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
	assert_int_equal(db.n, 0);
	assert_null(db.users);
}

static void
test_parse(void **state)
{
	struct userdb db;
	char err[256];

	assert_int_equal(userdb_parse(&db,
			     "# users\n"
			     "\n"
			     "alice:x:20000:20000:/srv/mftp/alice:0:0\n"
			     "bob:y:20001:20001:/srv/mftp/bob:5:6",
			     err, sizeof(err)),
	    0);
	assert_int_equal(db.n, 2);
	assert_non_null(userdb_find(&db, "alice"));
	assert_int_equal(userdb_find(&db, "bob")->quota_files, 6);
	assert_null(userdb_find(&db, "carol"));
	assert_null(userdb_find(&db, "ali"));
	userdb_free(&db);

	assert_int_equal(userdb_parse(&db, "", err, sizeof(err)), 0);
	assert_int_equal(db.n, 0);
	userdb_free(&db);

	/* Each malformed kind, with its line number. */
	expect_parse_error(
	    "# c\nalice:x:1:1:/h:0\n", "line 2: 6 fields instead of 7 or 10");
	expect_parse_error("a:x:1:1:/h:0:0\n\n\nB:x:1:1:/h:0:0\n",
	    "line 4: invalid user name 'B'");
	expect_parse_error("a:x:1:1:/h:0:0\nb::1:1:/h:0:0\n",
	    "line 2: b: invalid password hash");
	expect_parse_error("\n\nb:x:0:1:/h:0:0\n",
	    "line 3: b: uid '0' is not in 1..2147483646");
	expect_parse_error(
	    "b:x:1:0:/h:0:0\n", "line 1: b: gid '0' is not in 1..2147483646");
	expect_parse_error("#\n#\n#\n#\nb:x:1:1:h:0:0\n",
	    "line 5: b: home 'h' is not an absolute path");
	expect_parse_error("b:x:1:1:/h:x:0\n",
	    "line 1: b: byte quota 'x' is not a decimal number");
	expect_parse_error("\nb:x:1:1:/h:0:-0\n",
	    "line 2: b: file quota '-0' is not a decimal number");
	/*
	 * What a message quotes is shown, control bytes too: a file saved
	 * with DOS line ends must not read "'0' is not a decimal number",
	 * nor an escape sequence reach the terminal or the log.
	 */
	expect_parse_error("b:x:1:1:/h:0:0\r\n",
	    "line 1: b: file quota '0\\r' is not a decimal number");
	expect_parse_error("b:x:1:1:/h\t\x1b[2J:0:0\n",
	    "line 1: b: home '/h\\t\\x1b[2J' is not an absolute path");
	expect_parse_error("b:x:1:1:/h:0:0:0:0:1.2.3.4\r\n",
	    "line 1: b: allow-list: '1.2.3.4\\r' is not an IPv4 or IPv6 "
	    "address");

	/* Duplicates: the second line of the earliest pair is named. */
	expect_parse_error("alice:x:1:1:/h:0:0\n"
			   "bob:x:2:2:/h:0:0\n"
			   "alice:x:3:3:/h:0:0\n"
			   "bob:x:4:4:/h:0:0\n",
	    "line 3: duplicate user 'alice' (first on line 1)");
	expect_parse_error("zed:x:1:1:/h:0:0\n"
			   "bob:x:2:2:/h:0:0\n"
			   "bob:x:4:4:/h:0:0\n"
			   "zed:x:3:3:/h:0:0\n",
	    "line 3: duplicate user 'bob' (first on line 2)");
}

static void
test_parse_long_line(void **state)
{
	struct userdb db;
	char err[256], *text;
	size_t n = MFTP_USERDB_LINE_MAX + 1;

	text = xmalloc(n + 32);
	memcpy(text, "a:x:1:1:/h:0:0\n", 15);
	memset(text + 15, '#', n);
	text[15 + n] = '\0';
	assert_int_equal(userdb_parse(&db, text, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: longer than 8192 bytes");
	/* One byte less is fine. */
	text[15 + n - 1] = '\0';
	assert_int_equal(userdb_parse(&db, text, err, sizeof(err)), 0);
	assert_int_equal(db.n, 1);
	userdb_free(&db);
	free(text);
}

static void
test_add_remove(void **state)
{
	struct userdb db;
	struct user u;
	char err[256];

	assert_int_equal(userdb_parse(&db, "", err, sizeof(err)), 0);
	memset(&u, 0, sizeof(u));
	u.hash = HASH;
	u.home = "/h";
	u.uid = u.gid = 5;
	strlcpy(u.name, "a", sizeof(u.name));
	userdb_add(&db, &u);
	strlcpy(u.name, "b", sizeof(u.name));
	userdb_add(&db, &u);
	strlcpy(u.name, "c", sizeof(u.name));
	userdb_add(&db, &u);
	assert_int_equal(db.n, 3);
	/* Copies, not the caller's strings. */
	assert_ptr_not_equal(userdb_find(&db, "b")->hash, u.hash);
	assert_int_equal(userdb_remove(&db, "b"), 0);
	assert_int_equal(userdb_remove(&db, "b"), -1);
	assert_int_equal(db.n, 2);
	assert_string_equal(db.users[0].name, "a");
	assert_string_equal(db.users[1].name, "c");
	userdb_free(&db);
}

/*
 * userdb_parse_one keeps one user but checks the whole text as
 * userdb_parse does: an error after the user's line, or a duplicate of
 * someone else, is an error all the same, with the same words.
 */
static void
test_parse_one(void **state)
{
	static const char good[] = "a:" HASH ":5:5:/h/a:0:0\n"
				   "# b is in the middle\n"
				   "b:" HASH ":6:7:/h/b:10:20:2:4096:\n"
				   "c:" HASH ":8:8:/h/c:0:0\n";
	static const char dup[] = "a:" HASH ":5:5:/h/a:0:0\n"
				  "b:" HASH ":6:7:/h/b:0:0\n"
				  "a:" HASH ":9:9:/h/a2:0:0\n";
	static const char bad[] = "b:" HASH ":6:7:/h/b:0:0\n"
				  "c:" HASH ":0:8:/h/c:0:0\n";
	struct userdb db;
	struct user u;
	char err[256], err2[256];

	assert_int_equal(userdb_parse_one(good, "b", &u, err, sizeof(err)), 1);
	assert_string_equal(u.name, "b");
	assert_string_equal(u.hash, HASH);
	assert_int_equal(u.uid, 6);
	assert_int_equal(u.gid, 7);
	assert_string_equal(u.home, "/h/b");
	assert_int_equal(u.quota_bytes, 10);
	assert_int_equal(u.quota_files, 20);
	assert_int_equal(u.max_sessions, 2);
	assert_int_equal(u.rate, 4096);
	user_free(&u);
	assert_int_equal(userdb_parse_one(good, "d", &u, err, sizeof(err)), 0);
	assert_null(u.hash);
	assert_int_equal(userdb_parse_one(good, "", &u, err, sizeof(err)), 0);

	/* The user is found before the trouble: still an error. */
	assert_int_equal(userdb_parse_one(dup, "b", &u, err, sizeof(err)), -1);
	assert_null(u.hash);
	assert_int_equal(userdb_parse(&db, dup, err2, sizeof(err2)), -1);
	assert_string_equal(err, err2);
	assert_string_equal(
	    err, "line 3: duplicate user 'a' (first on line 1)");
	assert_int_equal(userdb_parse_one(bad, "b", &u, err, sizeof(err)), -1);
	assert_null(u.hash);
	assert_int_equal(userdb_parse(&db, bad, err2, sizeof(err2)), -1);
	assert_string_equal(err, err2);
}

static char tmpdir[64];

static int
setup_dir(void **state)
{
	strlcpy(tmpdir, "/tmp/test_userdb.XXXXXX", sizeof(tmpdir));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove tmpdir and everything in it (flat). */
static int
teardown_dir(void **state)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static size_t
count_entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	assert_non_null(d = opendir(dir));
	/* Dot files too: the temporary is one (.users.tmp-XXXXXX). */
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_load(void **state)
{
	struct userdb db, db2;
	struct user u;
	struct stat st;
	char path[PATH_MAX], err[256];
	size_t i;

	snprintf(path, sizeof(path), "%s/users", tmpdir);

	/*
	 * A missing file is an error, never an empty database (shared
	 * storage that is not mounted); an empty file is one.
	 */
	errno = 0;
	assert_int_equal(userdb_load(&db, path, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(db.n, 0);
	close(open(path, O_WRONLY | O_CREAT | O_EXCL, 0600));
	assert_int_equal(userdb_load(&db, path, err, sizeof(err)), 0);
	assert_int_equal(db.n, 0);

	memset(&u, 0, sizeof(u));
	u.hash = HASH;
	for (i = 0; i < 50; i++) {
		snprintf(u.name, sizeof(u.name), "user%zu", i);
		u.uid = 20000 + i;
		u.gid = 30000 + i;
		u.home = "/srv/mftp/x";
		u.quota_bytes = i * 1000;
		u.quota_files = UINT64_MAX - i;
		userdb_add(&db, &u);
	}
	/* Even with a loose umask the file is 0600. */
	umask(0);
	assert_int_equal(userdb_write(&db, path), 0);
	umask(022);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(S_ISREG(st.st_mode));
	/* No temporary file is left behind. */
	assert_int_equal(count_entries(tmpdir), 1);

	assert_int_equal(userdb_load(&db2, path, err, sizeof(err)), 0);
	assert_int_equal(db2.n, db.n);
	for (i = 0; i < db.n; i++) {
		assert_string_equal(db2.users[i].name, db.users[i].name);
		assert_string_equal(db2.users[i].hash, db.users[i].hash);
		assert_int_equal(db2.users[i].uid, db.users[i].uid);
		assert_int_equal(db2.users[i].gid, db.users[i].gid);
		assert_string_equal(db2.users[i].home, db.users[i].home);
		assert_true(
		    db2.users[i].quota_bytes == db.users[i].quota_bytes);
		assert_true(
		    db2.users[i].quota_files == db.users[i].quota_files);
	}
	userdb_free(&db2);

	/* Rewriting replaces the file whole. */
	assert_int_equal(userdb_remove(&db, "user7"), 0);
	assert_int_equal(userdb_write(&db, path), 0);
	assert_int_equal(userdb_load(&db2, path, err, sizeof(err)), 0);
	assert_int_equal(db2.n, 49);
	assert_null(userdb_find(&db2, "user7"));
	userdb_free(&db2);

	/* A user that cannot be formatted fails the write and leaves the
	 * old file and no temporary. */
	free(db.users[0].home);
	db.users[0].home = xstrdup("/a:b");
	assert_int_equal(userdb_write(&db, path), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(count_entries(tmpdir), 1);
	assert_int_equal(userdb_load(&db2, path, err, sizeof(err)), 0);
	assert_int_equal(db2.n, 49);
	userdb_free(&db2);
	userdb_free(&db);
}

static void
test_load_errors(void **state)
{
	struct userdb db;
	char path[PATH_MAX], err[512];
	int fd;

	snprintf(path, sizeof(path), "%s/users", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "a:x:1:1:/h:0:0\na:x:1:1:/h:0:0\n", 30), 30);
	close(fd);
	assert_int_equal(userdb_load(&db, path, err, sizeof(err)), -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_non_null(strstr(err, ": line 2: duplicate user 'a'"));

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "a:x:1:1:/h:0:0\n\0", 16), 16);
	close(fd);
	assert_int_equal(userdb_load(&db, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));

	assert_int_equal(userdb_load(&db, tmpdir, err, sizeof(err)), -1);
}

/*
 * A full database takes no more users: what it would write could not be
 * read back, and then no one could log in nor be removed.  At the limit
 * it round-trips; a database over it is not written.
 */
static void
test_full(void **state)
{
	struct userdb db, db2;
	struct user u, *x;
	char path[PATH_MAX], err[256];
	size_t i;

	snprintf(path, sizeof(path), "%s/users", tmpdir);
	assert_int_equal(userdb_parse(&db, "", err, sizeof(err)), 0);
	memset(&u, 0, sizeof(u));
	u.hash = HASH;
	u.home = "/h";
	for (i = 0; i < MFTP_USERDB_USERS_MAX; i++) {
		snprintf(u.name, sizeof(u.name), "u%zu", i);
		u.uid = u.gid = 20000 + i;
		assert_int_equal(userdb_add(&db, &u), 0);
	}
	strlcpy(u.name, "onemore", sizeof(u.name));
	errno = 0;
	assert_int_equal(userdb_add(&db, &u), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(db.n, MFTP_USERDB_USERS_MAX);
	assert_null(userdb_find(&db, "onemore"));

	assert_int_equal(userdb_write(&db, path), 0);
	assert_int_equal(userdb_load(&db2, path, err, sizeof(err)), 0);
	assert_int_equal(db2.n, MFTP_USERDB_USERS_MAX);
	assert_string_equal(db2.users[db2.n - 1].name, db.users[db.n - 1].name);
	userdb_free(&db2);

	/* One put in by hand: the write fails and the file stays. */
	db.users = xreallocarray(db.users, db.n + 1, sizeof(*db.users));
	x = &db.users[db.n++];
	*x = u;
	x->hash = xstrdup(HASH);
	x->home = xstrdup("/h");
	x->allow = xstrdup("");
	errno = 0;
	assert_int_equal(userdb_write(&db, path), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(count_entries(tmpdir), 1);
	assert_int_equal(userdb_load(&db2, path, err, sizeof(err)), 0);
	assert_int_equal(db2.n, MFTP_USERDB_USERS_MAX);
	userdb_free(&db2);
	userdb_free(&db);
}

static void
test_lock(void **state)
{
	char path[PATH_MAX], lockpath[PATH_MAX + 8];
	struct stat st;
	int fd1, fd2;

	snprintf(path, sizeof(path), "%s/users", tmpdir);
	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);

	fd1 = userdb_lock(path, 0);
	assert_true(fd1 != -1);
	assert_int_equal(stat(lockpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(fcntl(fd1, F_GETFD) & FD_CLOEXEC);

	/* OFD locks conflict between open file descriptions, even in one
	 * process. */
	errno = 0;
	fd2 = userdb_lock(path, 0);
	assert_int_equal(fd2, -1);
	assert_int_equal(errno, EWOULDBLOCK);

	close(fd1);
	fd2 = userdb_lock(path, 0);
	assert_true(fd2 != -1);
	close(fd2);

	/* A directory that does not exist: the open fails, errno kept. */
	snprintf(path, sizeof(path), "%s/nodir/users", tmpdir);
	errno = 0;
	assert_int_equal(userdb_lock(path, 0), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_name),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_line_bad),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_long_line),
		cmocka_unit_test(test_add_remove),
		cmocka_unit_test(test_parse_one),
		cmocka_unit_test_setup_teardown(
		    test_write_load, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_load_errors, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_full, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_lock, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
