/*
 * test_dirwalk.c: unit tests for lib/dirwalk.c: every directory of a
 * tree is read once, at any depth with few descriptors; the counts go
 * up to the parents and done sees each subdirectory's; a subdirectory
 * gone before it is entered is passed over; and a directory moved to
 * another parent under the walk stops it at the "..", through moved.
 */
#include <sys/types.h>
#include <sys/resource.h>
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

#include "dirwalk.h"

#define DEEP 300

#define TEMPLATE "/tmp/test_dirwalk.XXXXXX"
static char tmpdir[] = TEMPLATE;

struct seen {
	int reads;	  /* directories read */
	int dones;	  /* done calls */
	size_t in_done;	  /* the counts done saw, summed */
	int moved;	  /* moved calls */
	const char *hook; /* at the first read of a path holding this... */
	int fired;
	void (*act)(void); /* ...do this */
};

static char *
tpath(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", tmpdir, rel) > 0);
	return p;
}

static void
mk(const char *rel)
{
	char *p = tpath(rel);

	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
}

static void
touch(const char *rel)
{
	char *p = tpath(rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd != -1);
	close(fd);
	free(p);
}

static void
rm_rf(void)
{
	char cmd[sizeof(tmpdir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static int
setup(void **state)
{
	(void)state;
	memcpy(tmpdir, TEMPLATE, sizeof(TEMPLATE));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	rm_rf();
	return 0;
}

/* Count each entry into the level; name the subdirectories. */
static int
count_read(struct dirwalk *w, int fd, void *arg)
{
	struct seen *s = arg;
	const char *path = dirwalk_path(w);
	struct dirent *de;
	struct stat st;
	DIR *d;

	s->reads++;
	if (s->hook != NULL && !s->fired && strstr(path, s->hook) != NULL) {
		s->fired = 1;
		s->act();
	}
	assert_non_null(d = fdopendir(openat(fd, ".", O_RDONLY)));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		assert_int_equal(
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW), 0);
		(*dirwalk_count(w))++;
		if (S_ISDIR(st.st_mode))
			dirwalk_subdir(w, de->d_name);
	}
	closedir(d);
	return 0;
}

static int
count_done(struct dirwalk *w, int fd, const char *name, size_t n, void *arg)
{
	struct seen *s = arg;

	(void)w;
	(void)fd;
	(void)name;
	s->dones++;
	s->in_done += n;
	return 0;
}

static void
count_moved(struct dirwalk *w, int err, void *arg)
{
	struct seen *s = arg;

	(void)w;
	assert_int_equal(err, 0);
	s->moved++;
}

static const struct dirwalk_ops count_ops = {
	.read = count_read,
	.done = count_done,
	.moved = count_moved,
};

static int
open_root(void)
{
	int fd = open(tmpdir, O_RDONLY | O_DIRECTORY);

	assert_true(fd != -1);
	return fd;
}

/* root: a/ a/f a/b/ a/b/g a/b/c/ d/ e: 8 entries, 4 directories. */
static void
make_tree(void)
{
	mk("a");
	touch("a/f");
	mk("a/b");
	touch("a/b/g");
	mk("a/b/c");
	mk("d");
	touch("e");
}

static void
test_counts(void **state)
{
	struct seen s = { 0 };
	size_t n = 0;

	(void)state;
	make_tree();
	assert_int_equal(
	    dirwalk_run(open_root(), tmpdir, &count_ops, &s, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(s.reads, 5);
	assert_int_equal(s.dones, 4);
	/* a: 4 below it; a/b: 2; a/b/c and d: none. */
	assert_int_equal(s.in_done, 6);
	assert_int_equal(s.moved, 0);
}

/* Every path the walk reads, one a line, into arg (a char **). */
static int
path_read(struct dirwalk *w, int fd, void *arg)
{
	char **all = arg, *more;
	struct dirent *de;
	DIR *d;

	assert_true(asprintf(&more, "%s%s\n", *all != NULL ? *all : "",
			dirwalk_path(w)) > 0);
	free(*all);
	*all = more;
	assert_non_null(d = fdopendir(openat(fd, ".", O_RDONLY)));
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			dirwalk_subdir(w, de->d_name);
	closedir(d);
	return 0;
}

/*
 * A root given ending in '/' ("/", the chrooted home; "/srv/bob/" from
 * the users file): one '/' before each name, not "//", which the
 * recount's messages showed ("cannot recount: /srv/bob//d: ...").
 */
static void
test_root_slash(void **state)
{
	static const struct dirwalk_ops ops = { .read = path_read };
	char *root, *all = NULL, *want;

	(void)state;
	mk("a");
	mk("a/b");
	assert_true(asprintf(&root, "%s/", tmpdir) > 0);
	assert_int_equal(dirwalk_run(open_root(), root, &ops, &all, NULL), 0);
	assert_true(
	    asprintf(&want, "%s/\n%s/a\n%s/a/b\n", tmpdir, tmpdir, tmpdir) > 0);
	assert_string_equal(all, want);
	free(all);
	free(want);
	free(root);
}

static void
remove_other(void)
{
	char *q = tpath("p/q"), *r = tpath("p/r");

	/* Whichever is entered first removes the other. */
	if (rmdir(r) == -1)
		assert_int_equal(rmdir(q), 0);
	free(q);
	free(r);
}

/* A subdirectory removed after its parent was read: passed over. */
static void
test_gone_before_entered(void **state)
{
	struct seen s = { .hook = "/p/", .act = remove_other };
	size_t n = 0;

	(void)state;
	mk("p");
	mk("p/q");
	mk("p/r");
	assert_int_equal(
	    dirwalk_run(open_root(), tmpdir, &count_ops, &s, &n), 0);
	/* The root, p, and one of q and r. */
	assert_int_equal(s.reads, 3);
	assert_int_equal(s.dones, 2);
	assert_int_equal(n, 3);
}

static void
move_b(void)
{
	char *from = tpath("a/b"), *to = tpath("d/b");

	assert_int_equal(rename(from, to), 0);
	free(from);
	free(to);
}

/*
 * a/b moved to d/b while the walk is in it: its ".." is d, not the a
 * the walk left, so the walk stops there, says so, and counts what it
 * had.
 */
static void
test_moved(void **state)
{
	struct seen s = { .hook = "/a/b", .act = move_b };
	size_t n = 0;

	(void)state;
	make_tree();
	errno = 0;
	assert_int_equal(
	    dirwalk_run(open_root(), tmpdir, &count_ops, &s, &n), -1);
	assert_int_equal(s.moved, 1);
	/* The root's 3, a's 2 and b's 2 (c was never read). */
	assert_int_equal(n, 7);
}

/* Deeper than the descriptors the process may hold. */
static void
test_deep(void **state)
{
	struct rlimit old, low;
	struct seen s = { 0 };
	char rel[DEEP * 2 + 1];
	size_t n = 0, len = 0;
	int i;

	(void)state;
	/* 300 levels, each "x": ten times the descriptors allowed. */
	for (i = 0; i < DEEP; i++) {
		rel[len++] = 'x';
		rel[len] = '\0';
		mk(rel);
		rel[len++] = '/';
	}
	/* The soft limit alone: a raised hard one could not come back. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	i = dirwalk_run(open_root(), tmpdir, &count_ops, &s, &n);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(i, 0);
	assert_int_equal(n, DEEP);
	assert_int_equal(s.reads, DEEP + 1);
	assert_int_equal(s.dones, DEEP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_root_slash, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gone_before_entered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
