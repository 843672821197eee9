/*
 * test_allowlist.c: unit tests for the allowed networks
 * (lib/allowlist.c) and the session slots (lib/slots.c).
 *
 * Allow-lists: parse and canonical form (host bits cleared, full-length
 * prefixes dropped, IPv6 compressed), every kind of bad entry, and
 * matching, IPv4 seen as IPv4-mapped IPv6 included.  Slots: max locks
 * can be held at once, one more is EUSERS, closing a holder frees its
 * slot, sessions beyond a lowered limit still count, and slots_count
 * sees what is held.
 */
#include <sys/stat.h>
#include <sys/wait.h>

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

#include "allowlist.h"
#include "log.h"
#include "mftp_limits.h"
#include "slots.h"

void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

/* text parses, and its canonical form is want. */
static void
assert_canonical(const char *text, const char *want)
{
	struct allowlist l;
	char err[256], out[MFTP_ALLOW_TEXT_MAX + 1];

	if (allowlist_parse(text, &l, err, sizeof(err)) != 0)
		fail_msg("\"%s\" refused: %s", text, err);
	assert_int_equal(allowlist_format(&l, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
assert_bad(const char *text, const char *why)
{
	struct allowlist l;
	char err[256] = "";

	if (allowlist_parse(text, &l, err, sizeof(err)) != -1)
		fail_msg("\"%s\" accepted", text);
	if (strstr(err, why) == NULL)
		fail_msg("\"%s\": \"%s\", expected \"%s\"", text, err, why);
}

static void
test_parse_format(void **state)
{
	char big[MFTP_ALLOW_TEXT_MAX + 64];
	int i;

	(void)state;
	assert_canonical("", "");
	assert_canonical("127.0.0.2", "127.0.0.2");
	assert_canonical("127.0.0.2/32", "127.0.0.2");
	assert_canonical("10.1.2.3/16", "10.1.0.0/16");
	assert_canonical("10.1.2.3/0", "0.0.0.0/0");
	assert_canonical("192.0.2.129/25", "192.0.2.128/25");
	assert_canonical("2001:DB8:0:0::1/128", "2001:db8::1");
	assert_canonical("2001:db8:ffff::/33", "2001:db8:8000::/33");
	/*
	 * An IPv4-mapped network is matched as the IPv4 one (test_match),
	 * and kept as written: users files of earlier versions hold it so.
	 */
	assert_canonical("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	assert_canonical("::ffff:192.0.2.1/128", "::ffff:192.0.2.1");
	assert_canonical("::ffff:192.0.2.7/120", "::ffff:192.0.2.0/120");
	assert_canonical("::ffff:0.0.0.0/96", "::ffff:0.0.0.0/96");
	assert_canonical(
	    "127.0.0.2,10.0.0.0/8,::1", "127.0.0.2,10.0.0.0/8,::1");

	assert_bad("300.1.1.1", "'300.1.1.1' is not an IPv4 or IPv6 address");
	assert_bad("localhost", "not an IPv4 or IPv6 address");
	assert_bad("10.0.0.0/33", "prefix length is not a number from 0 to 32");
	assert_bad("::/129", "from 0 to 128");
	assert_bad("10.0.0.0/", "prefix length");
	assert_bad("10.0.0.0/-1", "prefix length");
	assert_bad("10.0.0.0/8/8", "prefix length");
	assert_bad("10.0.0.1,", "'' is not an address");
	assert_bad(",10.0.0.1", "'' is not an address");
	assert_bad("10.0.0.1 ", "not an IPv4 or IPv6 address");
	/* Seventeen networks: one too many. */
	big[0] = '\0';
	for (i = 0; i < MFTP_ALLOW_MAX + 1; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
		    "%s10.0.0.%d", i > 0 ? "," : "", i);
	assert_bad(big, "more than 16 networks");
}

static int
matches(const char *list, const char *addr)
{
	struct allowlist l;
	char err[256];

	assert_int_equal(allowlist_parse(list, &l, err, sizeof(err)), 0);
	return allowlist_match(&l, addr);
}

static void
test_match(void **state)
{
	(void)state;
	assert_true(matches("", "192.0.2.9"));
	assert_true(matches("", "2001:db8::9"));
	assert_true(matches("127.0.0.2", "127.0.0.2"));
	assert_false(matches("127.0.0.2", "127.0.0.1"));
	assert_true(matches("10.1.0.0/16", "10.1.255.254"));
	assert_false(matches("10.1.0.0/16", "10.2.0.1"));
	assert_true(matches("192.0.2.128/25", "192.0.2.200"));
	assert_false(matches("192.0.2.128/25", "192.0.2.127"));
	assert_true(matches("0.0.0.0/0", "203.0.113.1"));
	assert_false(matches("0.0.0.0/0", "2001:db8::1"));
	/* An IPv4 client on an IPv6 socket. */
	assert_true(matches("127.0.0.2", "::ffff:127.0.0.2"));
	assert_false(matches("127.0.0.2", "::ffff:127.0.0.1"));
	/* ... and an entry written in that form matches it either way. */
	assert_true(matches("::ffff:192.0.2.7", "192.0.2.7"));
	assert_true(matches("::ffff:192.0.2.7", "::ffff:192.0.2.7"));
	assert_true(matches("::ffff:192.0.2.0/120", "192.0.2.200"));
	assert_false(matches("::ffff:192.0.2.0/120", "192.0.3.1"));
	/* An IPv6 network never takes in an IPv4 client, in either form. */
	assert_false(matches("::/0", "192.0.2.7"));
	assert_false(matches("::/0", "::ffff:192.0.2.7"));
	assert_true(matches("::/0", "2001:db8::7"));
	assert_true(matches("2001:db8::/32", "2001:db8:1::5"));
	assert_false(matches("2001:db8::/32", "2001:db9::5"));
	assert_false(matches("127.0.0.1", "not an address"));
	assert_true(matches("10.0.0.1,127.0.0.0/8", "127.9.9.9"));
}

static void
test_slots(void **state)
{
	char dir[] = "/tmp/test_slots.XXXXXX", *sub, *path;
	unsigned int slot;
	int a, b, c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* A missing directory is not made (its storage may not be mounted). */
	assert_true(asprintf(&sub, "%s/sessions", dir) > 0);
	errno = 0;
	assert_int_equal(slots_count(sub, "alice"), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(slots_take(sub, "alice", 2, &slot), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(access(sub, F_OK), -1);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(slots_count(sub, "alice"), 0);
	assert_true((a = slots_take(sub, "alice", 2, &slot)) >= 0);
	assert_int_equal(slot, 0);
	assert_true((b = slots_take(sub, "alice", 2, &slot)) >= 0);
	assert_int_equal(slot, 1);
	assert_int_equal(slots_count(sub, "alice"), 2);
	errno = 0;
	assert_int_equal(slots_take(sub, "alice", 2, &slot), -1);
	assert_int_equal(errno, EUSERS);
	/* Another user's slots are its own. */
	assert_true((c = slots_take(sub, "bob", 1, &slot)) >= 0);
	close(c);
	/* A holder gone frees its slot, and only that one. */
	close(a);
	assert_int_equal(slots_count(sub, "alice"), 1);
	assert_true((a = slots_take(sub, "alice", 2, &slot)) >= 0);
	assert_int_equal(slot, 0);
	/*
	 * A limit lowered to 1 while two run: no new session until both
	 * have ended, though slot 0 is free after the first.
	 */
	assert_int_equal(slots_take(sub, "alice", 1, &slot), -1);
	close(a);
	assert_int_equal(slots_take(sub, "alice", 1, &slot), -1);
	assert_int_equal(errno, EUSERS);
	close(b);
	assert_int_equal(slots_count(sub, "alice"), 0);
	assert_true((a = slots_take(sub, "alice", 1, &slot)) >= 0);
	assert_int_equal(slot, 0);
	close(a);

	assert_true(asprintf(&path, "%s/alice", sub) > 0);
	unlink(path);
	free(path);
	assert_true(asprintf(&path, "%s/bob", sub) > 0);
	unlink(path);
	free(path);
	rmdir(sub);
	free(sub);
	rmdir(dir);
}

/*
 * The count and the take are one step: while another login holds the
 * gate (one byte past the slots), slots_take waits.  Without it, two
 * logins after a lowered limit could both count the same held slots,
 * then both take one: one session more than the limit.  A gate kept
 * for good refuses the login after a second instead of hanging it.
 */
static void
test_slots_gate(void **state)
{
	char dir[] = "/tmp/test_slots.XXXXXX", *path;
	struct flock fl;
	unsigned int slot;
	int gate, status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/carol", dir) > 0);
	assert_true((gate = open(path, O_RDWR | O_CREAT, 0600)) >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = MFTP_USER_SESSIONS_MAX;
	fl.l_len = 1;
	assert_int_equal(fcntl(gate, F_OFD_SETLK, &fl), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		alarm(10);
		_exit(slots_take(dir, "carol", 2, &slot) >= 0 ? 0 : 1);
	}
	/* Still waiting for the gate a while later. */
	usleep(300 * 1000);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(gate, F_OFD_SETLK, &fl), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* A gate never let go: refused (EBUSY) after a second, not hung. */
	fl.l_type = F_WRLCK;
	assert_int_equal(fcntl(gate, F_OFD_SETLK, &fl), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		alarm(10);
		_exit(
		    slots_take(dir, "carol", 2, &slot) == -1 && errno == EBUSY ?
			0 :
			1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(gate);
	unlink(path);
	free(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_slots_gate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
