/*
 * slots.c: session slots as OFD locks on one byte each (slots.h).
 *
 * Runs as: root, in the per-connection monitor (slots_take) and in
 * ftpuser-list (slots_count).  The path is DIR/NAME with NAME a valid
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

#include "slots.h"
#include "util.h"

/* The lock of slot i: one byte at offset i, past the (empty) file's end. */
static void
slots_lock_of(struct flock *fl, short type, unsigned int i)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)i;
	fl->l_len = 1;
}

static int
slots_open(const char *dir, const char *name, int flags)
{
	char *path;
	int fd, saved;

	xasprintf(&path, "%s/%s", dir, name);
	fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	saved = errno;
	free(path);
	errno = saved;
	return fd;
}

int
slots_take(
    const char *dir, const char *name, unsigned int max, unsigned int *slot)
{
	struct flock fl;
	unsigned int i;
	int fd, saved;

	/* Write access: a write lock needs it, though nothing is written. */
	fd = slots_open(dir, name, O_RDWR | O_CREAT);
	if (fd == -1 && errno == ENOENT) {
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return -1;
		fd = slots_open(dir, name, O_RDWR | O_CREAT);
	}
	if (fd == -1)
		return -1;
	for (i = 0; i < max; i++) {
		slots_lock_of(&fl, F_WRLCK, i);
		/* Never waits: a taken slot is the next one's turn. */
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0) {
			*slot = i;
			return fd;
		}
		if (errno != EAGAIN && errno != EACCES)
			goto fail;
	}
	errno = EUSERS;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
slots_count(const char *dir, const char *name, unsigned int max)
{
	struct flock fl;
	unsigned int i;
	int fd, n = 0, saved;

	if ((fd = slots_open(dir, name, O_RDONLY)) == -1)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < max; i++) {
		/* Would a write lock conflict?  Then a session holds it. */
		slots_lock_of(&fl, F_WRLCK, i);
		if (fcntl(fd, F_OFD_GETLK, &fl) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (fl.l_type != F_UNLCK)
			n++;
	}
	close(fd);
	return n;
}
