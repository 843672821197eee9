/*
 * hash_pipe.c: the checksum of a transfer in a second thread, fed by the
 * I/O loop through two buffers (hash_pipe.h).
 *
 * Runs in: mftpd's serving process (the user, chrooted, under its seccomp
 * list: the thread is made during the setup, before RLIMIT_NPROC 0 and
 * the filter, which is loaded for every thread) and mftp.
 *
 * One mutex guards the hand-over; the thread holds it only to take a
 * buffer and to give it back, never while it hashes.  Buffers are handed
 * over in turn (0, 1, 0, ...) and hashed in the same order, so the
 * digest sees the data as the loop read it.
 */
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "err.h"
#include "hash_pipe.h"
#include "log.h"
#include "util.h"

/* Read size for hashing a file: big enough to keep the digest busy. */
#define HASH_PIPE_FD_CHUNK (256 * 1024)

struct hash_pipe {
	pthread_mutex_t mu;
	pthread_cond_t work; /* to the thread: a buffer queued, or quit */
	pthread_cond_t done; /* to the loop: a buffer hashed, or ready */
	pthread_t thread;
	int lazy;
	int running; /* the thread waits for work */
	int failed;  /* a lazy start failed: hash inline from then on */
	int ready;   /* the thread reached its loop (under mu) */
	int quit;    /* under mu */
	int drop;    /* abort: skip what is queued (under mu) */

	/* The transfer under way. */
	int active;
	int threaded;
	struct digest *d;
	size_t size;
	uint8_t *buf[2];
	size_t len[2]; /* under mu */
	int queued[2]; /* handed over, not yet hashed (under mu) */
	int next;      /* the buffer the loop fills next */
	int head;      /* the buffer the thread hashes next (under mu) */
};

static void
hash_pipe_lock(struct hash_pipe *hp)
{
	int r;

	if ((r = pthread_mutex_lock(&hp->mu)) != 0)
		fatalx("hash thread: mutex: %s", strerror(r));
}

static void
hash_pipe_unlock(struct hash_pipe *hp)
{
	int r;

	if ((r = pthread_mutex_unlock(&hp->mu)) != 0)
		fatalx("hash thread: mutex: %s", strerror(r));
}

static void
hash_pipe_wait(struct hash_pipe *hp, pthread_cond_t *c)
{
	int r;

	if ((r = pthread_cond_wait(c, &hp->mu)) != 0)
		fatalx("hash thread: condition wait: %s", strerror(r));
}

/*
 * The thread: wait for a buffer, hash it without the lock, give it back.
 * It never allocates (glibc would give it an arena of its own) and makes
 * no system call but futex, so it fits any process's seccomp list.
 */
static void *
hash_pipe_main(void *arg)
{
	struct hash_pipe *hp = arg;
	struct digest *d;
	const uint8_t *p;
	size_t n;
	int i;

	hash_pipe_lock(hp);
	hp->ready = 1;
	pthread_cond_broadcast(&hp->done);
	for (;;) {
		while (!hp->quit && !hp->queued[hp->head])
			hash_pipe_wait(hp, &hp->work);
		if (hp->quit)
			break;
		i = hp->head;
		if (!hp->drop) {
			d = hp->d;
			p = hp->buf[i];
			n = hp->len[i];
			hash_pipe_unlock(hp);
			digest_update(d, p, n);
			hash_pipe_lock(hp);
		}
		hp->queued[i] = 0;
		hp->head = 1 - i;
		pthread_cond_signal(&hp->done);
	}
	hash_pipe_unlock(hp);
	return NULL;
}

struct hash_pipe *
hash_pipe_new(int lazy)
{
	struct hash_pipe *hp;

	hp = xcalloc(1, sizeof(*hp));
	hp->lazy = lazy;
	if (pthread_mutex_init(&hp->mu, NULL) != 0 ||
	    pthread_cond_init(&hp->work, NULL) != 0 ||
	    pthread_cond_init(&hp->done, NULL) != 0)
		fatalx("hash thread: cannot initialise its lock");
	return hp;
}

int
hash_pipe_start(struct hash_pipe *hp)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int r;

	if (hp->running)
		return 0;
	if ((r = pthread_attr_init(&attr)) != 0) {
		errno = r;
		return -1;
	}
	/*
	 * Signals are for the I/O loop: one taken by this thread would not
	 * interrupt the loop's poll.  The new thread inherits this mask.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if ((r = pthread_attr_setstacksize(&attr, HASH_PIPE_STACK)) == 0)
		r = pthread_create(&hp->thread, &attr, hash_pipe_main, hp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		errno = r;
		return -1;
	}
	/*
	 * Return only once the thread waits: glibc's start of a thread makes
	 * system calls of its own, which a seccomp list loaded right after
	 * this must not meet.
	 */
	hash_pipe_lock(hp);
	while (!hp->ready)
		hash_pipe_wait(hp, &hp->done);
	hash_pipe_unlock(hp);
	hp->running = 1;
	return 0;
}

void
hash_pipe_begin(
    struct hash_pipe *hp, struct digest *d, uint64_t total, size_t bufsize)
{
	int worth;

	if (hp->active)
		fatalx("hash_pipe_begin: a transfer is under way");
	worth = d != NULL && digest_alg(d) == DIGEST_SHA256 &&
	    total >= HASH_PIPE_MIN;
	if (worth && !hp->running && hp->lazy && !hp->failed &&
	    hash_pipe_start(hp) == -1) {
		log_debug("hash thread: %s; hashing inline", strerror(errno));
		hp->failed = 1;
	}
	hp->active = 1;
	hp->threaded = worth && hp->running;
	hp->d = d;
	/* A small file needs no more than its size. */
	hp->size = total < bufsize ? (size_t)total : bufsize;
	if (hp->size == 0)
		hp->size = 1;
	hp->buf[0] = xmalloc(hp->size);
	hp->buf[1] = hp->threaded ? xmalloc(hp->size) : NULL;
	hp->next = 0;
	if (hp->threaded) {
		/* The thread is idle: nothing is queued. */
		hash_pipe_lock(hp);
		hp->head = 0;
		hash_pipe_unlock(hp);
	}
}

size_t
hash_pipe_bufsize(const struct hash_pipe *hp)
{
	return hp->size;
}

uint8_t *
hash_pipe_buf(struct hash_pipe *hp)
{
	if (!hp->threaded)
		return hp->buf[0];
	hash_pipe_lock(hp);
	while (hp->queued[hp->next])
		hash_pipe_wait(hp, &hp->done);
	hash_pipe_unlock(hp);
	return hp->buf[hp->next];
}

void
hash_pipe_feed(struct hash_pipe *hp, size_t len)
{
	if (len == 0 || hp->d == NULL)
		return;
	if (len > hp->size)
		fatalx("hash_pipe_feed: %zu bytes in a buffer of %zu", len,
		    hp->size);
	if (!hp->threaded) {
		digest_update(hp->d, hp->buf[0], len);
		return;
	}
	hash_pipe_lock(hp);
	hp->len[hp->next] = len;
	hp->queued[hp->next] = 1;
	pthread_cond_signal(&hp->work);
	hash_pipe_unlock(hp);
	hp->next = 1 - hp->next;
}

/* Wait until the thread has given back both buffers; drop: unhashed. */
static void
hash_pipe_drain(struct hash_pipe *hp, int drop)
{
	if (!hp->threaded)
		return;
	hash_pipe_lock(hp);
	hp->drop = drop;
	while (hp->queued[0] || hp->queued[1])
		hash_pipe_wait(hp, &hp->done);
	hp->drop = 0;
	hash_pipe_unlock(hp);
}

static void
hash_pipe_finish(struct hash_pipe *hp, int drop)
{
	if (!hp->active)
		return;
	hash_pipe_drain(hp, drop);
	free(hp->buf[0]);
	free(hp->buf[1]);
	hp->buf[0] = hp->buf[1] = NULL;
	hp->d = NULL;
	hp->active = 0;
}

void
hash_pipe_end(struct hash_pipe *hp)
{
	hash_pipe_finish(hp, 0);
}

void
hash_pipe_abort(struct hash_pipe *hp)
{
	hash_pipe_finish(hp, 1);
}

int
hash_pipe_fd(
    struct hash_pipe *hp, struct digest *d, int fd, uint64_t off, uint64_t len)
{
	size_t want;
	uint8_t *b;
	ssize_t n;
	int saved;

	if (len == 0)
		return 0;
	hash_pipe_begin(hp, d, len, HASH_PIPE_FD_CHUNK);
	while (len > 0) {
		want = hash_pipe_bufsize(hp);
		if (len < want)
			want = (size_t)len;
		b = hash_pipe_buf(hp);
		n = pread(fd, b, want, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = errno;
			hash_pipe_abort(hp);
			errno = saved;
			return n == 0 ? ERR_SHORT : ERR_IO;
		}
		hash_pipe_feed(hp, (size_t)n);
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	hash_pipe_end(hp);
	return 0;
}

int
hash_pipe_threaded(const struct hash_pipe *hp)
{
	return hp->threaded;
}

void
hash_pipe_free(struct hash_pipe *hp)
{
	if (hp == NULL)
		return;
	hash_pipe_abort(hp);
	if (hp->running) {
		hash_pipe_lock(hp);
		hp->quit = 1;
		pthread_cond_signal(&hp->work);
		hash_pipe_unlock(hp);
		pthread_join(hp->thread, NULL);
	}
	pthread_cond_destroy(&hp->work);
	pthread_cond_destroy(&hp->done);
	pthread_mutex_destroy(&hp->mu);
	free(hp);
}
