/*
 * samefs.h: whether an entry of a tree is on the mount the walk started
 * on, for the walks that must stay on it (ftpuser-del --remove-home, the
 * count of a home for the accounting file).
 *
 * A bind mount of a directory of the same file system (the usual way to
 * share a directory into chrooted homes) has the st_dev of its mount
 * point, so st_dev alone does not see it; the mount id (statx
 * STATX_MNT_ID, Linux 5.8) does.  Both are compared: the st_dev catches
 * another file system where the kernel gives no mount id.
 */
#ifndef MFTP_SAMEFS_H
#define MFTP_SAMEFS_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>

/* The mount a walk started on. */
struct samefs {
	dev_t dev;
	uint64_t mnt_id;
	int have_mnt_id; /* 0: the kernel gives none; st_dev alone decides */
};

/* The mount of the file open on fd: 0, or -1 with errno. */
int samefs_of(int fd, struct samefs *on);

/*
 * Stat name relative to dfd without following a link (name "": dfd
 * itself), filling *st as fstatat would, and tell whether it is on the
 * mount on: 1 it is; 0 it is not (a mount point, of a bind mount too, or
 * anything on another file system), and a walk must leave it and what is
 * below it alone; -1 with errno when it cannot be stat'ed.
 */
int samefs_statat(
    int dfd, const char *name, const struct samefs *on, struct stat *st);

#endif
