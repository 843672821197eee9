/*
 * cmd_dir.c: PWD, CWD, LIST, MKDIR and STAT.
 *
 * Runs as: the logged-in user, chrooted to the home.  Paths are used as
 * the client sent them: the kernel resolves them inside the chroot, so
 * "..", absolute paths and symlinks all stay within the home, and the
 * user's own uid bounds what can be touched.  MKDIR makes its directory
 * in the parent it opened once (cmd_at_open), charged QUOTA_ENTRY_BYTES
 * and one file, or nothing in a directory mounted into the home, which
 * the count leaves out (cmd_quota_new_entry).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "quota.h"
#include "session.h"
#include "util.h"

/* What a client sends as "here". */
static const char *
cmd_path(const struct msg *m)
{
	return m->path == NULL || m->path[0] == '\0' ? "." : m->path;
}

/* PATH with cwd, the session's directory. */
static int
cmd_reply_path(struct session *s, char *cwd)
{
	struct msg r;

	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_PATH;
	r.path = cwd;
	return session_reply_msg(s, &r);
}

/*
 * The working directory into buf, as the kernel says it, or NULL with
 * errno: ENAMETOOLONG for a path longer than buf (PATH carries at most
 * PATH_MAX bytes), ENOENT for a directory removed or out of reach.  Not
 * glibc's getcwd: where the kernel refuses a long path, it climbs ".."
 * and reads every directory above to find the names, as many as the
 * user nested and as large as the user filled them, for one request,
 * only to fail with ERANGE at the end.
 */
static char *
cmd_getcwd(char *buf, size_t size)
{
	long n = syscall(SYS_getcwd, buf, size);

	if (n == -1) {
		if (errno == ERANGE)
			errno = ENAMETOOLONG;
		return NULL;
	}
	if (n <= 0 || buf[0] != '/') {
		errno = ENOENT;
		return NULL;
	}
	return buf;
}

static int
cmd_reply_cwd(struct session *s)
{
	char cwd[PATH_MAX];

	if (cmd_getcwd(cwd, sizeof(cwd)) == NULL)
		return session_reply_errno(s, errno, "current directory");
	return cmd_reply_path(s, cwd);
}

int
cmd_pwd(struct session *s, const struct msg *m)
{
	return cmd_reply_cwd(s);
}

int
cmd_cwd(struct session *s, const struct msg *m)
{
	const char *path = m->path[0] == '\0' ? "/" : m->path;
	char cwd[PATH_MAX];
	int e, old;

	/*
	 * Where the session is, held by descriptor to come back to: its
	 * path may be too long to say (another session moved it deeper),
	 * or lead elsewhere once another session renamed a directory.
	 */
	if ((old = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return session_reply_errno(s, errno, "current directory");
	if (chdir(path) == -1) {
		e = errno;
		close(old);
		return session_reply_errno(s, e, path);
	}
	/*
	 * A directory whose path is too long to be said (nor sent) is no
	 * place to be: refused, and the session stays where it was.
	 */
	if (cmd_getcwd(cwd, sizeof(cwd)) == NULL) {
		e = errno;
		if (fchdir(old) == -1)
			log_warn("user=%s: cd back", s->user);
		close(old);
		return session_reply_errno(s, e, path);
	}
	close(old);
	return cmd_reply_path(s, cwd);
}

/* MKDIR's change, made under the accounting file's lock. */
struct cmd_mkdir {
	int dfd;
	const char *name;
	mode_t mode;
};

static int
cmd_mkdir_apply(void *arg)
{
	const struct cmd_mkdir *c = arg;

	return mkdirat(c->dfd, c->name, c->mode);
}

int
cmd_mkdir(struct session *s, const struct msg *m)
{
	char why[SESSION_WHY_MAX], *name;
	struct cmd_mkdir c;
	struct stat st;
	uint32_t status;
	int dfd;

	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (cmd_put_is_partial(m->path))
		return session_reply_error(s, MFTP_ST_INVALID,
		    "%s: names ending in .mftp-part are kept for uploads in "
		    "progress",
		    m->path);
	/* ".", ".." and "/" name no new entry: directories that exist. */
	if ((dfd = cmd_at_open(m->path, &name)) == -1)
		return session_reply_errno(
		    s, errno == EINVAL ? EEXIST : errno, m->path);
	/*
	 * An existing name is said as such, not as "quota exceeded" when
	 * the quota is full: mftp's put -r takes EXISTS as "there already"
	 * and goes on into it.  mkdirat below still has the last word.
	 */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		cmd_at_close(dfd, name);
		return session_reply_errno(s, EEXIST, m->path);
	}
	/* Charged first, then made, under one lock: never counted short. */
	c.dfd = dfd;
	c.name = name;
	c.mode = (mode_t)(m->mode & 0777) | CMD_DIR_KEPT_BITS;
	status = cmd_quota_new_entry(
	    s, dfd, m->path, cmd_mkdir_apply, &c, why, sizeof(why));
	cmd_at_close(dfd, name);
	if (status != 0)
		return session_reply_error(s, status, "%s", why);
	return session_reply_ok(s);
}

int
cmd_stat(struct session *s, const struct msg *m)
{
	const char *path = cmd_path(m);
	struct stat st;
	struct msg r;

	/* Follow links (they resolve inside the home); show dangling ones. */
	if (stat(path, &st) == -1 && lstat(path, &st) == -1)
		return session_reply_errno(s, errno, path);
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_ATTR;
	msg_attr_from_stat(&st, &r.attr);
	return session_reply_msg(s, &r);
}

/* Bytes one entry takes in a DIRENTS frame. */
#define CMD_ENTRY_BYTES(namelen) (4 + (namelen) + 1 + 4 + 8 + 8)
/* Room for the frame's own header: length, type, count. */
#define CMD_DIRENTS_ROOM (MFTP_FRAME_MAX - 16)

/* Empty the batch in r without sending it. */
static void
cmd_drop_entries(struct msg *r)
{
	size_t i;

	for (i = 0; i < r->nentries; i++)
		free(r->entries[i].name);
	r->nentries = 0;
}

/* Send the batch in r (if any) and empty it; *sent once one went out. */
static int
cmd_flush_entries(struct session *s, struct msg *r, size_t *bytes, int *sent)
{
	int ret = 0;

	if (r->nentries > 0) {
		ret = session_reply_msg(s, r);
		*sent = 1;
	}
	cmd_drop_entries(r);
	*bytes = 0;
	return ret;
}

int
cmd_list(struct session *s, const struct msg *m)
{
	const char *path = cmd_path(m);
	struct msg_entry *e;
	struct dirent *de;
	struct stat st;
	struct msg r;
	size_t bytes = 0, len;
	DIR *d;
	int fd, err, sent = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		/*
		 * A file lists as itself, and so does a link that leads
		 * nowhere: dangling (ENOENT), a loop (ELOOP) or a target
		 * too long to follow (ENAMETOOLONG), as ls(1) shows them.
		 * When PATH itself is at fault, lstat fails the same way.
		 */
		if (errno != ENOTDIR && errno != ENOENT && errno != ELOOP &&
		    errno != ENAMETOOLONG)
			return session_reply_errno(s, errno, path);
		if (lstat(path, &st) == -1)
			return session_reply_errno(s, errno, path);
		memset(&r, 0, sizeof(r));
		r.type = MFTP_MSG_DIRENTS;
		r.entries = xcalloc(1, sizeof(*r.entries));
		/* The last component: a name, as in a directory listing. */
		r.entries[0].name = strrchr(path, '/') != NULL &&
			strrchr(path, '/')[1] != '\0' ?
		    strrchr(path, '/') + 1 :
		    (char *)path;
		r.nentries = 1;
		msg_attr_from_stat(&st, &r.entries[0].attr);
		if (session_reply_msg(s, &r) != 0) {
			free(r.entries);
			return -1;
		}
		free(r.entries);
		return session_reply_ok(s);
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return session_reply_errno(s, errno, path);
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_DIRENTS;
	r.entries = xcalloc(MFTP_LIST_BATCH, sizeof(*r.entries));
	for (;;) {
		/* readdir's end and its failure are told apart by errno. */
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			/*
			 * Gone between readdir and stat, or one entry that
			 * cannot be looked at: leave it out.  But EACCES is
			 * the directory's: it can be read and not searched
			 * (mode 0644), and no entry can be looked at.  Said
			 * as such, not listed as empty (a get -r would fetch
			 * nothing and succeed); nothing has gone out yet.
			 */
			if (errno != EACCES || sent)
				continue;
			err = errno;
			cmd_drop_entries(&r);
			free(r.entries);
			closedir(d);
			return session_reply_errno(s, err, path);
		}
		len = strlen(de->d_name);
		if (r.nentries == MFTP_LIST_BATCH ||
		    bytes + CMD_ENTRY_BYTES(len) > CMD_DIRENTS_ROOM)
			if (cmd_flush_entries(s, &r, &bytes, &sent) != 0)
				goto gone;
		e = &r.entries[r.nentries++];
		e->name = xstrdup(de->d_name);
		msg_attr_from_stat(&st, &e->attr);
		bytes += CMD_ENTRY_BYTES(len);
	}
	/*
	 * The directory could not be read to its end (a disk error, or
	 * removed meanwhile): what was read is not all of it, and the
	 * listing ends in that error, not OK (a get -r would fetch a part
	 * of the tree and succeed).
	 */
	if (errno != 0) {
		err = errno;
		cmd_drop_entries(&r);
		free(r.entries);
		closedir(d);
		return session_reply_errno(s, err, path);
	}
	if (cmd_flush_entries(s, &r, &bytes, &sent) != 0)
		goto gone;
	free(r.entries);
	closedir(d);
	return session_reply_ok(s);
gone:
	free(r.entries);
	closedir(d);
	return -1;
}
