/*
 * quota_state.c: what an accounting file says of its account, beside
 * the usage it holds: marked locked, or removed (quota.h).
 *
 * Runs in: the serving process (its watch, every change of the home),
 * and the admin tools (the lock mark).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "quota.h"

int
quota_account_state(int fd, int fresh)
{
	struct statx sx;

	/*
	 * fresh: from the file server, not the attribute cache.  Over NFS,
	 * fstat believes what it has for up to acregmax (60 s by default),
	 * so a --lock or a removal made on another node would go unseen
	 * that long.  A local file system has nothing to fetch.
	 */
	if (statx(fd, "",
		AT_EMPTY_PATH |
		    (fresh ? AT_STATX_FORCE_SYNC : AT_STATX_SYNC_AS_STAT),
		STATX_MODE | STATX_NLINK, &sx) == -1)
		return errno == ESTALE ? QUOTA_ACCOUNT_REMOVED :
					 QUOTA_ACCOUNT_OPEN;
	if (sx.stx_nlink == 0)
		return QUOTA_ACCOUNT_REMOVED;
	return (sx.stx_mode & S_IWUSR) == 0 ? QUOTA_ACCOUNT_LOCKED :
					      QUOTA_ACCOUNT_OPEN;
}

int
quota_removed(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return errno == ESTALE;
	return st.st_nlink == 0;
}

int
quota_set_locked(const char *dir, const char *name, int locked)
{
	int fd, r, saved;

	if ((fd = quota_open(dir, name)) == -1)
		return -1;
	r = fchmod(fd, locked ? 0400 : 0600);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}
