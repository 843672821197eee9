/*
 * cmd_link.c: CHMOD, SYMLINK and READLINK.
 *
 * Runs as: the logged-in user, chrooted to the home.  Like the other
 * requests that change a name, each opens the directory that holds its
 * entry once (cmd_at_open) and works relative to it, the last component
 * never followed.
 *
 * CHMOD changes only the permission bits (0777) of a file or a
 * directory, never of an upload's partial (.NAME.mftp-part): it stays
 * 0600, so that the next PUT can resume it and REMOVE discard it.
 * Linux has no permissions of its own for a symbolic link (chmod(2)
 * would change its target), so CHMOD of a link is refused.
 * Debian 12's kernel has no fchmodat2() and glibc's fchmodat() emulates
 * AT_SYMLINK_NOFOLLOW through /proc, which the chroot does not have; so
 * the entry is looked at with fstatat (not followed) and changed with
 * fchmodat under the accounting file's lock, where every other session
 * of the user that renames, removes or links waits: the entry cannot
 * become a link between the look and the change.
 *
 * SYMLINK makes a link that holds any string (a dangling one too, as
 * sftp allows); the chroot makes every link resolve inside the home.  It
 * is charged as the recount counts it (quota.h): QUOTA_ENTRY_BYTES and
 * one file (nothing in a directory mounted into the home), before it is
 * made, under one hold of the lock; REMOVE gives it back like any entry.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "msg.h"
#include "proto.h"
#include "quota.h"
#include "session.h"

/* The longest target symlink(2) takes: PATH_MAX with its NUL. */
#define CMD_LINK_TARGET_MAX (PATH_MAX - 1)

/* How often CHMOD looks again when another session got between. */
#define CMD_CHMOD_TRIES 5

/* Only a client that asked for them in HELLO sends these requests. */
#define CMD_LINK_NEGOTIATED(s) (((s)->features & MFTP_FEAT_CHMOD_SYMLINK) != 0)

/* A name ending in .mftp-part: the server's, for uploads in progress. */
static int
cmd_link_reserved(struct session *s, const char *path)
{
	return session_reply_error(s, MFTP_ST_INVALID,
	    "%s: names ending in .mftp-part are kept for uploads in progress",
	    path);
}

static int
cmd_link_refuse(struct session *s, const struct msg *m)
{
	return session_reply_error(s, MFTP_ST_INVALID,
	    "%s was not negotiated in HELLO (feature bit 0x%llx)",
	    msg_name(m->type), (unsigned long long)MFTP_FEAT_CHMOD_SYMLINK);
}

/* CHMOD's change, made under the accounting file's lock. */
struct cmd_chmod {
	int dfd;
	const char *name;
	const struct stat *st;
	mode_t mode;
	int stale; /* the entry changed since it was looked at */
};

static int
cmd_chmod_apply(void *arg)
{
	struct cmd_chmod *c = arg;

	/* Same device, inode and type: not a link put in its place. */
	if (!cmd_at_same(c->dfd, c->name, c->st)) {
		c->stale = 1;
		errno = EAGAIN;
		return -1;
	}
	return fchmodat(c->dfd, c->name, c->mode, 0);
}

int
cmd_chmod(struct session *s, const struct msg *m)
{
	char why[SESSION_WHY_MAX], *name;
	struct cmd_chmod c;
	struct stat st;
	uint32_t status;
	int dfd, ret, tries;

	if (!CMD_LINK_NEGOTIATED(s))
		return cmd_link_refuse(s, m);
	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	/*
	 * A partial's mode is the upload's: without its owner's write bit
	 * no PUT could open it again, nor REMOVE discard it.
	 */
	if (cmd_put_is_partial(m->path))
		return cmd_link_reserved(s, m->path);
	/*
	 * Files in a home are data, never programs run with their owner's
	 * rights: a setuid or setgid file here would be one for anyone who
	 * reaches the storage another way (a shell, an NFS mount), and the
	 * sticky bit means nothing to a user alone in the home.
	 */
	if ((m->mode & ~(uint32_t)0777) != 0)
		return session_reply_error(s, MFTP_ST_PERM,
		    "%s: mode %04o refused: only the permission bits (0777) "
		    "may be set; setuid, setgid and sticky bits are not "
		    "allowed on this server",
		    m->path, (unsigned int)m->mode);
	if ((dfd = cmd_at_open(m->path, &name)) == -1)
		return cmd_at_failed(s, m->path);
	for (tries = 0; tries < CMD_CHMOD_TRIES; tries++) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			ret = session_reply_errno(s, errno, m->path);
			goto out;
		}
		if (cmd_at_slashed(m->path) && !S_ISDIR(st.st_mode)) {
			ret = session_reply_errno(s, ENOTDIR, m->path);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ret = session_reply_error(s, MFTP_ST_INVALID,
			    "%s: is a symbolic link, which has no permissions "
			    "of its own on Linux; chmod its target instead",
			    m->path);
			goto out;
		}
		memset(&c, 0, sizeof(c));
		c.dfd = dfd;
		c.name = name;
		c.st = &st;
		c.mode = (mode_t)m->mode;
		if (S_ISDIR(st.st_mode))
			c.mode |= CMD_DIR_KEPT_BITS;
		status = cmd_quota_change(
		    s, m->path, 0, 0, cmd_chmod_apply, &c, why, sizeof(why));
		if (status == 0) {
			ret = session_reply_ok(s);
			goto out;
		}
		if (!c.stale) {
			ret = session_reply_error(s, status, "%s", why);
			goto out;
		}
	}
	ret = session_reply_error(s, MFTP_ST_IO,
	    "%s: changed by another session meanwhile; try again", m->path);
out:
	cmd_at_close(dfd, name);
	return ret;
}

/* SYMLINK's change, made under the accounting file's lock. */
struct cmd_symlink {
	int dfd;
	const char *name;
	const char *target;
};

static int
cmd_symlink_apply(void *arg)
{
	const struct cmd_symlink *c = arg;

	return symlinkat(c->target, c->dfd, c->name);
}

int
cmd_symlink(struct session *s, const struct msg *m)
{
	char why[SESSION_WHY_MAX], *name;
	struct cmd_symlink c;
	struct stat st;
	uint32_t status;
	int dfd;

	if (!CMD_LINK_NEGOTIATED(s))
		return cmd_link_refuse(s, m);
	if (m->path[0] == '\0' || m->path2[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (strlen(m->path) > CMD_LINK_TARGET_MAX)
		return session_reply_error(s, MFTP_ST_INVALID,
		    "%s: target longer than %d bytes", m->path2,
		    CMD_LINK_TARGET_MAX);
	if (cmd_put_is_partial(m->path2))
		return cmd_link_reserved(s, m->path2);
	/* ".", ".." and "/" name no new entry: directories that exist. */
	if ((dfd = cmd_at_open(m->path2, &name)) == -1)
		return session_reply_errno(
		    s, errno == EINVAL ? EEXIST : errno, m->path2);
	/*
	 * An existing name is said as such, not as "quota exceeded" when
	 * the quota is full; symlinkat below still has the last word.
	 */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		cmd_at_close(dfd, name);
		return session_reply_errno(s, EEXIST, m->path2);
	}
	/* "l/" names a directory, which a link is not (symlink(2)). */
	if (cmd_at_slashed(m->path2)) {
		cmd_at_close(dfd, name);
		return session_reply_error(s, MFTP_ST_INVALID,
		    "%s: a link's name cannot end in '/'", m->path2);
	}
	/* Charged first, then made, under one lock: never counted short. */
	c.dfd = dfd;
	c.name = name;
	c.target = m->path;
	status = cmd_quota_new_entry(
	    s, dfd, m->path2, cmd_symlink_apply, &c, why, sizeof(why));
	cmd_at_close(dfd, name);
	if (status != 0)
		return session_reply_error(s, status, "%s", why);
	return session_reply_ok(s);
}

int
cmd_readlink(struct session *s, const struct msg *m)
{
	char target[PATH_MAX], *name;
	struct msg r;
	ssize_t n;
	int dfd, saved;

	if (!CMD_LINK_NEGOTIATED(s))
		return cmd_link_refuse(s, m);
	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if ((dfd = cmd_at_open(m->path, &name)) == -1)
		return cmd_at_failed(s, m->path);
	/*
	 * "l/" names what the link leads to, never the link: readlink(2)
	 * follows it and says why that is no link (a directory, or a file
	 * that a '/' cannot follow).
	 */
	if (cmd_at_slashed(m->path))
		n = readlinkat(AT_FDCWD, m->path, target, sizeof(target) - 1);
	else
		n = readlinkat(dfd, name, target, sizeof(target) - 1);
	saved = errno;
	cmd_at_close(dfd, name);
	if (n == -1 && saved == EINVAL)
		return session_reply_error(
		    s, MFTP_ST_INVALID, "%s: not a symbolic link", m->path);
	if (n == -1)
		return session_reply_errno(s, saved, m->path);
	target[n] = '\0';
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_PATH;
	r.path = target;
	return session_reply_msg(s, &r);
}
