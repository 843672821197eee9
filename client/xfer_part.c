/*
 * xfer_part.c: a download's LOCAL.part (xfer_part.h).
 *
 * Runs as: the user, in mftp.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "cmds.h"
#include "digest.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_key.h"
#include "xfer_part.h"
#include "xfer_local.h"

/*
 * A name whose .part (or the sidecar, ".NAME.part.key") would be longer
 * than a file name may be keeps its first XFER_PART_KEEP bytes, then
 * "~" and a hash of the whole name: the same each time, so it resumes.
 */
#define XFER_NAME_MAX 255
#define XFER_PART_KEEP 200

static char *
xfer_part_named_with(const char *local, const char *suffix)
{
	const char *slash = strrchr(local, '/');
	const char *base = slash != NULL ? slash + 1 : local;
	size_t blen = strlen(base);
	char *p;

	if (1 + blen + strlen(suffix) + strlen(".key") <= XFER_NAME_MAX)
		xasprintf(&p, "%s%s", local, suffix);
	else
		xasprintf(&p, "%.*s%.*s~%016llx%s", (int)(base - local), local,
		    XFER_PART_KEEP, base,
		    (unsigned long long)XXH3_64bits(base, blen), suffix);
	return p;
}

char *
xfer_part_path(const char *local)
{
	return xfer_part_named_with(local, ".part");
}

char *
xfer_part_alt(const char *local)
{
	return xfer_part_named_with(local, ".mftp-part");
}

char *
xfer_sidecar(const char *part)
{
	const char *slash = strrchr(part, '/');
	char *s;

	if (slash == NULL)
		xasprintf(&s, ".%s.key", part);
	else
		xasprintf(
		    &s, "%.*s/.%s.key", (int)(slash - part), part, slash + 1);
	return s;
}

/*
 * PART's sidecar into buf (len bytes at most, no NUL added), or -1:
 * only a regular file of the user's own, and no waiting on a FIFO of
 * that name.
 */
static ssize_t
xfer_sidecar_read(int at, const char *part, char *buf, size_t len)
{
	char *side = xfer_sidecar(part);
	struct stat st;
	ssize_t n = -1;
	int fd, e;

	fd = openat(at, xfer_at_name(at, side),
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	e = errno;
	free(side);
	if (fd == -1) {
		errno = e; /* no record, or one that could not be read */
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid())
		n = read(fd, buf, len);
	close(fd);
	return n;
}

/* PART's sidecar as a record, into k: 0, or -1 when it is none. */
static int
xfer_sidecar_record(int at, const char *part, struct xfer_key *k)
{
	char buf[XFER_KEY_TEXT_MAX];
	ssize_t n;

	n = xfer_sidecar_read(at, part, buf, sizeof(buf));
	return n > 0 && xfer_key_parse(buf, (size_t)n, k) == 0 ? 0 : -1;
}

/*
 * The key the part open on fd was started with: 0, or -1 when it has
 * none.  A
 * sidecar names the part it was written for by its inode, after the
 * size and mtime: one left behind (its part removed, or the client
 * killed before the sidecar went) must not make a file the user puts
 * there later look like mftp's.  One without (an earlier version's)
 * still counts.
 */
static int
xfer_key_read(int fd, int at, const char *part, uint64_t *size, int64_t *mtime)
{
	char buf[XFER_KEY_TEXT_MAX];
	struct xfer_key k;
	struct stat st;
	ssize_t n;

	n = fgetxattr(fd, XFER_KEY_XATTR, buf, sizeof(buf));
	if (n > 0 && xfer_key_parse(buf, (size_t)n, &k) == 0) {
		*size = k.size;
		*mtime = k.mtime;
		return 0;
	}
	if (n > 0 || xfer_sidecar_record(at, part, &k) == -1)
		return -1;
	*size = k.size;
	*mtime = k.mtime;
	return k.ino == 0 || (fstat(fd, &st) == 0 && st.st_ino == k.ino) ? 0 :
									   -1;
}

/*
 * Remove PART's sidecar record if it is the one of the part open on fd
 * (any record when fd is -1): a file of that name that does not read as
 * a record is someone else's, and so is a record naming another part
 * (another mftp's, made after this one's was renamed away).
 */
static void
xfer_sidecar_drop(int fd, int at, const char *part)
{
	struct xfer_key k;
	struct stat st;
	char *side;

	if (xfer_sidecar_record(at, part, &k) == -1)
		return;
	if (fd != -1 && k.ino != 0 &&
	    (fstat(fd, &st) == -1 || st.st_ino != k.ino))
		return;
	side = xfer_sidecar(part);
	(void)unlinkat(at, xfer_at_name(at, side), 0);
	free(side);
}

/* Best effort: without a key the .part is resumed only by get -c. */
void
xfer_key_write(int fd, int at, const char *part, uint64_t size, int64_t mtime)
{
	struct xfer_key k = { .size = size, .mtime = mtime, .ino = 0 }, old;
	char buf[XFER_KEY_TEXT_MAX], *side;
	const char *name;
	struct stat st;
	size_t len;
	int sfd;

	len = xfer_key_format(&k, buf, sizeof(buf));
	if (fsetxattr(fd, XFER_KEY_XATTR, buf, len, 0) == 0) {
		xfer_sidecar_drop(fd, at, part);
		return;
	}
	/* The sidecar names its part too (xfer_key_read). */
	if (fstat(fd, &st) == -1)
		return;
	k.ino = (uint64_t)st.st_ino;
	len = xfer_key_format(&k, buf, sizeof(buf));
	/*
	 * Only over a record (one left behind, or this part's): a file of
	 * the user's that has that name is not mftp's to write over.
	 */
	side = xfer_sidecar(part);
	name = xfer_at_name(at, side);
	sfd = openat(at, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (sfd == -1 && errno == EEXIST &&
	    xfer_sidecar_record(at, part, &old) == 0)
		sfd = openat(at, name,
		    O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (sfd != -1) {
		if (write(sfd, buf, len) != (ssize_t)len)
			(void)unlinkat(at, name, 0);
		close(sfd);
	}
	free(side);
}

void
xfer_key_drop(int fd, int at, const char *part)
{
	if (fd != -1)
		(void)fremovexattr(fd, XFER_KEY_XATTR);
	xfer_sidecar_drop(fd, at, part);
}

/*
 * LOCAL is one of mftp's descriptors (/dev/stdout), a device, a FIFO or
 * a socket (/dev/null, a pipe to another program): the data is written
 * into it as it comes, never through a .part renamed over it, which
 * would replace the device, or the file the descriptor is open on, with
 * a file of its own.
 */
int
xfer_is_direct(int at, const char *local)
{
	return xfer_local_fd(at, local) != -1 || xfer_local_special(at, local);
}

/*
 * Whether st, what a direct LOCAL is, is the pipe or FIFO the batch
 * commands come from (get f /dev/stdin with them on a pipe, or into the
 * FIFO of -b): the file would be read back as the next commands, ! and
 * all.  -1 with the reason in ctx when it is, else 0.
 */
static int
xfer_direct_cmds(struct cmd_ctx *ctx, const struct stat *st, const char *local)
{
	struct stat in;

	if (ctx->cmds_fd == -1 || !S_ISFIFO(st->st_mode) ||
	    fstat(ctx->cmds_fd, &in) == -1 || in.st_dev != st->st_dev ||
	    in.st_ino != st->st_ino)
		return 0;
	errno = EINVAL; /* not one to plan again later (xfer_plan_later) */
	return cmd_fail(ctx,
	    "%s: mftp reads its commands from there: a download into it "
	    "would be read back as commands",
	    local);
}

int
xfer_direct_check(struct cmd_ctx *ctx, int at, const char *local)
{
	int own = xfer_local_fd(at, local);
	struct stat st;

	if ((own != -1 ? fstat(own, &st) :
			 fstatat(at, xfer_at_name(at, local), &st, 0)) == -1)
		return 0; /* the open says why */
	return xfer_direct_cmds(ctx, &st, local);
}

/* Open a direct LOCAL for writing; -1 with the reason in ctx. */
int
xfer_open_direct(struct cmd_ctx *ctx, int at, const char *local)
{
	int fd, own = xfer_local_fd(at, local);
	struct stat st;

	if (own != -1)
		fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
	else
		fd = openat(at, xfer_at_name(at, local),
		    O_WRONLY | O_NOCTTY | O_CLOEXEC);
	/* A FIFO opens once a program reads it: Ctrl-C while none does. */
	if (fd == -1 && errno == EINTR)
		return cmd_fail(ctx,
		    "%s: interrupted while it waited to be opened (a FIFO "
		    "opens only once a program reads from it)",
		    local);
	if (fd == -1)
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	/* What was opened, whatever the name became since the plan. */
	if (fstat(fd, &st) == 0 && xfer_direct_cmds(ctx, &st, local) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The part still has the name it was opened by: nothing renamed over it. */
int
xfer_part_named(int fd, int at, const char *part)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 &&
	    fstatat(at, xfer_at_name(at, part), &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Lock fd, the part just opened, for this process: -1 with the reason
 * in ctx when another mftp holds it.  An OFD lock, not flock or
 * F_SETLK: it belongs to this open file, so that two downloads of one
 * process into one name are kept apart too, and closing any other
 * descriptor of the file leaves it.
 */
static int
xfer_part_lock(struct cmd_ctx *ctx, int fd, const char *part, const char *local)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return cmd_fail(ctx,
		    "%s: another mftp is downloading into %s: it was left "
		    "as it is",
		    local, part);
	return cmd_fail(ctx, "%s: cannot lock it: %s", part, strerror(errno));
}

/*
 * Whether path, a part, carries mftp's resume record: 1; 0 when it is
 * not there, not a regular file (a device is not opened) or has none;
 * 1 too when it cannot be looked at (not known to be the user's).
 */
static int
xfer_part_recorded(int at, const char *path)
{
	struct stat st;
	uint64_t size;
	int64_t mtime;
	int fd, r;

	if (fstatat(at, xfer_at_name(at, path), &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno != ENOENT;
	if (!S_ISREG(st.st_mode))
		return 0;
	fd = openat(at, xfer_at_name(at, path),
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return errno != ENOENT;
	r = xfer_key_read(fd, at, path, &size, &mtime) == 0;
	close(fd);
	return r;
}

int
xfer_part_pending(int at, const char *local)
{
	char *part = xfer_part_path(local), *alt = xfer_part_alt(local);
	int pending;

	pending = xfer_part_recorded(at, part) || xfer_part_recorded(at, alt);
	free(part);
	free(alt);
	return pending;
}

/*
 * Returned, with the reason in ctx, for a part that is not one of
 * mftp's downloads: the user's file, another user's, not a file.
 */
#define XFER_PART_FOREIGN (-3)

/*
 * Open the existing LOCAL.part and lock it: the descriptor, -1 with the
 * reason in ctx, XFER_PART_FOREIGN, or -2 when there is none.  The lock is taken before
 * anything is read from the file, and the name checked again after it:
 * the one whose lock was waited out may have renamed it onto LOCAL.
 */
static int
xfer_part_open(struct cmd_ctx *ctx, int at, const char *part, const char *local)
{
	const char *name = xfer_at_name(at, part);
	struct stat st;
	int fd, tries;

	for (tries = 0; tries < 3; tries++) {
		if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			return errno == ENOENT ?
			    -2 :
			    cmd_fail(ctx, "%s: %s", part, strerror(errno));
		if (!S_ISREG(st.st_mode))
			break;
		/* O_NONBLOCK: a FIFO put there meanwhile is not waited on. */
		fd = openat(
		    at, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd == -1 && errno == ENOENT)
			continue;
		if (fd == -1)
			return cmd_fail(ctx, "%s: %s", part, strerror(errno));
		if (xfer_part_lock(ctx, fd, part, local) == -1) {
			close(fd);
			return -1;
		}
		if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
			close(fd);
			break;
		}
		if (xfer_part_named(fd, at, part))
			return fd;
		close(fd);
	}
	(void)cmd_fail(ctx,
	    "%s: something that is not a file is there: it was left as it "
	    "is; move it away",
	    part);
	return XFER_PART_FOREIGN;
}

/*
 * Whether the locked part fd may be this download's, from s->offset,
 * and that offset itself: XFER_UNKNOWN asks for the plan (how much of a
 * part to keep; s->theirs set for one get -c takes up without a
 * record).  From 0 it is emptied: only a download of mftp's
 * (it has a resume record), or an empty file get -c asked for.  A file
 * of the user's that happens to have that name, or one a get -r fetched
 * a moment ago, is never written over: XFER_PART_FOREIGN for such a
 * file, -1 for another failure, both with the reason in ctx.
 */
#define XFER_UNKNOWN UINT64_MAX
static int
xfer_part_check(struct cmd_ctx *ctx, const struct xfer_item *it, int fd,
    const char *part, int mode, struct xfer_slot *s)
{
	uint64_t *offset = &s->offset;
	struct stat st;
	uint64_t ksize;
	int64_t kmtime;
	int key;

	/*
	 * Only a file of the user's own, with no other name: in /tmp
	 * another user could have left one to be written into, record and
	 * all.
	 */
	if (fstat(fd, &st) == -1)
		return cmd_fail(ctx, "%s: %s", part, strerror(errno));
	if (st.st_uid != geteuid() || st.st_nlink != 1) {
		(void)cmd_fail(ctx,
		    "%s: not a file of the user's own (or it has other "
		    "names): it was left as it is; move it away",
		    part);
		return XFER_PART_FOREIGN;
	}
	errno = 0; /* what is left of the record's reading, below */
	key = xfer_key_read(fd, it->at, part, &ksize, &kmtime) == 0;
	if (*offset == XFER_UNKNOWN) {
		*offset = 0;
		if (mode == XFER_FRESH || (uint64_t)st.st_size > it->attr.size)
			; /* from the start */
		else if (key && ksize == it->attr.size &&
		    kmtime == it->attr.mtime)
			*offset = (uint64_t)st.st_size;
		else if (!key && mode == XFER_FORCE &&
		    (*offset = (uint64_t)st.st_size) > 0) {
			s->theirs = 1;
			s->times[0] = st.st_atim;
			s->times[1] = st.st_mtim;
		}
		/* reget that starts over says why: not a silent restart. */
		if (key && *offset == 0 && mode != XFER_FRESH &&
		    st.st_size > 0 && !ctx->quiet)
			cmd_note("%s: the remote file changed since this part "
				 "was begun: downloading it from the start",
			    part);
	}
	if (*offset > 0 || key || (mode == XFER_FORCE && st.st_size == 0))
		return 0;
	/* A sidecar not read for want of a descriptor is not "none". */
	if (errno == EMFILE || errno == ENFILE)
		return cmd_fail(
		    ctx, "%s: its resume record: %s", part, strerror(errno));
	(void)cmd_fail(ctx,
	    mode == XFER_FORCE ?
		"%s: a file of that name is there, with no resume "
		"record, and cannot be the start of the remote file "
		"(it is larger): it was left as it is; move it away" :
		"%s: a file of that name is there and is not a "
		"download in progress (it has no resume record): it "
		"was left as it is; move it away",
	    part);
	return XFER_PART_FOREIGN;
}

/*
 * Take s->part if it is there, locked, and say where the download
 * starts: 0; -2 when there is none; -1 or XFER_PART_FOREIGN with the
 * reason in ctx and errno.
 */
static int
xfer_plan_take(struct cmd_ctx *ctx, const struct xfer_item *it, int mode,
    struct xfer_slot *s)
{
	int r, e;

	if ((s->fd = xfer_part_open(ctx, it->at, s->part, it->local)) < 0) {
		r = s->fd;
		s->fd = -1;
		return r;
	}
	s->offset = XFER_UNKNOWN;
	if ((r = xfer_part_check(ctx, it, s->fd, s->part, mode, s)) != 0) {
		e = errno;
		close(s->fd);
		s->fd = -1;
		s->offset = 0;
		errno = e;
	}
	return r;
}

static void
xfer_swap(char **a, char **b)
{
	char *t = *a;

	*a = *b;
	*b = t;
}

/*
 * Which part the download goes into, and from where.  LOCAL.part, or
 * beside a file of that name that is not one of mftp's downloads (a
 * browser's, the user's, the remote LOCAL.part that a get -r fetched
 * before), LOCAL.mftp-part: the user's file is left as it is and the
 * download still goes.  A LOCAL.mftp-part with mftp's record is such a
 * download interrupted, and is looked at first, in every mode: get -c
 * (reget, which the line of an interruption gives) resumes it as get
 * does, rather than take up the user's LOCAL.part beside it.  Only get
 * -c, which is asked to resume LOCAL.part whatever made it, takes that
 * one up, or fails.  A LOCAL.mftp-part without the record is the
 * user's too, and left alone.  -1 with the reason in ctx and errno.
 */
static int
xfer_plan_part(struct cmd_ctx *ctx, const struct xfer_item *it, int mode,
    struct xfer_slot *s)
{
	char *other = xfer_part_path(it->local);
	struct stat st;
	int alt = -2, r;

	s->part = xfer_part_alt(it->local);
	if (fstatat(it->at, xfer_at_name(it->at, s->part), &st,
		AT_SYMLINK_NOFOLLOW) == 0) {
		alt = xfer_plan_take(
		    ctx, it, mode == XFER_FORCE ? XFER_AUTO : mode, s);
		if (alt == 0 || alt == -1) {
			r = alt;
			goto out;
		}
	}
	/* It is not mftp's, or not there: LOCAL.part. */
	xfer_swap(&s->part, &other);
	r = xfer_plan_take(ctx, it, mode, s);
	if (r == XFER_PART_FOREIGN && mode != XFER_FORCE) {
		/* Beside the user's: LOCAL.mftp-part, made when the data
		 * comes, unless a file of the user's has that name too
		 * (taken again, for its reason). */
		xfer_swap(&s->part, &other);
		r = alt == -2 ? -2 : xfer_plan_take(ctx, it, XFER_AUTO, s);
	}
out:
	free(other);
	if (r == -2)
		return 0; /* made when the data comes */
	if (r == XFER_PART_FOREIGN) {
		errno = EINVAL; /* not one to plan again later */
		return -1;
	}
	return r;
}

/*
 * Before its GET goes: take an existing part (locked) and say where the
 * download starts.  One that is not there is made when the data comes.
 * -1 with the reason in ctx and errno: the GET is not sent.
 */
int
xfer_plan(struct cmd_ctx *ctx, const struct xfer_item *it, int mode,
    struct xfer_slot *s)
{
	struct stat st;
	int e;

	s->fd = -1;
	s->offset = 0;
	s->theirs = 0;
	if (xfer_is_direct(it->at, it->local))
		return xfer_direct_check(ctx, it->at, it->local);
	if (xfer_local_readonly(it->at, it->local)) {
		errno = EINVAL; /* not one to plan again later */
		return cmd_fail(ctx, XFER_READONLY_TEXT, it->local);
	}
	/* No GET for a file that could not be saved: its data would be
	 * received whole and thrown away. */
	if (xfer_local_dir_ok(it->at, it->local) == -1) {
		e = errno;
		errno = EINVAL;
		return cmd_fail(ctx, "%s: %s", it->local, strerror(e));
	}
	/* Nor for one whose name is a directory (in get -r's tree), which
	 * the part could not be renamed onto. */
	if (fstatat(it->at, xfer_at_name(it->at, it->local), &st,
		AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		errno = EINVAL;
		return cmd_fail(ctx, "%s: %s", it->local, strerror(EISDIR));
	}
	return xfer_plan_part(ctx, it, mode, s);
}

/*
 * The part for data from s->offset on, locked: the one the plan took,
 * or one made now, or (another was made since the plan) that one if it
 * may be emptied.  Its kept bytes stay; the rest goes.  -1 with the
 * reason in ctx.
 */
int
xfer_open_part(struct cmd_ctx *ctx, const struct xfer_item *it,
    struct xfer_slot *s, int mode)
{
	const char *part = s->part;
	int fd = s->fd;
	struct stat st;

	s->fd = -1;
	if (fd == -1) {
		fd = openat(it->at, xfer_at_name(it->at, part),
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd != -1 &&
		    xfer_part_lock(ctx, fd, part, it->local) == -1) {
			/* Made, and locked at once by another: it is theirs. */
			close(fd);
			return -1;
		}
		if (fd == -1 && errno != EEXIST)
			return cmd_fail(ctx, "%s: %s", part, strerror(errno));
		if (fd == -1 &&
		    ((fd = xfer_part_open(ctx, it->at, part, it->local)) < 0 ||
			xfer_part_check(ctx, it, fd, part, mode, s) != 0)) {
			if (fd == -2)
				cmd_fail(ctx, "%s: %s", part, strerror(ENOENT));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	/* What is kept, and from there on (all of it emptied from 0). */
	if (!xfer_part_named(fd, it->at, part) || fstat(fd, &st) == -1) {
		close(fd);
		return cmd_fail(ctx,
		    "%s: replaced while the download waited for its data: "
		    "the new one was left as it is",
		    part);
	}
	/*
	 * A part of the user's is never cut: one whose size changed since
	 * its bytes were hashed is being written by another program (a
	 * browser's download still going on).
	 */
	if (s->theirs && st.st_size != (off_t)s->offset) {
		close(fd);
		return cmd_fail(ctx,
		    "%s: it changed while the download waited for its data "
		    "(another program writes into it?): it was left as it is",
		    part);
	}
	if ((st.st_size != (off_t)s->offset &&
		ftruncate(fd, (off_t)s->offset) == -1) ||
	    lseek(fd, (off_t)s->offset, SEEK_SET) == -1) {
		cmd_fail(ctx, "%s: %s", part, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A slot's part, untouched: its lock goes with its descriptor. */
void
xfer_slot_free(struct xfer_slot *s)
{
	if (s->fd != -1)
		close(s->fd);
	digest_free(s->kept);
	free(s->part);
	free(s->why);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
