/*
 * ofdlock.h: taking an open-file-description lock (F_OFD_SETLK) that
 * another process may hold, by looking again after short pauses, up to
 * a deadline and while the caller may go on.
 *
 * Used by: the accounting file's lock (lib/quota.c), the session slots'
 * gate (lib/slots.c), the users file's lock (lib/userdb_write.c) and an
 * upload's partial (daemon/upload.c).  F_OFD_SETLKW would wait without
 * a bound, and a signal to end it would have to reach this very call.
 */
#ifndef MFTP_OFDLOCK_H
#define MFTP_OFDLOCK_H

#include <fcntl.h>
#include <stdint.h>

/*
 * Take the lock fl describes on fd, looking again after pauses of 1 ms
 * doubling up to pause_max_ms, until it is taken (0), an error (ERR_IO,
 * errno), stop(arg) says so (ERR_STOPPED; stop may be NULL) or the clock
 * (mono_ms) passes until (ERR_TIMEOUT; UINT64_MAX: never).  A free lock
 * is taken whatever stop says.
 */
int ofd_lock_poll(int fd, struct flock *fl, uint64_t until,
    unsigned int pause_max_ms, int (*stop)(void *), void *arg);

#endif
