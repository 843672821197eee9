/*
 * test_hash_pipe.c: unit tests for the hashing thread (lib/hash_pipe.c).
 *
 * Data fed in many uneven pieces through the thread hashes to the
 * one-shot digest, in both algorithms; the loop refills each buffer as
 * soon as the pipe gives it back, so a buffer handed out while the
 * thread still read it would change the value.  An abort mid-stream
 * leaves the pipe usable; one thread serves transfer after transfer; the
 * thread starts lazily only for a transfer worth it, never without leave
 * in an eager pipe; it blocks every signal; without a digest the pipe
 * only moves data.  A file read with hash_pipe_fd (pread) hashes like its
 * bytes, whole or a range, inline and in the thread; a short file is
 * ERR_SHORT and a bad descriptor ERR_IO.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "digest.h"
#include "err.h"
#include "hash_pipe.h"
#include "log.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

#define DATA_LEN (8 * 1024 * 1024 + 4099)
#define BUF_LEN (256 * 1024)

static uint8_t *data;

static int
setup(void **state)
{
	uint32_t x = 2463534242u;
	size_t i;

	(void)state;
	data = malloc(DATA_LEN);
	if (data == NULL)
		return -1;
	/* xorshift32: varied bytes, the same every run */
	for (i = 0; i < DATA_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(data);
	return 0;
}

/* The tasks of this process: 1 without the thread, 2 with it. */
static int
tasks(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/task");
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * The count of tasks once a joined thread has gone: pthread_join returns
 * when the thread's exit clears its tid, a moment before the kernel
 * takes its task out of /proc/self/task.  Up to 2 s.
 */
static int
tasks_settled(int want)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, n = tasks();

	for (i = 0; i < 200 && n != want; i++) {
		nanosleep(&ts, NULL);
		n = tasks();
	}
	return n;
}

/*
 * Send len bytes of data through the pipe in uneven pieces (each a
 * prime-ish size, some bigger than a buffer, some of one byte), the way
 * an I/O loop reads a socket: into the buffer, then hand it over.
 */
static void
feed_uneven(struct hash_pipe *hp, size_t len)
{
	static const size_t steps[] = { 1, 7, 4093, 65521, 262144, 131071, 3,
		100000, 262143, 17 };
	size_t off = 0, i = 0, n, cap;
	uint8_t *b;

	cap = hash_pipe_bufsize(hp);
	while (off < len) {
		n = steps[i++ % (sizeof(steps) / sizeof(steps[0]))];
		if (n > cap)
			n = cap;
		if (n > len - off)
			n = len - off;
		b = hash_pipe_buf(hp);
		memcpy(b, data + off, n);
		hash_pipe_feed(hp, n);
		/* The loop still reads what it handed over (a write). */
		assert_memory_equal(b, data + off, n);
		off += n;
	}
}

/* One transfer of len bytes through hp in alg; checks the value. */
static void
transfer(struct hash_pipe *hp, enum digest_alg alg, size_t len, int threaded)
{
	uint8_t got[DIGEST_MAX_LEN], want[DIGEST_MAX_LEN];
	struct digest *d = digest_new(alg);

	hash_pipe_begin(hp, d, len, BUF_LEN);
	assert_int_equal(hash_pipe_threaded(hp), threaded);
	feed_uneven(hp, len);
	hash_pipe_end(hp);
	digest_final(d, got);
	digest_buf(alg, data, len, want);
	assert_memory_equal(got, want, digest_len(alg));
	digest_free(d);
}

static void
test_uneven_pieces(void **state)
{
	struct hash_pipe *hp = hash_pipe_new(1);

	(void)state;
	transfer(hp, DIGEST_SHA256, DATA_LEN, 1);
	assert_int_equal(tasks(), 2);
	hash_pipe_free(hp);
	assert_int_equal(tasks_settled(1), 1);
}

/* An eager pipe, started by hand (mftpd's way), hashes the same. */
static void
test_started(void **state)
{
	struct hash_pipe *hp = hash_pipe_new(0);

	(void)state;
	transfer(hp, DIGEST_SHA256, DATA_LEN, 0);
	assert_int_equal(tasks(), 1);
	assert_int_equal(hash_pipe_start(hp), 0);
	assert_int_equal(hash_pipe_start(hp), 0);
	assert_int_equal(tasks(), 2);
	transfer(hp, DIGEST_SHA256, DATA_LEN, 1);
	hash_pipe_free(hp);
	assert_int_equal(tasks_settled(1), 1);
}

/* Small files and XXH3-128 go inline, and start no thread. */
static void
test_inline(void **state)
{
	struct hash_pipe *hp = hash_pipe_new(1);

	(void)state;
	transfer(hp, DIGEST_SHA256, 0, 0);
	transfer(hp, DIGEST_SHA256, 4096, 0);
	transfer(hp, DIGEST_SHA256, HASH_PIPE_MIN - 1, 0);
	transfer(hp, DIGEST_XXH128, DATA_LEN, 0);
	assert_int_equal(tasks(), 1);
	/* A small file needs no bigger buffer than itself. */
	hash_pipe_begin(hp, NULL, 4096, BUF_LEN);
	assert_int_equal(hash_pipe_bufsize(hp), 4096);
	hash_pipe_end(hp);
	hash_pipe_free(hp);
}

/* One thread, file after file, and small files between them inline. */
static void
test_reuse(void **state)
{
	struct hash_pipe *hp = hash_pipe_new(1);
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		transfer(hp, DIGEST_SHA256, DATA_LEN - (size_t)i * 999331, 1);
		transfer(hp, DIGEST_SHA256, 1000 + (size_t)i, 0);
		assert_int_equal(tasks(), 2);
	}
	transfer(hp, DIGEST_XXH128, DATA_LEN, 0);
	transfer(hp, DIGEST_SHA256, DATA_LEN, 1);
	hash_pipe_free(hp);
}

/*
 * A transfer that fails half-way (a lost connection, a read error): the
 * rest is dropped, and the next transfer on the same pipe is right.
 */
static void
test_abort(void **state)
{
	uint8_t got[DIGEST_MAX_LEN], want[DIGEST_MAX_LEN];
	struct hash_pipe *hp = hash_pipe_new(1);
	struct digest *d = digest_new(DIGEST_SHA256);
	uint8_t *b;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		digest_reset(d);
		hash_pipe_begin(hp, d, DATA_LEN, BUF_LEN);
		assert_int_equal(hash_pipe_threaded(hp), 1);
		feed_uneven(hp, DATA_LEN / 2 + (size_t)i);
		/* Two full buffers queued, then the error. */
		b = hash_pipe_buf(hp);
		memset(b, 'x', BUF_LEN);
		hash_pipe_feed(hp, BUF_LEN);
		b = hash_pipe_buf(hp);
		memset(b, 'y', BUF_LEN);
		hash_pipe_feed(hp, BUF_LEN);
		hash_pipe_abort(hp);
		hash_pipe_abort(hp); /* twice: nothing more to do */
	}
	/* The same digest, reset, and the same pipe: right again. */
	digest_reset(d);
	hash_pipe_begin(hp, d, DATA_LEN, BUF_LEN);
	feed_uneven(hp, DATA_LEN);
	hash_pipe_end(hp);
	digest_final(d, got);
	digest_buf(DIGEST_SHA256, data, DATA_LEN, want);
	assert_memory_equal(got, want, digest_len(DIGEST_SHA256));
	/* Freed in the middle of a transfer: no wait for ever. */
	digest_reset(d);
	hash_pipe_begin(hp, d, DATA_LEN, BUF_LEN);
	feed_uneven(hp, DATA_LEN / 3);
	hash_pipe_free(hp);
	assert_int_equal(tasks_settled(1), 1);
	digest_free(d);
}

/* Without a digest the buffers still go round, and nothing is hashed. */
static void
test_no_digest(void **state)
{
	struct hash_pipe *hp = hash_pipe_new(1);

	(void)state;
	hash_pipe_begin(hp, NULL, DATA_LEN, BUF_LEN);
	assert_int_equal(hash_pipe_threaded(hp), 0);
	feed_uneven(hp, DATA_LEN);
	hash_pipe_end(hp);
	assert_int_equal(tasks(), 1);
	hash_pipe_free(hp);
}

/* The thread takes no signal: every one is blocked in it. */
static void
test_signals_blocked(void **state)
{
	struct hash_pipe *hp = hash_pipe_new(0);
	char path[64], line[256], mask[64] = "";
	struct dirent *e;
	FILE *f;
	DIR *d;
	long self = (long)getpid(), tid = 0;
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2,
		SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGTSTP,
		SIGWINCH };
	unsigned long long bits;
	size_t i;

	(void)state;
	assert_int_equal(hash_pipe_start(hp), 0);
	d = opendir("/proc/self/task");
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && atol(e->d_name) != self)
			tid = atol(e->d_name);
	closedir(d);
	assert_true(tid > 0);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "SigBlk: %63s", mask) == 1)
			break;
	fclose(f);
	/* glibc keeps its own two (32, 33) open; every real one is shut. */
	bits = strtoull(mask, NULL, 16);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		assert_true((bits >> (sigs[i] - 1)) & 1);
	hash_pipe_free(hp);
}

/* A short file's range, read with pread, hashes like its bytes. */
static void
test_fd_range(void **state)
{
	char path[] = "/tmp/test_hash_pipe.XXXXXX";
	uint8_t out[DIGEST_MAX_LEN], want[DIGEST_MAX_LEN];
	struct hash_pipe *hp = hash_pipe_new(1);
	struct digest *d;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "xxabcyy", 7), 7);
	d = digest_new(DIGEST_XXH128);
	assert_int_equal(hash_pipe_fd(hp, d, fd, 2, 3), 0);
	digest_final(d, out);
	digest_buf(DIGEST_XXH128, "abc", 3, want);
	assert_memory_equal(out, want, digest_len(DIGEST_XXH128));
	digest_reset_alg(d, DIGEST_SHA256);
	assert_int_equal(hash_pipe_fd(hp, d, fd, 2, 3), 0);
	digest_final(d, out);
	digest_buf(DIGEST_SHA256, "abc", 3, want);
	assert_memory_equal(out, want, digest_len(DIGEST_SHA256));
	/* Nothing to read is no error; past the end is ERR_SHORT. */
	assert_int_equal(hash_pipe_fd(hp, d, fd, 7, 0), 0);
	assert_int_equal(hash_pipe_fd(hp, d, fd, 5, 3), ERR_SHORT);
	digest_free(d);
	close(fd);
	hash_pipe_free(hp);
}

/*
 * A file of many reads, whole and in a range followed by the rest from
 * memory, in both algorithms, inline and through the thread; a closed
 * descriptor is an I/O error, and the pipe goes on working after it.
 */
static void
test_fd_large(void **state)
{
	static const enum digest_alg algs[] = { DIGEST_XXH128, DIGEST_SHA256 };
	char path[] = "/tmp/test_hash_pipe.XXXXXX";
	uint8_t want[DIGEST_MAX_LEN], out[DIGEST_MAX_LEN];
	const size_t len = 3 * 1024 * 1024 + 12345, part = 1536 * 1024 + 7;
	struct hash_pipe *hp = hash_pipe_new(1);
	struct digest *d;
	size_t a;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), len);
	for (a = 0; a < 2; a++) {
		d = digest_new(algs[a]);
		assert_int_equal(hash_pipe_fd(hp, d, fd, 0, len), 0);
		assert_int_equal(
		    hash_pipe_threaded(hp), algs[a] == DIGEST_SHA256);
		digest_final(d, out);
		digest_buf(algs[a], data, len, want);
		assert_memory_equal(out, want, digest_len(algs[a]));
		/* A range, then the rest from memory: one stream. */
		digest_reset_alg(d, algs[a]);
		assert_int_equal(hash_pipe_fd(hp, d, fd, 0, part), 0);
		digest_update(d, data + part, len - part);
		digest_final(d, out);
		assert_memory_equal(out, want, digest_len(algs[a]));
		/* Past the end of a large file, through the thread too. */
		assert_int_equal(
		    hash_pipe_fd(hp, d, fd, 0, len + 1), ERR_SHORT);
		digest_free(d);
	}
	close(fd);
	d = digest_new(DIGEST_SHA256);
	assert_int_equal(hash_pipe_fd(hp, d, fd, 0, len), ERR_IO);
	assert_int_equal(errno, EBADF);
	digest_free(d);
	transfer(hp, DIGEST_SHA256, DATA_LEN, 1);
	hash_pipe_free(hp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uneven_pieces),
		cmocka_unit_test(test_started),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_no_digest),
		cmocka_unit_test(test_signals_blocked),
		cmocka_unit_test(test_fd_range),
		cmocka_unit_test(test_fd_large),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
