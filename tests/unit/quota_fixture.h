/*
 * quota_fixture.h: shared setup and helpers of the test_quota* unit tests.
 */
#ifndef MFTP_QUOTA_FIXTURE_H
#define MFTP_QUOTA_FIXTURE_H

#include <sys/types.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* The test's temporary directory (setup_dir makes it, teardown_dir
 * removes it with everything in it). */
extern char tmpdir[PATH_MAX];
/* The line of an accounting file with nothing used. */
extern const char zero_line[];

int setup_dir(void **state);
int teardown_dir(void **state);
/* tmpdir/rel, allocated. */
char *tpath(const char *rel);
void write_file(const char *rel, const void *data, size_t len);
/* Read the whole accounting file (up to size bytes). */
size_t read_file(const char *rel, char *buf, size_t size);
void make_dir(const char *rel);
/* A file of size bytes, written sparse. */
void make_sized(const char *rel, off_t size);
/* Create and open a fresh accounting file tmpdir/name. */
int open_new(const char *name);
/* The file on fd says bytes and files are used. */
void expect_usage(int fd, uint64_t bytes, uint64_t files);
/* A non-waiting OFD lock of type on fd: fcntl's result. */
int try_lock(int fd, short type);

#endif
