/*
 * test_config.c: unit tests for lib/config.c (mftpd.conf parsing).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "proto.h"
#include "util.h"

/* Parse text over the defaults; returns config_parse's result. */
static int
parse(struct config *c, const char *text, char *err, size_t errlen)
{
	config_defaults(c);
	err[0] = '\0';
	return config_parse(c, "t.conf", text, err, errlen);
}

/* text must be rejected with a message starting with prefix. */
static void
expect_error(const char *text, const char *prefix)
{
	struct config c;
	char err[256];

	assert_int_equal(parse(&c, text, err, sizeof(err)), -1);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("for \"%s\": got \"%s\", expected \"%s...\"", text,
		    err, prefix);
	config_free(&c);
}

static void
test_defaults(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(c.nlisten, 2);
	assert_string_equal(c.listen[0], "0.0.0.0");
	assert_string_equal(c.listen[1], "::");
	assert_int_equal(c.port, 2121);
	assert_int_equal(c.max_sessions, 200);
	assert_int_equal(c.max_sessions_per_ip, 20);
	assert_int_equal(c.max_sessions_per_user, 20);
	/* A user's own limit counts, above or below the server's. */
	assert_int_equal(config_session_limit(&c, 0), 20);
	assert_int_equal(config_session_limit(&c, 3), 3);
	assert_int_equal(config_session_limit(&c, 40), 40);
	assert_int_equal(c.login_timeout, 30);
	assert_int_equal(c.idle_timeout, 900);
	assert_int_equal(c.keepalive, 120);
	assert_string_equal(c.users_file, MFTP_SYSCONFDIR "/mftp/users");
	assert_string_equal(c.quota_dir, "/var/lib/mftp/quota");
	assert_string_equal(c.home_base, "/srv/mftp");
	assert_string_equal(c.preauth_user, "_mftp");
	assert_string_equal(c.preauth_chroot, "/run/mftpd/empty");
	assert_string_equal(c.pid_file, "/run/mftpd/mftpd.pid");
	assert_string_equal(c.auth_helper, MFTP_AUTH_HELPER);
	assert_int_equal(c.uid_min, 20000);
	assert_int_equal(c.uid_max, 29999);
	assert_int_equal(c.password_min, 8);
	assert_int_equal(c.verify, MFTP_DIGEST_XXH128);
	config_free(&c);
	/* Freeing twice is harmless: config_free clears the struct. */
	config_free(&c);
}

static void
test_every_key(void **state)
{
	struct config c;
	char err[256];
	const char *text = "# a comment\n"
			   "\n"
			   "listen = 127.0.0.1 ::1\t192.0.2.7\n"
			   "  port=2222  \n"
			   "max_sessions = 10 # trailing comment\n"
			   "max_sessions_per_ip = 3\n"
			   "max_sessions_per_user = 10000\n"
			   "login_timeout = 5\n"
			   "idle_timeout = 86400\n"
			   "keepalive = 65535\n"
			   "users_file = /tmp/u\n"
			   "quota_dir = /tmp/q\n"
			   "home_base = /tmp/h\n"
			   "preauth_user = nobody\n"
			   "preauth_chroot = /tmp/empty\n"
			   "pid_file = /tmp/p.pid\n"
			   "auth_helper = /tmp/auth\r\n"
			   "uid_min = 1\n"
			   "uid_max = 2147483646\n"
			   "password_min_length = 511\n"
			   "verify = SHA256";

	assert_int_equal(parse(&c, text, err, sizeof(err)), 0);
	assert_int_equal(c.nlisten, 3);
	assert_string_equal(c.listen[0], "127.0.0.1");
	assert_string_equal(c.listen[1], "::1");
	assert_string_equal(c.listen[2], "192.0.2.7");
	assert_int_equal(c.port, 2222);
	assert_int_equal(c.max_sessions, 10);
	assert_int_equal(c.max_sessions_per_ip, 3);
	assert_int_equal(c.max_sessions_per_user, 10000);
	assert_int_equal(c.login_timeout, 5);
	assert_int_equal(c.idle_timeout, 86400);
	assert_int_equal(c.keepalive, 65535);
	assert_string_equal(c.users_file, "/tmp/u");
	assert_string_equal(c.quota_dir, "/tmp/q");
	assert_string_equal(c.home_base, "/tmp/h");
	assert_string_equal(c.preauth_user, "nobody");
	assert_string_equal(c.preauth_chroot, "/tmp/empty");
	assert_string_equal(c.pid_file, "/tmp/p.pid");
	assert_string_equal(c.auth_helper, "/tmp/auth");
	assert_int_equal(c.uid_min, 1);
	assert_int_equal(c.uid_max, 2147483646);
	assert_int_equal(c.password_min, 511);
	assert_int_equal(c.verify, MFTP_DIGEST_SHA256);
	config_free(&c);
}

static void
test_empty_and_override(void **state)
{
	struct config c;
	char err[256];

	assert_int_equal(parse(&c, "", err, sizeof(err)), 0);
	assert_int_equal(c.port, 2121);
	config_free(&c);

	/* A later line wins; a later listen replaces the whole list. */
	assert_int_equal(parse(&c,
			     "port = 1\nport = 65535\nlisten = ::1\n"
			     "listen = 10.0.0.1\n",
			     err, sizeof(err)),
	    0);
	assert_int_equal(c.port, 65535);
	assert_int_equal(c.nlisten, 1);
	assert_string_equal(c.listen[0], "10.0.0.1");
	config_free(&c);

	/* Eight addresses are the most. */
	assert_int_equal(parse(&c,
			     "listen = 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 "
			     "10.0.0.5 10.0.0.6 10.0.0.7 ::1\n",
			     err, sizeof(err)),
	    0);
	assert_int_equal(c.nlisten, MFTP_LISTEN_MAX);
	config_free(&c);
}

/*
 * A directory is kept without its trailing '/'s, "/" as "/": its files
 * are named "dir/name" (the tools' messages, the log), and
 * "/srv/mftp/quota/" gave "/srv/mftp/quota//bob".  A file's path is
 * kept as written.  path_join (util.h) joins with one '/' as well.
 */
static void
test_dir_trailing_slash(void **state)
{
	struct config c;
	char err[256], *p;

	(void)state;
	assert_int_equal(parse(&c,
			     "quota_dir = /srv/q/\nsession_dir = /srv/s//\n"
			     "home_base = /\npreauth_chroot = ///\n"
			     "users_file = /etc/u/\n",
			     err, sizeof(err)),
	    0);
	assert_string_equal(c.quota_dir, "/srv/q");
	assert_string_equal(c.session_dir, "/srv/s");
	assert_string_equal(c.home_base, "/");
	assert_string_equal(c.preauth_chroot, "/");
	assert_string_equal(c.users_file, "/etc/u/");
	config_free(&c);

	/*
	 * A blank before the trailing '/' would end the name once the '/'
	 * is dropped: a directory this file cannot name (its values lose
	 * their blanks at the ends), most likely a slip; refused, saying so.
	 */
	expect_error("quota_dir = /srv/q /\n",
	    "t.conf:1: quota_dir: '/srv/q /' ends in a blank once its "
	    "trailing '/' is dropped");
	expect_error("home_base = / //\n", "t.conf:1: home_base: '/ //' ends");
	expect_error("session_dir = /s\t/\n", "t.conf:1: session_dir:");
	expect_error("preauth_chroot = /e\r/\n", "t.conf:1: preauth_chroot:");
	assert_int_equal(
	    parse(&c, "quota_dir = /srv/my q/\n", err, sizeof(err)), 0);
	assert_string_equal(c.quota_dir, "/srv/my q");
	config_free(&c);

	assert_string_equal(p = path_join("/srv/q/", "bob"), "/srv/q/bob");
	free(p);
	assert_string_equal(p = path_join("/srv/q", "bob"), "/srv/q/bob");
	free(p);
	assert_string_equal(p = path_join("/", "bob"), "/bob");
	free(p);
}

static void
test_unknown_key(void **state)
{
	expect_error("port = 1\n\nfoo = bar\n", "t.conf:3: unknown key 'foo'");
	expect_error("Port = 1\n", "t.conf:1: unknown key 'Port'");
	expect_error("= 1\n", "t.conf:1: missing key");
}

static void
test_missing_equals(void **state)
{
	expect_error("port = 1\nport 2\n", "t.conf:2: missing '='");
	expect_error("# x\n# y\nlisten\n", "t.conf:3: missing '='");
}

static void
test_bad_value(void **state)
{
	expect_error("port = abc\n", "t.conf:1: port: 'abc' is invalid");
	expect_error("port = 12x\n", "t.conf:1: port: '12x' is invalid");
	expect_error("port = +2121\n", "t.conf:1: port: '+2121' is invalid");
	expect_error("port = - 1\n", "t.conf:1: port: '- 1' is invalid");
	expect_error("port = -1\n", "t.conf:1: port: '-1' is too small");
	expect_error("port =\n", "t.conf:1: port: missing value");
	expect_error("\nport = \"21\"\n", "t.conf:2: port: '\"21\"'");
	expect_error("\n\nusers_file = etc/users\n",
	    "t.conf:3: users_file: 'etc/users' is not an absolute path");
	expect_error("pid_file = run.pid\n", "t.conf:1: pid_file:");
	expect_error("home_base = ~/x\n", "t.conf:1: home_base:");
	expect_error("quota_dir = q\n", "t.conf:1: quota_dir:");
	expect_error("preauth_chroot = x\n", "t.conf:1: preauth_chroot:");
	expect_error("auth_helper = x\n", "t.conf:1: auth_helper:");
	expect_error("preauth_user = -x\n", "t.conf:1: preauth_user:");
	expect_error("preauth_user = a b\n", "t.conf:1: preauth_user:");
	expect_error("listen = localhost\n",
	    "t.conf:1: listen: 'localhost' is not a numeric");
	expect_error(
	    "listen = 1.2.3.4 1.2.3.256\n", "t.conf:1: listen: '1.2.3.256'");
	expect_error("listen = ::1 ::1\n", "t.conf:1: listen: '::1' given");
	/* The same address however it is written: bind would fail. */
	expect_error(
	    "listen = ::1 0:0::1\n", "t.conf:1: listen: '0:0::1' given twice");
	expect_error(
	    "listen = 0.0.0.0 :: ::0\n", "t.conf:1: listen: '::0' given twice");
	expect_error("listen = 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 "
		     "10.0.0.5 10.0.0.6 10.0.0.7 ::1 ::2\n",
	    "t.conf:1: listen: more than 8");
}

/*
 * An IPv4-mapped IPv6 address is the IPv4 address it maps, as everywhere
 * else: an IPv6 socket is IPv6-only here, and bind refuses such an
 * address on it, so the file that the check passed would not start.
 */
static void
test_listen_mapped(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(
	    parse(&c, "listen = ::ffff:127.0.0.1 ::1\n", err, sizeof(err)), 0);
	assert_int_equal(c.nlisten, 2);
	assert_string_equal(c.listen[0], "127.0.0.1");
	assert_string_equal(c.listen[1], "::1");
	config_free(&c);
	assert_int_equal(
	    parse(&c, "listen = ::FFFF:0.0.0.0 ::\n", err, sizeof(err)), 0);
	assert_string_equal(c.listen[0], "0.0.0.0");
	config_free(&c);
	expect_error("listen = 127.0.0.1 ::ffff:127.0.0.1\n",
	    "t.conf:1: listen: '::ffff:127.0.0.1' given twice");
	expect_error("listen = ::ffff:7f00:1 127.0.0.1\n",
	    "t.conf:1: listen: '127.0.0.1' given twice");
}

/* One text for one address: what a reload compares (mftpd.c). */
static void
test_listen_canonical(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(parse(&c, "listen = 0:0::1 2001:DB8:0:0::7 0000::\n",
			     err, sizeof(err)),
	    0);
	assert_int_equal(c.nlisten, 3);
	assert_string_equal(c.listen[0], "::1");
	assert_string_equal(c.listen[1], "2001:db8::7");
	assert_string_equal(c.listen[2], "::");
	config_free(&c);
}

static void
test_out_of_range(void **state)
{
	expect_error("port = 0\n", "t.conf:1: port: '0' is too small");
	expect_error(
	    "\nport = 65536\n", "t.conf:2: port: '65536' is too large");
	expect_error("max_sessions = 0\n", "t.conf:1: max_sessions:");
	expect_error("max_sessions = 100001\n", "t.conf:1: max_sessions:");
	expect_error(
	    "max_sessions_per_ip = 0\n", "t.conf:1: max_sessions_per_ip:");
	expect_error(
	    "max_sessions_per_user = 0\n", "t.conf:1: max_sessions_per_user:");
	expect_error("max_sessions_per_user = 10001\n",
	    "t.conf:1: max_sessions_per_user:");
	expect_error("login_timeout = 0\n", "t.conf:1: login_timeout:");
	expect_error("idle_timeout = 86401\n", "t.conf:1: idle_timeout:");
	/* TCP_KEEPIDLE and TCP_KEEPINTVL take at most 32767 s: half of
	 * more could not be set on any connection. */
	expect_error("keepalive = 65536\n", "t.conf:1: keepalive:");
	expect_error("uid_min = 0\n", "t.conf:1: uid_min: '0' is too small");
	expect_error("uid_max = 2147483647\n",
	    "t.conf:1: uid_max: '2147483647' is too large");
	/* No password is shorter than 1 or longer than MFTP_SECRET_MAX. */
	expect_error("password_min_length = 0\n",
	    "t.conf:1: password_min_length: '0' is too small");
	expect_error("password_min_length = 512\n",
	    "t.conf:1: password_min_length: '512' is too large");
	expect_error("uid_min = 99999999999999999999\n", "t.conf:1: uid_min:");
	expect_error("\nuid_min = 30000\n",
	    "t.conf:2: uid_min (30000) is greater than uid_max (29999)");
	expect_error("uid_max = 100\n", "t.conf:1: uid_min (20000)");
	expect_error("verify = md5\n",
	    "t.conf:1: verify: 'md5' is not xxh128 or sha256");
}

static void
test_long_line(void **state)
{
	struct config c;
	char err[256], *text;

	/* "#" and padding: exactly MFTP_CONFIG_LINE_MAX bytes is fine. */
	text = xmalloc(MFTP_CONFIG_LINE_MAX + 16);
	memset(text, ' ', MFTP_CONFIG_LINE_MAX + 16);
	memcpy(text, "port = 1\n#", 10);
	text[9 + MFTP_CONFIG_LINE_MAX] = '\0';
	assert_int_equal(parse(&c, text, err, sizeof(err)), 0);
	config_free(&c);

	text[9 + MFTP_CONFIG_LINE_MAX] = ' ';
	text[10 + MFTP_CONFIG_LINE_MAX] = '\n';
	text[11 + MFTP_CONFIG_LINE_MAX] = '\0';
	expect_error(text, "t.conf:2: line longer than 1024 bytes");
	free(text);
}

static void
test_failure_keeps_config(void **state)
{
	struct config c;
	char err[256];

	config_defaults(&c);
	assert_int_equal(
	    config_parse(&c, "t.conf", "port = 7\nlisten = ::1\nbogus\n", err,
		sizeof(err)),
	    -1);
	assert_int_equal(c.port, 2121);
	assert_int_equal(c.nlisten, 2);
	assert_string_equal(c.listen[1], "::");
	config_free(&c);
}

static void
test_small_err_buffer(void **state)
{
	struct config c;
	char err[8];

	memset(err, 'x', sizeof(err));
	config_defaults(&c);
	assert_int_equal(
	    config_parse(&c, "a-long-file-name.conf", "x\n", err, sizeof(err)),
	    -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(config_parse(&c, "t.conf", "x\n", NULL, 0), -1);
	config_free(&c);
}

static void
test_load(void **state)
{
	struct config c;
	char dir[] = "/tmp/test_config.XXXXXX", path[64], err[256];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mftpd.conf", dir);

	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	config_free(&c);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "port = 3\n", 9), 9);
	close(fd);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.port, 3);
	assert_int_equal(c.idle_timeout, 900);
	config_free(&c);

	/* Errors name the file. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "port = 3\nport = x\n", 18), 18);
	close(fd);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_non_null(strstr(err, ":2: port:"));
	config_free(&c);

	/* A NUL byte would silently cut the text short: refused, naming
	 * its line as every other error does. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "port = 3\nport = 4\0x\n", 20), 20);
	close(fd);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_string_equal(err + strlen(path), ":2: contains a NUL byte");
	config_free(&c);

	/* A directory is not a configuration file. */
	assert_int_equal(config_load(&c, dir, err, sizeof(err)), -1);
	config_free(&c);

	unlink(path);
	rmdir(dir);
}

/* proxy_protocol_from: addresses and prefixes, commas or blanks. */
static void
test_proxy_from(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.nproxy_from, 0);
	assert_int_equal(c.proxy_timeout, 5);
	config_free(&c);
	assert_int_equal(parse(&c,
			     "proxy_protocol_from = 10.0.0.5, 10.0.1.0/24 "
			     "2001:db8::/32\nproxy_protocol_timeout = 2\n",
			     err, sizeof(err)),
	    0);
	assert_int_equal(c.nproxy_from, 3);
	assert_int_equal(c.proxy_from[0].family, AF_INET);
	assert_int_equal(c.proxy_from[0].prefix, 32);
	assert_int_equal(c.proxy_from[1].prefix, 24);
	assert_int_equal(c.proxy_from[2].family, AF_INET6);
	assert_int_equal(c.proxy_from[2].prefix, 32);
	assert_int_equal(c.proxy_timeout, 2);
	config_free(&c);
	assert_int_equal(parse(&c,
			     "proxy_protocol_from = 10.0.0.5\n"
			     "proxy_protocol_from = none\n",
			     err, sizeof(err)),
	    0);
	assert_int_equal(c.nproxy_from, 0);
	config_free(&c);
	expect_error("proxy_protocol_from = lb1\n",
	    "t.conf:1: proxy_protocol_from: 'lb1' is not");
	expect_error("proxy_protocol_from = 10.0.0.1/8\n",
	    "t.conf:1: proxy_protocol_from: '10.0.0.1/8'");
	expect_error("proxy_protocol_from = ,\n",
	    "t.conf:1: proxy_protocol_from: no address");
	expect_error("proxy_protocol_from = 10.0.0.5, 0.0.0.0/0\n",
	    "t.conf:1: proxy_protocol_from: '0.0.0.0/0' lists every address");
	expect_error("proxy_protocol_from = ::/0\n",
	    "t.conf:1: proxy_protocol_from: '::/0' lists every address");
	expect_error("proxy_protocol_from = ::ffff:0.0.0.0/96\n",
	    "t.conf:1: proxy_protocol_from: '::ffff:0.0.0.0/96' lists every");
	expect_error("proxy_protocol_from = 1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 "
		     "1.1.1.5 1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 "
		     "1.1.1.11 1.1.1.12 1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 "
		     "1.1.1.17\n",
	    "t.conf:1: proxy_protocol_from: more than 16");
	expect_error("proxy_protocol_timeout = 0\n",
	    "t.conf:1: proxy_protocol_timeout:");
	expect_error("proxy_protocol_timeout = 61\n",
	    "t.conf:1: proxy_protocol_timeout:");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_empty_and_override),
		cmocka_unit_test(test_dir_trailing_slash),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_missing_equals),
		cmocka_unit_test(test_bad_value),
		cmocka_unit_test(test_listen_mapped),
		cmocka_unit_test(test_listen_canonical),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_failure_keeps_config),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_proxy_from),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
