/*
 * test_quota_tree.c: unit tests for the recount of lib/quota.c: what
 * counts, links never followed, and trees deeper than PATH_MAX with few
 * descriptors.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "quota.h"
#include "quota_fixture.h"
#include "util.h"

/* Deep enough that the path is longer than PATH_MAX. */
#define DEEP_LEVELS 2100

/* Sum check helper: recount tmpdir/rel through a fresh accounting file. */
static int
recount(const char *rel, struct quota_usage *u, char *err, size_t errlen)
{
	char *root = tpath(rel);
	int fd, r;

	fd = quota_open(tmpdir, "acct");
	if (fd == -1) {
		assert_int_equal(quota_create(tmpdir, "acct"), 0);
		fd = quota_open(tmpdir, "acct");
	}
	assert_true(fd != -1);
	r = quota_recount(fd, root, u, err, errlen);
	close(fd);
	free(root);
	return r;
}

static void
test_recount(void **state)
{
	struct quota_usage u;
	char err[512], buf[256], *p;
	int fd;

	make_dir("home");
	make_dir("outside");
	make_sized("outside/big", 1 << 20);
	/* An empty home: nothing. */
	assert_int_equal(recount("home", &u, err, sizeof(err)), 0);
	assert_true(u.bytes == 0 && u.files == 0);

	make_sized("home/a", 100);
	make_sized("home/.hidden", 1);
	make_sized("home/empty", 0);
	make_dir("home/d1");
	make_dir("home/d1/d2");
	make_dir("home/d1/d2/d3");
	make_sized("home/d1/d2/d3/deep", 5000);
	make_sized("home/d1/x", 7);
	make_dir("home/emptydir");
	make_dir("home/emptydir/inner");
	make_sized("home/.f.mftp-part", 12345);
	/* Links count as one entry each and are not followed. */
	p = tpath("home/out");
	assert_int_equal(symlink("../outside", p), 0);
	free(p);
	p = tpath("home/d1/bigfile");
	assert_int_equal(symlink("../../outside/big", p), 0);
	free(p);
	p = tpath("home/dangling");
	assert_int_equal(symlink("nowhere", p), 0);
	free(p);
	p = tpath("home/fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);

	/*
	 * Entries: a .hidden empty d1 d2 d3 deep x emptydir inner part
	 * out bigfile dangling fifo = 15; bytes 100+1+5000+7+12345, and
	 * a fixed amount for each directory (d1 d2 d3 emptydir inner) and
	 * link (out bigfile dangling); the fifo counts for none.
	 */
	assert_int_equal(recount("home", &u, err, sizeof(err)), 0);
	assert_true(u.bytes ==
	    100 + 1 + 5000 + 7 + 12345 + (5 + 3) * QUOTA_ENTRY_BYTES);
	assert_int_equal(u.files, 15);
	assert_int_equal(read_file("acct", buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_memory_equal(buf,
	    "MFTPQ1 00000000000000050221 00000000000000000015\n",
	    QUOTA_LINE_LEN);

	/* A corrupt file, longer than a line, is repaired. */
	write_file("acct",
	    "junk junk junk junk junk junk junk junk junk "
	    "junk junk junk junk\n",
	    65);
	assert_int_equal(recount("home", NULL, err, sizeof(err)), 0);
	assert_int_equal(read_file("acct", buf, sizeof(buf)), QUOTA_LINE_LEN);
	assert_memory_equal(buf,
	    "MFTPQ1 00000000000000050221 00000000000000000015\n",
	    QUOTA_LINE_LEN);
	/* And an empty one. */
	write_file("acct", "", 0);
	fd = quota_open(tmpdir, "acct");
	assert_int_equal(quota_read(fd, &u), QUOTA_ERR_CORRUPT);
	p = tpath("home");
	assert_int_equal(quota_recount(fd, p, &u, err, sizeof(err)), 0);
	free(p);
	expect_usage(fd, 50221, 15);
	close(fd);

	/* The root must be a directory, not a link to one. */
	p = tpath("homelink");
	assert_int_equal(symlink("home", p), 0);
	free(p);
	assert_int_equal(recount("homelink", &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "homelink"));
	assert_int_equal(recount("missing", &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing"));
	assert_non_null(strstr(err, strerror(ENOENT)));
	/* A failed recount leaves the file as it was. */
	expect_usage(fd = quota_open(tmpdir, "acct"), 50221, 15);
	close(fd);
}

/*
 * A tree deeper than PATH_MAX and than the descriptor limit: the walk
 * holds a few descriptors, not one per level.
 */
static void
test_recount_deep(void **state)
{
	struct rlimit old, low;
	struct quota_usage u;
	char err[512], *p;
	int fd, cfd, i;

	make_dir("deep");
	p = tpath("deep");
	fd = open(p, O_RDONLY | O_DIRECTORY);
	free(p);
	assert_true(fd != -1);
	for (i = 0; i < DEEP_LEVELS; i++) {
		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		cfd = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(cfd != -1);
		close(fd);
		fd = cfd;
	}
	cfd = openat(fd, "f", O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(cfd, "xyz", 3), 3);
	close(cfd);

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	i = recount("deep", &u, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	if (i != 0)
		fail_msg("recount: %s", err);
	assert_int_equal(u.files, DEEP_LEVELS + 1);
	assert_int_equal(u.bytes, 3 + DEEP_LEVELS * QUOTA_ENTRY_BYTES);

	/* Remove the chain from the bottom up (nftw cannot: PATH_MAX). */
	for (i = 0; i < DEEP_LEVELS; i++) {
		cfd = openat(fd, "..", O_RDONLY | O_DIRECTORY);
		assert_true(cfd != -1);
		if (i == 0)
			assert_int_equal(unlinkat(fd, "f", 0), 0);
		close(fd);
		fd = cfd;
		assert_int_equal(unlinkat(fd, "d", AT_REMOVEDIR), 0);
	}
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_recount, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_recount_deep, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
