/*
 * test_samefs.c: unit tests for lib/samefs.c: what it fills in is what
 * fstatat fills in, links are not followed, and an entry of another file
 * system is told apart.  (A bind mount needs root: t_home_mounts.sh.)
 */
#include <sys/types.h>
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

#include "samefs.h"

static char tmpdir[] = "/tmp/test_samefs.XXXXXX";

static int
setup(void **state)
{
	char path[256];
	int fd;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0640)) == -1 ||
	    write(fd, "twelve bytes", 12) != 12 || close(fd) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	if (mkdir(path, 0750) == -1)
		return -1;
	/* A link to another file system: looked at, never followed. */
	snprintf(path, sizeof(path), "%s/link", tmpdir);
	return symlink("/proc", path);
}

static int
teardown(void **state)
{
	const char *names[] = { "file", "dir", "link" };
	char path[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		if (strcmp(names[i], "dir") == 0)
			rmdir(path);
		else
			unlink(path);
	}
	return rmdir(tmpdir);
}

static void
assert_same_stat(const struct stat *a, const struct stat *b)
{
	assert_true(a->st_dev == b->st_dev);
	assert_true(a->st_ino == b->st_ino);
	assert_int_equal(a->st_mode, b->st_mode);
	assert_int_equal(a->st_nlink, b->st_nlink);
	assert_int_equal(a->st_uid, b->st_uid);
	assert_int_equal(a->st_gid, b->st_gid);
	assert_true(a->st_rdev == b->st_rdev);
	assert_int_equal(a->st_size, b->st_size);
	assert_int_equal(a->st_blocks, b->st_blocks);
	assert_int_equal(a->st_mtim.tv_sec, b->st_mtim.tv_sec);
	assert_int_equal(a->st_mtim.tv_nsec, b->st_mtim.tv_nsec);
	assert_int_equal(a->st_ctim.tv_sec, b->st_ctim.tv_sec);
}

/* Each entry, and the directory itself by its descriptor, as fstatat. */
static void
test_as_fstatat(void **state)
{
	const char *names[] = { "file", "dir", "link", "" };
	struct samefs on;
	struct stat got, want;
	size_t i;
	int dfd;

	(void)state;
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd != -1);
	assert_int_equal(samefs_of(dfd, &on), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(samefs_statat(dfd, names[i], &on, &got), 1);
		assert_int_equal(fstatat(dfd, names[i], &want,
				     AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH),
		    0);
		assert_same_stat(&got, &want);
	}
	assert_true(S_ISDIR(got.st_mode)); /* "": the directory itself */
	assert_int_equal(samefs_statat(dfd, "link", &on, &got), 1);
	assert_true(S_ISLNK(got.st_mode));
	assert_int_equal(samefs_statat(dfd, "file", &on, &got), 1);
	assert_int_equal(got.st_size, 12);
	close(dfd);
}

/* /proc is another file system than the temporary directory's. */
static void
test_other_fs(void **state)
{
	struct samefs on;
	struct stat st;
	int dfd, pfd;

	(void)state;
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd != -1);
	assert_int_equal(samefs_of(dfd, &on), 0);
	assert_int_equal(samefs_statat(AT_FDCWD, "/proc", &on, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* And from /proc's side, the temporary directory is the other. */
	pfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(pfd != -1);
	assert_int_equal(samefs_of(pfd, &on), 0);
	assert_int_equal(samefs_statat(pfd, "self", &on, &st), 1);
	assert_int_equal(samefs_statat(dfd, "", &on, &st), 0);
	close(pfd);
	close(dfd);
}

static void
test_missing(void **state)
{
	struct samefs on;
	struct stat st;
	int dfd;

	(void)state;
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd != -1);
	assert_int_equal(samefs_of(dfd, &on), 0);
	errno = 0;
	assert_int_equal(samefs_statat(dfd, "nothing", &on, &st), -1);
	assert_int_equal(errno, ENOENT);
	close(dfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_fstatat),
		cmocka_unit_test(test_other_fs),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
