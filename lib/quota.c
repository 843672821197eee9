/*
 * quota.c: a user's accounting file (see quota.h): the limit arithmetic,
 * the one-line format, and its locked read-modify-write and recount.
 *
 * Runs as: root (the monitor opening the file before the chroot, and the
 * ftpuser-* tools), and the logged-in user, chrooted (the serving process
 * charging through the descriptor the monitor opened).  Nothing here
 * follows a symbolic link or opens a path after the chroot.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "quota.h"
#include "util.h"

#define QUOTA_MAGIC "MFTPQ1 "
#define QUOTA_MAGIC_LEN (sizeof(QUOTA_MAGIC) - 1)
#define QUOTA_RESERVE_MAGIC "MFTPR1 "
#define QUOTA_DIGITS 20

/* One dimension: a dimension that does not grow is never refused. */
static int
quota_fits_one(uint64_t used, uint64_t limit, uint64_t add)
{
	if (add == 0)
		return 1;
	if (used > UINT64_MAX - add)
		return 0;
	return limit == 0 || used + add <= limit;
}

/* bytes + reserved, or UINT64_MAX where the sum would wrap. */
static uint64_t
quota_taken(const struct quota_usage *u)
{
	return u->bytes > UINT64_MAX - u->reserved ? UINT64_MAX :
						     u->bytes + u->reserved;
}

int
quota_fits(const struct quota_usage *u, const struct quota_limits *l,
    uint64_t add_bytes, uint64_t add_files)
{
	return quota_fits_one(quota_taken(u), l->bytes, add_bytes) &&
	    quota_fits_one(u->files, l->files, add_files);
}

size_t
quota_format(const struct quota_usage *u, char *out, size_t outlen)
{
	int n;

	if (u->reserved == 0)
		n = snprintf(out, outlen, "%s%0*llu %0*llu\n", QUOTA_MAGIC,
		    QUOTA_DIGITS, (unsigned long long)u->bytes, QUOTA_DIGITS,
		    (unsigned long long)u->files);
	else
		n = snprintf(out, outlen, "%s%0*llu %0*llu\n%s%0*llu\n",
		    QUOTA_MAGIC, QUOTA_DIGITS, (unsigned long long)u->bytes,
		    QUOTA_DIGITS, (unsigned long long)u->files,
		    QUOTA_RESERVE_MAGIC, QUOTA_DIGITS,
		    (unsigned long long)u->reserved);
	return n < 0 ? 0 : (size_t)n;
}

/* Exactly QUOTA_DIGITS decimal digits that fit in 64 bits. */
static int
quota_parse_number(const char *p, uint64_t *v)
{
	uint64_t n = 0, d;
	int i;

	for (i = 0; i < QUOTA_DIGITS; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (uint64_t)(p[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

int
quota_parse(const char *data, size_t len, struct quota_usage *u)
{
	const char *p = data;
	struct quota_usage v;

	if ((len != QUOTA_LINE_LEN && len != QUOTA_FILE_MAX) ||
	    memcmp(p, QUOTA_MAGIC, QUOTA_MAGIC_LEN))
		return QUOTA_ERR_CORRUPT;
	v.reserved = 0;
	if (len == QUOTA_FILE_MAX) {
		p = data + QUOTA_LINE_LEN;
		if (memcmp(p, QUOTA_RESERVE_MAGIC, QUOTA_MAGIC_LEN) != 0 ||
		    quota_parse_number(p + QUOTA_MAGIC_LEN, &v.reserved) ==
			-1 ||
		    p[QUOTA_RESERVE_LEN - 1] != '\n')
			return QUOTA_ERR_CORRUPT;
		p = data;
	}
	p += QUOTA_MAGIC_LEN;
	if (quota_parse_number(p, &v.bytes) == -1)
		return QUOTA_ERR_CORRUPT;
	p += QUOTA_DIGITS;
	if (*p++ != ' ' || quota_parse_number(p, &v.files) == -1)
		return QUOTA_ERR_CORRUPT;
	p += QUOTA_DIGITS;
	if (*p != '\n')
		return QUOTA_ERR_CORRUPT;
	*u = v;
	return 0;
}

uint64_t
quota_entry_bytes(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return (uint64_t)st->st_size;
	if (S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode))
		return QUOTA_ENTRY_BYTES;
	return 0;
}

/* name must be one path component: the file sits directly in dir. */
static int
quota_valid_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Write all of buf at offset 0 (a short write is retried). */
static int
quota_write_line(int fd, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = pwrite(fd, buf + off, len - off, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Read the file: up to one byte more than the longest, so that a file
 * with anything after its lines is seen as corrupt too.
 */
static int
quota_read_line(int fd, struct quota_usage *u)
{
	char buf[QUOTA_FILE_MAX + 1];
	size_t off = 0;
	ssize_t n;

	while (off < sizeof(buf)) {
		n = pread(fd, buf + off, sizeof(buf) - off, (off_t)off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	return quota_parse(buf, off, u);
}

/* Wait for a whole-file OFD lock of type (F_RDLCK, F_WRLCK, F_UNLCK). */
static int
quota_lock(int fd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 0;
	/* l_pid must be 0 for an OFD lock. */
	while (fcntl(fd, F_OFD_SETLKW, &fl) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

static void
quota_unlock(int fd)
{
	int saved = errno;

	(void)quota_lock(fd, F_UNLCK);
	errno = saved;
}

int
quota_create(const char *dir, const char *name)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	struct quota_usage zero = { 0, 0, 0 };
	char line[QUOTA_LINE_LEN + 1];
	int dfd, fd, saved;

	if (!quota_valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((fd = openat(dfd, name, flags, 0600)) == -1) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	quota_format(&zero, line, sizeof(line));
	/* The exact mode whatever the umask; the file is new, so nothing
	 * else can hold it yet. */
	if (fchmod(fd, 0600) == -1 ||
	    quota_write_line(fd, line, QUOTA_LINE_LEN) == -1 ||
	    fsync(fd) == -1 || close(fd) == -1)
		goto fail;
	fd = -1;
	/* The new name survives a crash too. */
	if (fsync(dfd) == -1)
		goto fail;
	close(dfd);
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	(void)unlinkat(dfd, name, 0);
	close(dfd);
	errno = saved;
	return -1;
}

int
quota_open(const char *dir, const char *name)
{
	struct stat st;
	int dfd, fd, saved;

	if (!quota_valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	/* O_NONBLOCK: a FIFO planted in its place must not hang the open. */
	fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	saved = errno;
	close(dfd);
	if (fd == -1) {
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, O_RDWR) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
quota_read(int fd, struct quota_usage *u)
{
	int r;

	if (quota_lock(fd, F_RDLCK) == -1)
		return ERR_IO;
	r = quota_read_line(fd, u);
	quota_unlock(fd);
	return r;
}

/* The magnitude of a negative delta, also for INT64_MIN. */
static uint64_t
quota_magnitude(int64_t d)
{
	return (uint64_t)0 - (uint64_t)d;
}

/* v changed by d, stopping at 0 (growth was checked by quota_fits). */
static uint64_t
quota_step(uint64_t v, int64_t d)
{
	uint64_t m;

	if (d >= 0)
		return v + (uint64_t)d;
	m = quota_magnitude(d);
	return v > m ? v - m : 0;
}

/* Write to over the file that says from, unless they are equal. */
static int
quota_store(
    int fd, const struct quota_usage *from, const struct quota_usage *to)
{
	char line[QUOTA_FILE_MAX + 1];
	size_t len;

	if (from->bytes == to->bytes && from->files == to->files &&
	    from->reserved == to->reserved)
		return 0;
	/*
	 * No fsync: the file must survive the process being killed, which
	 * the page cache gives; a machine crash is repaired by a recount.
	 */
	len = quota_format(to, line, sizeof(line));
	if (quota_write_line(fd, line, len) == -1)
		return ERR_IO;
	/* The last reservation ended: back to the first line alone.
	 * Killed before this, the old reservation stays (errs high). */
	if (from->reserved > 0 && to->reserved == 0 &&
	    ftruncate(fd, QUOTA_LINE_LEN) == -1)
		return ERR_IO;
	return 0;
}

int
quota_change(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after, int (*apply)(void *arg),
    void *arg)
{
	return quota_change_reserved(
	    fd, l, dbytes, dfiles, 0, after, apply, arg);
}

/*
 * How much the change from u to v grows bytes + reserved (what the byte
 * limit is checked against); 0 when it does not grow it.  UINT64_MAX
 * when v's sum does not fit in 64 bits.
 */
static uint64_t
quota_growth(const struct quota_usage *u, const struct quota_usage *v)
{
	uint64_t before = quota_taken(u), now;

	if (v->bytes > UINT64_MAX - v->reserved)
		return UINT64_MAX;
	now = v->bytes + v->reserved;
	return now > before ? now - before : 0;
}

int
quota_change_reserved(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, int64_t dreserved, struct quota_usage *after,
    int (*apply)(void *arg), void *arg)
{
	struct quota_usage u, v, grown;
	int r, saved;

	if (quota_lock(fd, F_WRLCK) == -1)
		return ERR_IO;
	if ((r = quota_read_line(fd, &u)) != 0)
		goto out;
	v.bytes = quota_step(u.bytes, dbytes);
	v.files = quota_step(u.files, dfiles);
	v.reserved = quota_step(u.reserved, dreserved);
	/* A count that would wrap is past any limit too. */
	if ((dbytes > 0 && v.bytes < u.bytes) ||
	    (dfiles > 0 && v.files < u.files) ||
	    (dreserved > 0 && v.reserved < u.reserved) ||
	    !quota_fits(&u, l, quota_growth(&u, &v),
		dfiles > 0 ? (uint64_t)dfiles : 0)) {
		if (after != NULL)
			*after = u;
		r = QUOTA_ERR_EXCEEDED;
		goto out;
	}
	/*
	 * Before the change: what grows, so the count is never short, and
	 * the reservation (it is no usage; a chunk written moves from it to
	 * bytes in this one write).
	 */
	grown.bytes = dbytes > 0 ? v.bytes : u.bytes;
	grown.files = dfiles > 0 ? v.files : u.files;
	grown.reserved = v.reserved;
	if (apply == NULL)
		grown = v;
	if ((r = quota_store(fd, &u, &grown)) != 0)
		goto out;
	if (apply != NULL && apply(arg) == -1) {
		saved = errno;
		/* Nothing changed: nothing to pay.  If this write fails the
		 * count stays high, which a recount repairs. */
		(void)quota_store(fd, &grown, &u);
		errno = saved;
		if (after != NULL)
			*after = u;
		r = QUOTA_ERR_APPLY;
		goto out;
	}
	/* After the change: what shrinks.  Failing, the count stays high. */
	(void)quota_store(fd, &grown, &v);
	if (after != NULL)
		*after = v;
out:
	quota_unlock(fd);
	return r;
}

int
quota_charge(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after)
{
	return quota_change(fd, l, dbytes, dfiles, after, NULL, NULL);
}

/*
 * The recount walks the tree without a descriptor per level, so that its
 * depth is limited neither by RLIMIT_NOFILE nor by PATH_MAX: each
 * directory is read whole (its entries counted, its subdirectories' names
 * kept), then the walk enters a subdirectory with openat and comes back
 * through its "..", checked against the device and inode it left.
 */
struct quota_level {
	dev_t dev;
	ino_t ino;
	char **subdirs; /* subdirectories still to enter */
	size_t n;
	size_t next;
	size_t pathlen; /* length of the walk's path at this level */
};

struct quota_walk {
	struct quota_usage u;
	struct quota_level *levels;
	size_t depth; /* levels in use */
	size_t cap;
	char *path; /* for messages: the directory being read */
	size_t pathlen;
	size_t pathcap;
	char *err;
	size_t errlen;
};

static int quota_walk_fail(struct quota_walk *w, int with_errno,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
quota_walk_fail(struct quota_walk *w, int with_errno, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (w->errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(w->err, w->errlen, fmt, ap);
	va_end(ap);
	len = strlen(w->err);
	if (with_errno && len < w->errlen)
		snprintf(
		    w->err + len, w->errlen - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

/* Append "/name" to the walk's path. */
static void
quota_walk_path_push(struct quota_walk *w, const char *name)
{
	size_t add = strlen(name) + 1;

	if (w->pathcap - w->pathlen <= add) {
		w->pathcap = (w->pathlen + add + 1) * 2;
		w->path = xreallocarray(w->path, w->pathcap, 1);
	}
	w->path[w->pathlen] = '/';
	memcpy(w->path + w->pathlen + 1, name, add);
	w->pathlen += add;
}

static void
quota_level_free(struct quota_level *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		free(lv->subdirs[i]);
	free(lv->subdirs);
	memset(lv, 0, sizeof(*lv));
}

static int
quota_walk_add(uint64_t *sum, uint64_t add)
{
	if (*sum > UINT64_MAX - add)
		return -1;
	*sum += add;
	return 0;
}

/*
 * Read the directory open on fd: count every entry, add the sizes of the
 * regular files, keep the subdirectories' names in lv.
 */
static int
quota_walk_read(struct quota_walk *w, int fd, struct quota_level *lv)
{
	struct dirent *de;
	struct stat st;
	size_t cap = 0;
	DIR *d;
	int dfd;

	/* fdopendir takes the descriptor; fd stays for the fstatat calls. */
	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return quota_walk_fail(w, 1, "%s", w->path);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return quota_walk_fail(w, 1, "%s", w->path);
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				quota_walk_fail(w, 1, "%s", w->path);
				closedir(d);
				return -1;
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			/* Removed since it was read: not there to count. */
			if (errno == ENOENT)
				continue;
			quota_walk_fail(w, 1, "%s/%s", w->path, de->d_name);
			closedir(d);
			return -1;
		}
		if (quota_walk_add(&w->u.files, 1) == -1 ||
		    quota_walk_add(&w->u.bytes, quota_entry_bytes(&st)) == -1) {
			closedir(d);
			errno = EOVERFLOW;
			return quota_walk_fail(w, 1, "%s", w->path);
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (lv->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			lv->subdirs = xreallocarray(
			    lv->subdirs, cap, sizeof(*lv->subdirs));
		}
		lv->subdirs[lv->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	return 0;
}

/* Enter the directory open on fd (whose name is already on the path). */
static int
quota_walk_enter(struct quota_walk *w, int fd)
{
	struct quota_level *lv;
	struct stat st;

	if (fstat(fd, &st) == -1)
		return quota_walk_fail(w, 1, "%s", w->path);
	if (w->depth == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->levels = xreallocarray(
		    w->levels, w->cap, sizeof(*w->levels));
	}
	lv = &w->levels[w->depth++];
	memset(lv, 0, sizeof(*lv));
	lv->dev = st.st_dev;
	lv->ino = st.st_ino;
	lv->pathlen = w->pathlen;
	return quota_walk_read(w, fd, lv);
}

/* Walk the tree below the directory open on fd (the walk owns fd). */
static int
quota_walk_tree(struct quota_walk *w, int fd)
{
	const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct quota_level *lv;
	struct stat st;
	int cfd, rc = -1;

	if (quota_walk_enter(w, fd) == -1)
		goto out;
	while (w->depth > 0) {
		lv = &w->levels[w->depth - 1];
		if (lv->next < lv->n) {
			const char *name = lv->subdirs[lv->next++];

			if ((cfd = openat(fd, name, dflags)) == -1) {
				/* Removed or replaced by a non-directory
				 * since it was read (and counted). */
				if (errno == ENOENT || errno == ENOTDIR ||
				    errno == ELOOP)
					continue;
				quota_walk_fail(w, 1, "%s/%s", w->path, name);
				goto out;
			}
			close(fd);
			fd = cfd;
			quota_walk_path_push(w, name);
			if (quota_walk_enter(w, fd) == -1)
				goto out;
			continue;
		}
		/* Done with this level: back to its parent through "..". */
		quota_level_free(lv);
		w->depth--;
		if (w->depth == 0)
			break;
		lv = &w->levels[w->depth - 1];
		if ((cfd = openat(fd, "..", dflags)) == -1) {
			quota_walk_fail(w, 1, "%s/..", w->path);
			goto out;
		}
		close(fd);
		fd = cfd;
		if (fstat(fd, &st) == -1) {
			quota_walk_fail(w, 1, "%s/..", w->path);
			goto out;
		}
		if (st.st_dev != lv->dev || st.st_ino != lv->ino) {
			quota_walk_fail(w, 0,
			    "the tree changed during the recount (at %s); "
			    "run it again",
			    w->path);
			goto out;
		}
		w->pathlen = lv->pathlen;
		w->path[w->pathlen] = '\0';
	}
	rc = 0;
out:
	while (w->depth > 0)
		quota_level_free(&w->levels[--w->depth]);
	close(fd);
	return rc;
}

int
quota_recount(
    int fd, const char *root, struct quota_usage *u, char *err, size_t errlen)
{
	struct quota_walk w;
	char line[QUOTA_FILE_MAX + 1];
	int rfd, rc = -1;

	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	w.pathlen = strlen(root);
	w.pathcap = w.pathlen + 1;
	w.path = xstrdup(root);

	/* Charges wait for the walk, so that none is lost in between. */
	if (quota_lock(fd, F_WRLCK) == -1) {
		quota_walk_fail(&w, 1, "cannot lock the accounting file");
		free(w.path);
		return -1;
	}
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd == -1) {
		quota_walk_fail(&w, 1, "%s", root);
		goto out;
	}
	if (quota_walk_tree(&w, rfd) == -1)
		goto out;
	quota_format(&w.u, line, sizeof(line));
	/* The write also repairs a file that was longer than one line. */
	if (quota_write_line(fd, line, QUOTA_LINE_LEN) == -1 ||
	    ftruncate(fd, QUOTA_LINE_LEN) == -1 || fsync(fd) == -1) {
		quota_walk_fail(&w, 1, "cannot write the accounting file");
		goto out;
	}
	if (u != NULL)
		*u = w.u;
	rc = 0;
out:
	quota_unlock(fd);
	free(w.levels);
	free(w.path);
	return rc;
}
