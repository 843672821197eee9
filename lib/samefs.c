/*
 * samefs.c: an entry's mount, by statx (samefs.h).
 *
 * Runs as: root (ftpuser-del, ftpuser-quota) and the logged-in user,
 * chrooted (the serving process counting its home), whose sandbox allows
 * statx for this.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "samefs.h"

#define SAMEFS_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)

static int
samefs_statx(int dfd, const char *name, struct statx *sx)
{
	int flags = SAMEFS_FLAGS;

	if (name[0] == '\0')
		flags |= AT_EMPTY_PATH;
	return statx(dfd, name, flags, STATX_BASIC_STATS | STATX_MNT_ID, sx);
}

/* What fstatat would have filled in. */
static void
samefs_to_stat(const struct statx *sx, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->st_ino = sx->stx_ino;
	st->st_mode = sx->stx_mode;
	st->st_nlink = sx->stx_nlink;
	st->st_uid = sx->stx_uid;
	st->st_gid = sx->stx_gid;
	st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	st->st_atim.tv_sec = sx->stx_atime.tv_sec;
	st->st_atim.tv_nsec = sx->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = sx->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = sx->stx_ctime.tv_nsec;
}

int
samefs_of(int fd, struct samefs *on)
{
	struct statx sx;

	if (samefs_statx(fd, "", &sx) == -1)
		return -1;
	on->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	on->have_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0;
	on->mnt_id = on->have_mnt_id ? sx.stx_mnt_id : 0;
	return 0;
}

int
samefs_statat(
    int dfd, const char *name, const struct samefs *on, struct stat *st)
{
	struct statx sx;

	if (samefs_statx(dfd, name, &sx) == -1)
		return -1;
	samefs_to_stat(&sx, st);
	if (st->st_dev != on->dev)
		return 0;
	if (!on->have_mnt_id)
		return 1;
	/* A mount id for the root but none here: no telling, so not ours. */
	return (sx.stx_mask & STATX_MNT_ID) != 0 && sx.stx_mnt_id == on->mnt_id;
}
