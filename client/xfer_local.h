/*
 * xfer_local.h: where a download's bytes go on this machine, when its
 * local name is not a plain file: one of mftp's own descriptors
 * (/dev/stdout), a device, FIFO or socket, or a symbolic link.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_XFER_LOCAL_H
#define MFTP_CLIENT_XFER_LOCAL_H

/*
 * Each name here is taken in the directory at (a descriptor, or
 * AT_FDCWD), as struct xfer_item's at says: with a descriptor, only
 * the name's last component is looked up, in that directory, so that
 * no directory of the path is looked up by its name again (get -r).
 */

/* What a system call on path in at is given: path, or its last part. */
const char *xfer_at_name(int at, const char *path);

/*
 * The descriptor LOCAL names, or -1: standard output or error, as
 * "/dev/stdout", "/dev/stderr", "/dev/fd/1" or "/proc/self/fd/2", or a
 * link of the user's or root's to one of those (as /dev/stdout is to
 * /proc/self/fd/1).  A download to it is written into that descriptor,
 * where it stands (appended after ">>"), never through a .part renamed
 * over the file the descriptor is open on.
 */
int xfer_local_fd(int at, const char *local);

/*
 * Nonzero if LOCAL is a device, a FIFO or a socket (/dev/null, a named
 * pipe) of the user's or root's, reached by no link of another user's:
 * written into as it is, never replaced by a file.
 */
int xfer_local_special(int at, const char *local);

/*
 * The file a symbolic link LOCAL leads to, for the download to go to it
 * (its .part beside it, renamed onto it) and the link to stay: a new
 * string, or NULL to use LOCAL as it is (not a link; a link owned by
 * neither this user nor root, which is replaced, not followed, so that
 * another user's link in /tmp cannot aim a download at this user's
 * files).  One step: the name the link holds, beside the link when it
 * is relative, whether or not a file is there yet.  *at becomes
 * AT_FDCWD when the name found is not one in the directory at (an
 * absolute one, or one with a '/').
 */
char *xfer_local_follow(int *at, const char *local);

/*
 * The directory name in at (a descriptor or AT_FDCWD; named path for
 * the messages), made with mode if it is not there, opened without
 * following a symbolic link put there meanwhile: get -r and mget -r go
 * into it by the descriptor, never by its name again.  An existing
 * directory is taken as it is, and so is a link of this user's (or
 * root's) to one, gone through as a file's is, and so on along a
 * chain of such links (at most 8); another user's link is refused,
 * there or where a link of the user's leads: in a directory others
 * may write, as under /tmp, it could aim the download at any
 * directory of the user's.  The descriptor, or
 * -1 with the reason in ctx.
 */
struct cmd_ctx;
int xfer_local_dir(struct cmd_ctx *ctx, int at, const char *name,
    const char *path, unsigned int mode);

/*
 * rel ("a/b/f") below the directory top, opened with flags, each
 * component looked up in the one before it and none followed if it is
 * a symbolic link (O_NOFOLLOW): put -r reads its tree so, and a
 * directory swapped for a link after the walk read it is not gone
 * through.  The descriptor, or -1 with errno (ELOOP or ENOTDIR: a link
 * or a file is where a directory or the file was).
 */
int xfer_local_open_below(int top, const char *rel, int flags);

/*
 * Nonzero if LOCAL is a regular file this user may not write (mode
 * 0444, or another user's), as access(2) says: root may write any.  A
 * download does not replace it, though the rename that would needs only
 * the directory: sftp, lftp and ftp fail there with EACCES, and the
 * user protected the file.
 */
int xfer_local_readonly(int at, const char *local);

/*
 * 0 if the directory LOCAL goes in (at itself, when a descriptor) is
 * there and this user may make files in it, as access(2) says (root
 * may in any but a read-only one); else -1 with errno.  A download
 * checks it before its GET: found only when the data came, the whole
 * file would be received for nothing.
 */
int xfer_local_dir_ok(int at, const char *local);

/* Why: "%s" is LOCAL. */
#define XFER_READONLY_TEXT                                                \
	"%s: read-only (you may not write to it): it was left as it is; " \
	"to download over it, make it writable (chmod u+w) or remove it"

#endif
