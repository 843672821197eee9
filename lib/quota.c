/*
 * quota.c: a user's accounting file (see quota.h): the limit arithmetic,
 * the format of its lines, and its locked read-modify-write, settling
 * and recount (the walk that counts a home is in quota_walk.c).
 *
 * Runs as: root (the monitor opening the file before the chroot, and the
 * ftpuser-* tools), and the logged-in user, chrooted (the serving process
 * charging through the descriptor the monitor opened).  Nothing here
 * follows a symbolic link or opens a path after the chroot.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "ofdlock.h"
#include "quota.h"
#include "util.h"

#define QUOTA_MAGIC "MFTPQ1 "
#define QUOTA_MAGIC_LEN (sizeof(QUOTA_MAGIC) - 1)
#define QUOTA_RESERVE_MAGIC "MFTPR2 "
/* A reservation line of no set, as versions before the sets wrote it. */
#define QUOTA_RESERVE1_MAGIC "MFTPR1 "
#define QUOTA_RESERVE1_LEN (7 + 20 + 1)
#define QUOTA_PENDING_MAGIC "MFTPP1 "
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

/* One "MAGIC<20 digits>[ <20 digits>]\n" line at out; its length. */
static size_t
quota_format_line(
    char *out, size_t outlen, const char *magic, uint64_t a, const uint64_t *b)
{
	int n;

	if (b == NULL)
		n = snprintf(out, outlen, "%s%0*llu\n", magic, QUOTA_DIGITS,
		    (unsigned long long)a);
	else
		n = snprintf(out, outlen, "%s%0*llu %0*llu\n", magic,
		    QUOTA_DIGITS, (unsigned long long)a, QUOTA_DIGITS,
		    (unsigned long long)*b);
	return n < 0 || (size_t)n >= outlen ? outlen : (size_t)n;
}

size_t
quota_format(const struct quota_usage *u, char *out, size_t outlen)
{
	size_t len;

	len = quota_format_line(out, outlen, QUOTA_MAGIC, u->bytes, &u->files);
	if (u->reserved > 0 && len < outlen)
		len += quota_format_line(out + len, outlen - len,
		    QUOTA_RESERVE_MAGIC, u->reserved, &u->reserve_set);
	if (quota_pending(u) && len < outlen)
		len += quota_format_line(out + len, outlen - len,
		    QUOTA_PENDING_MAGIC, u->pending_bytes, &u->pending_files);
	return len < outlen ? len : 0;
}

int
quota_pending(const struct quota_usage *u)
{
	return u->pending_bytes != 0 || u->pending_files != 0;
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

/*
 * The line at p (len bytes left) if it starts with magic: one number
 * (b NULL) or two.  Its length, 0 when another line starts there, -1
 * when it is a bad one.
 */
static ssize_t
quota_parse_line(
    const char *p, size_t len, const char *magic, uint64_t *a, uint64_t *b)
{
	const size_t want = b == NULL ? QUOTA_RESERVE1_LEN : QUOTA_LINE_LEN;

	if (len < QUOTA_MAGIC_LEN || memcmp(p, magic, QUOTA_MAGIC_LEN) != 0)
		return 0;
	if (len < want || quota_parse_number(p + QUOTA_MAGIC_LEN, a) == -1)
		return -1;
	p += QUOTA_MAGIC_LEN + QUOTA_DIGITS;
	if (b != NULL) {
		if (*p != ' ' || quota_parse_number(p + 1, b) == -1)
			return -1;
		p += 1 + QUOTA_DIGITS;
	}
	return *p == '\n' ? (ssize_t)want : -1;
}

int
quota_parse(const char *data, size_t len, struct quota_usage *u)
{
	struct quota_usage v;
	ssize_t n;
	size_t at;

	memset(&v, 0, sizeof(v));
	/* The usage, then a reservation, then a removal under way, each
	 * at most once and in that order. */
	if ((n = quota_parse_line(
		 data, len, QUOTA_MAGIC, &v.bytes, &v.files)) <= 0)
		return QUOTA_ERR_CORRUPT;
	at = (size_t)n;
	/* A line that says nothing is never written: one form a usage. */
	if ((n = quota_parse_line(data + at, len - at, QUOTA_RESERVE_MAGIC,
		 &v.reserved, &v.reserve_set)) == 0)
		n = quota_parse_line(data + at, len - at, QUOTA_RESERVE1_MAGIC,
		    &v.reserved, NULL);
	if (n < 0 || (n > 0 && v.reserved == 0))
		return QUOTA_ERR_CORRUPT;
	at += (size_t)n;
	if ((n = quota_parse_line(data + at, len - at, QUOTA_PENDING_MAGIC,
		 &v.pending_bytes, &v.pending_files)) < 0 ||
	    (n > 0 && !quota_pending(&v)))
		return QUOTA_ERR_CORRUPT;
	at += (size_t)n;
	if (at != len)
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
		/* Short: the file's end (no second call to be told so). */
		if (off < sizeof(buf))
			break;
	}
	return quota_parse(buf, off, u);
}

/* What may end a wait for the lock (quota_set_stop); NULL: none. */
static int (*quota_stop)(void *arg);
static void *quota_stop_arg;

/* The longest pause between two tries of a lock another process holds. */
#define QUOTA_LOCK_PAUSE_MAX_MS 20

void
quota_set_stop(int (*stop)(void *arg), void *arg)
{
	quota_stop = stop;
	quota_stop_arg = arg;
}

/*
 * The lock fl describes (ofd_lock_poll), until it is taken (0), an error
 * (ERR_IO, errno), quota_stop says so (QUOTA_ERR_STOPPED) or the clock
 * passes until (QUOTA_ERR_BUSY; UINT64_MAX: never).
 */
static int
quota_lock_poll(int fd, struct flock *fl, uint64_t until)
{
	int r = ofd_lock_poll(
	    fd, fl, until, QUOTA_LOCK_PAUSE_MAX_MS, quota_stop, quota_stop_arg);

	return r == ERR_STOPPED ? QUOTA_ERR_STOPPED :
	    r == ERR_TIMEOUT	? QUOTA_ERR_BUSY :
				  r;
}

/* A whole-file OFD lock of type in fl (l_pid must be 0 for one). */
static void
quota_lock_init(struct flock *fl, short type)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
}

/*
 * Wait for a whole-file OFD lock of type (F_RDLCK, F_WRLCK, F_UNLCK).
 * 0, ERR_IO (errno), or QUOTA_ERR_STOPPED when quota_stop said so while
 * another process held the lock.
 */
static int
quota_lock(int fd, short type)
{
	struct flock fl;

	quota_lock_init(&fl, type);
	if (quota_stop == NULL) {
		while (fcntl(fd, F_OFD_SETLKW, &fl) == -1)
			if (errno != EINTR)
				return ERR_IO;
		return 0;
	}
	/*
	 * A signal does not end F_OFD_SETLKW under SA_RESTART, and the lock
	 * may be held for minutes (a recount's walk) or for ever (a node of
	 * the shared storage that hangs): tried again and again, with a
	 * look at the stop between two tries.
	 */
	return quota_lock_poll(fd, &fl, UINT64_MAX);
}

static void
quota_unlock(int fd)
{
	int saved = errno;

	(void)quota_lock(fd, F_UNLCK);
	errno = saved;
}

/*
 * The accounting directory, to open name in with openat(2); -1 with
 * EINVAL when name is not one path component (quota_valid_name).
 */
static int
quota_open_dir(const char *dir, const char *name)
{
	if (!quota_valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
quota_create(const char *dir, const char *name)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	struct quota_usage zero = { 0, 0, 0, 0, 0, 0 };
	char line[QUOTA_LINE_LEN + 1];
	int dfd, fd, saved;

	if ((dfd = quota_open_dir(dir, name)) == -1)
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

static int
quota_open_as(const char *dir, const char *name, int access)
{
	int dfd, fd, saved;

	if ((dfd = quota_open_dir(dir, name)) == -1)
		return -1;
	/* Never waits on a FIFO planted in its place (open_regular_at). */
	fd = open_regular_at(dfd, name, access | O_NOFOLLOW, 0);
	saved = errno;
	close(dfd);
	errno = saved;
	return fd;
}

int
quota_open(const char *dir, const char *name)
{
	return quota_open_as(dir, name, O_RDWR);
}

int
quota_open_read(const char *dir, const char *name)
{
	return quota_open_as(dir, name, O_RDONLY);
}

int
quota_read(int fd, struct quota_usage *u)
{
	int r;

	if ((r = quota_lock(fd, F_RDLCK)) != 0)
		return r;
	r = quota_read_line(fd, u);
	quota_unlock(fd);
	return r;
}

int
quota_read_timed(int fd, struct quota_usage *u, int timeout_ms)
{
	struct flock fl;
	int r;

	quota_lock_init(&fl, F_RDLCK);
	if ((r = quota_lock_poll(fd, &fl, mono_ms() + (uint64_t)timeout_ms)) !=
	    0)
		return r;
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
	char line[QUOTA_FILE_MAX + 1], was[QUOTA_FILE_MAX + 1];
	size_t len;

	if (from->bytes == to->bytes && from->files == to->files &&
	    from->reserved == to->reserved &&
	    from->pending_bytes == to->pending_bytes &&
	    from->pending_files == to->pending_files &&
	    from->reserve_set == to->reserve_set)
		return 0;
	/*
	 * No fsync: the file must survive the process being killed, which
	 * the page cache gives; a machine crash is repaired by a recount.
	 */
	len = quota_format(to, line, sizeof(line));
	if (quota_write_line(fd, line, len) == -1)
		return ERR_IO;
	/* A reservation or a removal ended: the lines after go.  Killed
	 * before this, they stay (errs high, or is settled). */
	if (len < quota_format(from, was, sizeof(was)) &&
	    ftruncate(fd, (off_t)len) == -1)
		return ERR_IO;
	return 0;
}

int
quota_change(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after, int (*apply)(void *arg),
    void *arg)
{
	return quota_change_reserved(
	    fd, l, dbytes, dfiles, 0, NULL, after, apply, arg);
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

/* a + b, or UINT64_MAX where the sum would wrap. */
static uint64_t
quota_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The home whose count settles a pending removal (quota_set_home). */
static const char *quota_home;
/* Its count failed since it was named: why (not tried again); "" not. */
static char quota_home_err[256];

/*
 * With the lock held: if *u says a removal was under way (a process was
 * killed between a removal and the write that pays it back), count the
 * home at root and write that count, with the reservation as it was.
 * If the count fails, *u stays as read: high, and still pending; and
 * when root is the home that quota_set_home named, the process does not
 * count it again until it is named again (each change would walk the
 * whole home under the lock, to fail again).
 */
static void
quota_settle_locked(int fd, const char *root, struct quota_usage *u)
{
	struct quota_usage c;
	char err[sizeof(quota_home_err)];
	int named;

	if (!quota_pending(u) || root == NULL)
		return;
	named = quota_home != NULL && strcmp(root, quota_home) == 0;
	if (named && quota_home_err[0] != '\0')
		return;
	err[0] = '\0';
	if (quota_count_tree(root, &c, err, sizeof(err)) == -1) {
		if (named)
			snprintf(quota_home_err, sizeof(quota_home_err), "%s",
			    err[0] != '\0' ? err : root);
		return;
	}
	c.reserved = u->reserved;
	c.reserve_set = u->reserve_set;
	c.pending_bytes = c.pending_files = 0;
	if (quota_store(fd, u, &c) == 0)
		*u = c;
}

void
quota_set_home(const char *root)
{
	quota_home = root;
	quota_home_err[0] = '\0';
}

const char *
quota_home_failed(void)
{
	return quota_home_err[0] != '\0' ? quota_home_err : NULL;
}

int
quota_settle(int fd, const char *root, int (*alone)(void *arg), void *arg,
    struct quota_usage *u, uint64_t *dropped)
{
	struct quota_usage v, c;
	int r;

	if (dropped != NULL)
		*dropped = 0;
	if ((r = quota_lock(fd, F_WRLCK)) != 0)
		return r;
	if ((r = quota_read_line(fd, &v)) == 0) {
		quota_settle_locked(fd, root, &v);
		/*
		 * Asked with the lock held: a session that logs in
		 * meanwhile reserves only once it has the lock, after
		 * this write.
		 */
		if (v.reserved > 0 && alone != NULL && alone(arg) == 1) {
			c = v;
			c.reserved = 0;
			c.reserve_set = 0;
			if (quota_store(fd, &v, &c) == 0) {
				if (dropped != NULL)
					*dropped = v.reserved;
				v = c;
			}
		}
		if (u != NULL)
			*u = v;
	}
	quota_unlock(fd);
	return r;
}

/* A new set of reservations (quota.h): random, never 0. */
static uint64_t
quota_new_set(void)
{
	uint64_t v;

	do
		v = (uint64_t)arc4random() << 32 | arc4random();
	while (v == 0);
	return v;
}

int
quota_change_reserved(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, int64_t dreserved, uint64_t *set, struct quota_usage *after,
    int (*apply)(void *arg), void *arg)
{
	struct quota_usage u, v, grown;
	int r, saved;

	if ((r = quota_lock(fd, F_WRLCK)) != 0)
		return r;
	/*
	 * Under the lock: a recount's new file is made after the unlink.
	 * Any change of the home too, a rename above all: one that moved
	 * a tree from where the recount's walk had not been to where it
	 * had would hide all of it.
	 */
	if ((dbytes > 0 || dfiles > 0 || dreserved > 0 || apply != NULL) &&
	    quota_removed(fd)) {
		r = QUOTA_ERR_REMOVED;
		goto out;
	}
	if ((r = quota_read_line(fd, &u)) != 0)
		goto out;
	/* What a killed session left unsettled, before it is built on. */
	quota_settle_locked(fd, quota_home, &u);
	/*
	 * The caller's reservation was dropped (a recount, a login): what
	 * is reserved now, if anything, is other uploads' room, not to be
	 * taken or given back; the caller is told that it holds nothing.
	 */
	if (dreserved < 0 && set != NULL &&
	    (u.reserved == 0 || u.reserve_set != *set)) {
		dreserved = 0;
		*set = 0;
	}
	v = u;
	v.bytes = quota_step(u.bytes, dbytes);
	v.files = quota_step(u.files, dfiles);
	v.reserved = quota_step(u.reserved, dreserved);
	if (v.reserved == 0)
		v.reserve_set = 0;
	else if (v.reserve_set == 0)
		v.reserve_set = quota_new_set();
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
	 * bytes in this one write).  What shrinks is written after the
	 * change; until then the file says that a removal of that much is
	 * under way, so that if this process is killed in between the next
	 * change (of any session of the user) recounts instead of keeping
	 * the removed entry's share for ever.
	 */
	grown = v;
	if (apply != NULL) {
		grown.bytes = dbytes > 0 ? v.bytes : u.bytes;
		grown.files = dfiles > 0 ? v.files : u.files;
		if (dbytes < 0)
			grown.pending_bytes = quota_add_sat(
			    u.pending_bytes, quota_magnitude(dbytes));
		if (dfiles < 0)
			grown.pending_files = quota_add_sat(
			    u.pending_files, quota_magnitude(dfiles));
	}
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
	if (dreserved > 0 && set != NULL)
		*set = v.reserve_set;
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

int
quota_recount(
    int fd, const char *root, struct quota_usage *u, char *err, size_t errlen)
{
	char line[QUOTA_FILE_MAX + 1];
	struct quota_usage c;
	size_t len;
	int rc = -1;

	/* Charges wait for the walk, so that none is lost in between. */
	if (quota_lock(fd, F_WRLCK) != 0) {
		snprintf(err, errlen, "cannot lock the accounting file: %s",
		    strerror(errno));
		return -1;
	}
	if (quota_count_tree(root, &c, err, errlen) == -1)
		goto out;
	/* The first line alone: it also repairs a longer or damaged file. */
	len = quota_format(&c, line, sizeof(line));
	if (quota_write_line(fd, line, len) == -1 ||
	    ftruncate(fd, (off_t)len) == -1 || fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write the accounting file: %s",
		    strerror(errno));
		goto out;
	}
	if (u != NULL)
		*u = c;
	rc = 0;
out:
	quota_unlock(fd);
	return rc;
}
