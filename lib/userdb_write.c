/*
 * userdb_write.c: the user database's lock, and its atomic rewrite.
 *
 * Used by the admin tools (root), the only writers of the file.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "ofdlock.h"
#include "userdb.h"
#include "util.h"

/* The longest pause between two tries of userdb_lock. */
#define USERDB_LOCK_POLL_MS 100

int
userdb_lock(const char *path, int timeout_s)
{
	struct flock fl;
	char *lockpath;
	uint64_t deadline;
	int fd, saved, r;

	xasprintf(&lockpath, "%s.lock", path);
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	saved = errno;
	free(lockpath);
	if (fd == -1) {
		errno = saved;
		return -1;
	}
	deadline = mono_ms() + (uint64_t)(timeout_s > 0 ? timeout_s : 0) * 1000;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	/* OFD locks: held by this open file description, so a second open
	 * in the same process conflicts too. */
	if ((r = ofd_lock_poll(
		 fd, &fl, deadline, USERDB_LOCK_POLL_MS, NULL, NULL)) == 0)
		return fd;
	if (r == ERR_TIMEOUT)
		errno = EWOULDBLOCK;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* The directory that holds path, a new string. */
static char *
userdb_dir_of(const char *path)
{
	char *dir, *slash;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/* fsync the directory that holds path, so that a rename is durable. */
static int
userdb_sync_dir(const char *path)
{
	char *dir;
	int fd, rc, saved;

	dir = userdb_dir_of(path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	free(dir);
	if (fd == -1) {
		errno = saved;
		return -1;
	}
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * The temporary beside path: DIR/.BASE.tmp-XXXXXX, a name no one gives a
 * file of their own (users.backup would match BASE.??????), so that a
 * purge can remove one a crash left and nothing else.
 */
static char *
userdb_tmp_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *tmp;

	if (base == NULL)
		xasprintf(&tmp, ".%s.tmp-XXXXXX", path);
	else
		xasprintf(&tmp, "%.*s/.%s.tmp-XXXXXX", (int)(base - path), path,
		    base + 1);
	return tmp;
}

/*
 * Remove the temporaries a writer killed before its rename left beside
 * path (each with every user's hash, kept from before the changes that
 * came since): under the lock, no writer has one open.  Only names of
 * userdb_tmp_name's form, regular files; what cannot go stays.
 */
static void
userdb_purge_tmp(const char *path)
{
	const char *base = strrchr(path, '/');
	char *dir, *prefix;
	struct dirent *de;
	struct stat st;
	size_t plen;
	DIR *d;

	dir = userdb_dir_of(path);
	xasprintf(&prefix, ".%s.tmp-", base == NULL ? path : base + 1);
	plen = strlen(prefix);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, prefix, plen) == 0 &&
			    strlen(de->d_name + plen) == 6 &&
			    strspn(de->d_name + plen,
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789") == 6 &&
			    fstatat(dirfd(d), de->d_name, &st,
				AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode))
				(void)unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	free(prefix);
	free(dir);
}

int
userdb_write(const struct userdb *db, const char *path)
{
	/* Lines are gathered in a heap buffer and written in big pieces. */
	const size_t bufsz = 64 * 1024;
	const size_t linesz = MFTP_USERDB_LINE_MAX + 2;
	char *tmp, *buf, *line;
	size_t i, used = 0, n;
	int fd, saved;

	/* A file that userdb_parse would refuse is not written. */
	if (db->n > MFTP_USERDB_USERS_MAX) {
		errno = EFBIG;
		return -1;
	}
	userdb_purge_tmp(path);
	tmp = userdb_tmp_name(path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	buf = xmalloc(bufsz);
	line = xmalloc(linesz);
	if (fchmod(fd, 0600) == -1)
		goto fail;
	for (i = 0; i < db->n; i++) {
		if (userdb_format_line(&db->users[i], line, linesz) == -1) {
			errno = EINVAL;
			goto fail;
		}
		n = strlen(line);
		if (n > bufsz - used) {
			if (fd_write_all(fd, buf, used) == -1)
				goto fail;
			used = 0;
		}
		memcpy(buf + used, line, n);
		used += n;
	}
	if (fd_write_all(fd, buf, used) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	freezero(buf, bufsz);
	freezero(line, linesz);
	free(tmp);
	/*
	 * The new file is in place: whatever comes now, the change was
	 * made (a caller must not undo, nor skip what follows from it).
	 * Its name is made durable too, if the directory can be synced.
	 */
	return userdb_sync_dir(path) == -1 ? 1 : 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	freezero(buf, bufsz);
	freezero(line, linesz);
	free(tmp);
	errno = saved;
	return -1;
}
