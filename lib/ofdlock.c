/*
 * ofdlock.c: an OFD lock taken by looking again (ofdlock.h).
 *
 * Runs as: whichever process takes the lock (the serving process, the
 * monitor, the administration tools).
 */
#include <errno.h>
#include <fcntl.h>

#include "err.h"
#include "ofdlock.h"
#include "util.h"

int
ofd_lock_poll(int fd, struct flock *fl, uint64_t until,
    unsigned int pause_max_ms, int (*stop)(void *), void *arg)
{
	unsigned int pause = 1;

	while (fcntl(fd, F_OFD_SETLK, fl) == -1) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return ERR_IO;
		if (stop != NULL && stop(arg))
			return ERR_STOPPED;
		if (until != UINT64_MAX && mono_ms() >= until)
			return ERR_TIMEOUT;
		sleep_ms(pause);
		pause = pause * 2 < pause_max_ms ? pause * 2 : pause_max_ms;
	}
	return 0;
}
