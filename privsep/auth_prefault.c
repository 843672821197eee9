/*
 * auth_prefault.c: yescrypt's region faulted in by a second thread.
 *
 * Runs in: mftpd-auth only (linked into it alone), as the pre-auth user.
 *
 * A verification first fills its 16 MiB region from the front, then
 * reads it back at random.  Each page of it is faulted in, and zeroed by
 * the kernel, the first time the fill reaches it: 1-1.5 ms of a
 * verification's 10 (measured here: crypt(3) on a region touched
 * beforehand against one fresh from mmap).  The fill is the only thread,
 * so that time adds to the login's.
 *
 * Here a second thread, made before the seccomp list, takes those faults
 * instead: as soon as the region is mapped (auth_hugepage.c), it asks
 * the kernel to fault all of it in, writable, from the front
 * (MADV_POPULATE_WRITE), while the fill runs on another core.  The
 * kernel fills in only what is not yet there and never changes a byte
 * the fill wrote: populating writes nothing.  The region is the one the
 * verification uses anyway, for the same time: the helper holds no more
 * memory than before, and no memory at all before a request arrives (a
 * region touched ahead would be 16 MiB held by every waiting
 * connection).
 *
 * Measured here from the helper's start to its verdict (authtime,
 * medians of 15, five pairs in turn): 10.5-11.2 ms without the thread,
 * 10.0-10.3 ms with it.
 *
 * It is a hint, like the huge pages: where the kernel lacks the advice
 * (before Linux 5.14) or the thread cannot be made, the fill faults the
 * region in itself, as before.  The region is not unmapped while the
 * thread works in it: the munmap of it waits for the thread.  The
 * thread uses futex and madvise alone, both on the helper's list, which
 * TSYNC puts over it too (sandbox.c).
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>

#include "auth_prefault.h"

/* The thread is the only user of its stack: a few frames, no more. */
#define AUTH_PREFAULT_STACK (64u * 1024)

static sem_t auth_prefault_go;	 /* a region to fault in */
static sem_t auth_prefault_done; /* the thread waits (again) */
static int auth_prefault_ready;	 /* the thread waits for work */
static void *auth_prefault_addr; /* the region it has, or NULL */
static size_t auth_prefault_len;

static void
auth_prefault_wait(sem_t *s)
{
	while (sem_wait(s) == -1 && errno == EINTR)
		;
}

static void *
auth_prefault_thread(void *unused)
{
	(void)unused;
	for (;;) {
		sem_post(&auth_prefault_done);
		auth_prefault_wait(&auth_prefault_go);
		/* A failure leaves the faults to the fill, as before. */
		(void)madvise(
		    auth_prefault_addr, auth_prefault_len, MADV_POPULATE_WRITE);
	}
	return NULL;
}

void
auth_prefault_spawn(void *unused)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int r;

	(void)unused;
	if (sem_init(&auth_prefault_go, 0, 0) == -1 ||
	    sem_init(&auth_prefault_done, 0, 0) == -1 ||
	    pthread_attr_init(&attr) != 0)
		return;
	/* Signals (the helper's deadline) are for the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_attr_setstacksize(&attr, AUTH_PREFAULT_STACK);
	if (r == 0)
		r = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (r == 0)
		r = pthread_create(&t, &attr, auth_prefault_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0)
		return;
	auth_prefault_wait(&auth_prefault_done);
	auth_prefault_ready = 1;
}

void
auth_prefault_start(void *addr, size_t len)
{
	/* One region at a time: a later one faults itself in. */
	if (!auth_prefault_ready || auth_prefault_addr != NULL)
		return;
	auth_prefault_addr = addr;
	auth_prefault_len = len;
	sem_post(&auth_prefault_go);
}

void
auth_prefault_forget(const void *addr)
{
	if (auth_prefault_addr == NULL || addr != auth_prefault_addr)
		return;
	auth_prefault_wait(&auth_prefault_done);
	auth_prefault_addr = NULL;
}
