/*
 * quota_fixture.c: what the accounting-file unit tests share: a temporary
 * directory per test and small file helpers.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "quota.h"
#include "quota_fixture.h"
#include "util.h"

char tmpdir[PATH_MAX];

const char zero_line[] = "MFTPQ1 00000000000000000000 00000000000000000000\n";

int
setup_dir(void **state)
{
	strlcpy(tmpdir, "/tmp/test_quota.XXXXXX", sizeof(tmpdir));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) == -1 ? -1 : 0;
}

int
teardown_dir(void **state)
{
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* tmpdir/rel */
char *
tpath(const char *rel)
{
	char *p;

	xasprintf(&p, "%s/%s", tmpdir, rel);
	return p;
}

void
write_file(const char *rel, const void *data, size_t len)
{
	char *p = tpath(rel);
	int fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	free(p);
}

/* Read the whole accounting file (up to 256 bytes). */
size_t
read_file(const char *rel, char *buf, size_t size)
{
	char *p = tpath(rel);
	ssize_t n;
	int fd;

	fd = open(p, O_RDONLY);
	assert_true(fd != -1);
	n = read(fd, buf, size);
	assert_true(n >= 0);
	close(fd);
	free(p);
	return (size_t)n;
}

void
make_dir(const char *rel)
{
	char *p = tpath(rel);

	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
}

/* A file of size bytes, written sparse. */
void
make_sized(const char *rel, off_t size)
{
	char *p = tpath(rel);
	int fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
	free(p);
}

int
open_new(const char *name)
{
	int fd;

	assert_int_equal(quota_create(tmpdir, name), 0);
	fd = quota_open(tmpdir, name);
	assert_true(fd != -1);
	return fd;
}

void
expect_usage(int fd, uint64_t bytes, uint64_t files)
{
	struct quota_usage u;

	assert_int_equal(quota_read(fd, &u), 0);
	assert_true(u.bytes == bytes);
	assert_true(u.files == files);
}

int
try_lock(int fd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_SETLK, &fl);
}
