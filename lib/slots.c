/*
 * slots.c: session slots as OFD locks on one byte each (slots.h).
 *
 * Runs as: root, in the per-connection monitor (slots_take) and in
 * ftpuser-list (slots_count); as the user, in the serving process
 * (slots_alone, on the descriptor it was left).  The path is DIR/NAME with NAME a valid
 * user name, opened with O_NOFOLLOW: DIR is root's, and no user can
 * put a link there.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "mftp_limits.h"
#include "ofdlock.h"
#include "slots.h"
#include "util.h"

#define SLOTS_GATE_MS 1000

/*
 * A write lock on slots [lo, hi): slot i is one byte at offset i, past
 * the (empty) file's end.
 */
static void
slots_range(struct flock *fl, unsigned int lo, unsigned int hi)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)lo;
	fl->l_len = (off_t)(hi - lo);
}

static int
slots_open(const char *dir, const char *name, int flags)
{
	char *path;
	int fd, saved;

	path = path_join(dir, name);
	fd = open_regular_at(AT_FDCWD, path, flags | O_NOFOLLOW, 0600);
	saved = errno;
	free(path);
	errno = saved;
	return fd;
}

/*
 * How many slots in [lo, hi) are held: one F_OFD_GETLK says whether a
 * range holds any, so a range without sessions costs one call, and each
 * held slot about log2(hi - lo).  -1 with errno.  (An OFD lock of fd's
 * own description is not seen: call it on a descriptor holding none.)
 */
static int
slots_held(int fd, unsigned int lo, unsigned int hi)
{
	struct flock fl;
	unsigned int mid;
	int a, b;

	if (lo >= hi)
		return 0;
	slots_range(&fl, lo, hi);
	if (fcntl(fd, F_OFD_GETLK, &fl) == -1)
		return -1;
	if (fl.l_type == F_UNLCK)
		return 0;
	if (hi - lo == 1)
		return 1;
	mid = lo + (hi - lo) / 2;
	if ((a = slots_held(fd, lo, mid)) == -1 ||
	    (b = slots_held(fd, mid, hi)) == -1)
		return -1;
	return a + b;
}

/*
 * Take the gate, waiting SLOTS_GATE_MS at most: each login holds it for
 * a few system calls, so only a holder that keeps it (a compromised
 * serving process can lock it through its own slot descriptor) makes
 * the wait run out; then EBUSY, and the login is refused, not hung.
 */
static int
slots_close_gate(int fd)
{
	struct flock fl;
	int r;

	slots_range(&fl, MFTP_USER_SESSIONS_MAX, MFTP_USER_SESSIONS_MAX + 1);
	r = ofd_lock_poll(fd, &fl, mono_ms() + SLOTS_GATE_MS, 1, NULL, NULL);
	if (r == ERR_TIMEOUT)
		errno = EBUSY;
	return r == 0 ? 0 : -1;
}

/* Let the next login count: the gate's byte, unlocked. */
static void
slots_open_gate(int fd)
{
	struct flock fl;

	slots_range(&fl, MFTP_USER_SESSIONS_MAX, MFTP_USER_SESSIONS_MAX + 1);
	fl.l_type = F_UNLCK;
	(void)fcntl(fd, F_OFD_SETLK, &fl);
}

/*
 * No limit: any free slot, tried from a random one on (wrapping), with
 * neither the gate nor a count.  fd is closed on failure.
 */
static int
slots_take_any(int fd, unsigned int *slot)
{
	unsigned int i, n, start = arc4random_uniform(MFTP_USER_SESSIONS_MAX);
	struct flock fl;
	int saved;

	for (n = 0; n < MFTP_USER_SESSIONS_MAX; n++) {
		i = (start + n) % MFTP_USER_SESSIONS_MAX;
		slots_range(&fl, i, i + 1);
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0) {
			*slot = i;
			return fd;
		}
		if (errno != EAGAIN && errno != EACCES)
			break;
	}
	saved = n == MFTP_USER_SESSIONS_MAX ? EUSERS : errno;
	close(fd);
	errno = saved;
	return -1;
}

int
slots_take(
    const char *dir, const char *name, unsigned int max, unsigned int *slot)
{
	struct flock fl;
	unsigned int i;
	int fd, held, saved;

	/*
	 * Write access: a write lock needs it, though nothing is written.
	 * A missing dir is not made (ENOENT): on shared storage that is
	 * not mounted, slots made on this node's disk would count only
	 * its own sessions, a user's limit once per node.
	 */
	if ((fd = slots_open(dir, name, O_RDWR | O_CREAT)) == -1)
		return -1;
	if (max == 0)
		return slots_take_any(fd, slot);
	/*
	 * The count and the take are one step, under the gate: one byte
	 * past the slots, held a moment by each login.  Apart, two logins
	 * after a lowered limit could both count the same sessions, then
	 * both find a free slot below max: one session over the limit.
	 */
	if (slots_close_gate(fd) == -1)
		goto fail;
	/*
	 * Sessions that took a slot beyond max (the limit was higher when
	 * they logged in) count too, so that a lowered limit holds as soon
	 * as sessions end, not only once those ones have.
	 */
	if ((held = slots_held(fd, 0, MFTP_USER_SESSIONS_MAX)) == -1)
		goto fail;
	for (i = 0; (unsigned int)held < max && i < max; i++) {
		slots_range(&fl, i, i + 1);
		/* Never waits: a taken slot is the next one's turn. */
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0) {
			*slot = i;
			slots_open_gate(fd);
			return fd;
		}
		if (errno != EAGAIN && errno != EACCES)
			goto fail;
	}
	errno = EUSERS;
fail:
	saved = errno;
	if (fd != -1)
		close(fd); /* the gate too */
	errno = saved;
	return -1;
}

int
slots_count(const char *dir, const char *name)
{
	struct stat st;
	int fd, n, saved;

	if ((fd = slots_open(dir, name, O_RDONLY)) == -1) {
		/*
		 * No file: the user has had no session.  No dir: nothing is
		 * known (its storage may not be mounted), not none.
		 */
		if (errno == ENOENT && stat(dir, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				return 0;
			errno = ENOTDIR;
		}
		return -1;
	}
	n = slots_held(fd, 0, MFTP_USER_SESSIONS_MAX);
	saved = errno;
	close(fd);
	errno = saved;
	return n;
}

int
slots_alone(int fd)
{
	struct flock fl;

	/* F_OFD_GETLK never reports fd's own locks: they are no conflict. */
	slots_range(&fl, 0, MFTP_USER_SESSIONS_MAX);
	if (fcntl(fd, F_OFD_GETLK, &fl) == -1)
		return -1;
	return fl.l_type == F_UNLCK;
}
