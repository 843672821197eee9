/*
 * cmd_file.c: GET and PUT, the bulk transfers.
 *
 * Runs as: the logged-in user, chrooted to the home.  Downloads go out
 * with sendfile() straight from the page cache.  Uploads stream into a
 * temporary file in the target's directory that replaces the target
 * only once every announced byte has arrived, so an interrupted upload
 * never damages an existing file.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "frame.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "session.h"
#include "transport.h"
#include "util.h"

int
cmd_get(struct session *s, const struct msg *m)
{
	struct stat st;
	struct msg r;
	int fd, ret;

	/* O_NONBLOCK: opening a FIFO someone left here must not hang. */
	fd = open(m->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return session_reply_errno(s, errno, m->path);
	if (fstat(fd, &st) == -1) {
		ret = session_reply_errno(s, errno, m->path);
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return session_reply_error(s,
		    S_ISDIR(st.st_mode) ? MFTP_ST_IS_DIR : MFTP_ST_INVALID,
		    "%s: not a regular file", m->path);
	}
	if (m->offset > (uint64_t)st.st_size) {
		close(fd);
		return session_reply_error(s, MFTP_ST_INVALID,
		    "%s: offset %llu is past the end (%llu bytes)", m->path,
		    (unsigned long long)m->offset,
		    (unsigned long long)st.st_size);
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_FILE;
	r.size = (uint64_t)st.st_size;
	r.offset = m->offset;
	if (session_reply_msg(s, &r) != 0) {
		close(fd);
		return -1;
	}
	/*
	 * Exactly size - offset bytes are promised.  If the file shrinks
	 * meanwhile the stream cannot be kept in step: end the connection.
	 */
	ret = transport_sendfile(s->t, fd, r.offset, r.size - r.offset);
	close(fd);
	if (ret != 0) {
		log_warnx("get %s user=%s: %s", m->path, s->user, err_str(ret));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_DATA_END;
	r.hash_len = 0;
	if (session_reply_msg(s, &r) != 0)
		return -1;
	s->files_out++;
	return 0;
}

/*
 * Receive len raw bytes into fd.  A write failure does not stop the
 * reading (the stream must stay in step); its errno is kept in *werr.
 * Returns 0 or the transport's error.
 */
static int
cmd_receive(struct session *s, int fd, uint64_t len, int *werr)
{
	uint8_t *chunk;
	ssize_t n, w;
	size_t want, off;
	int ret = 0;

	*werr = 0;
	chunk = xmalloc(MFTP_IO_CHUNK);
	while (len > 0) {
		want = len > MFTP_IO_CHUNK ? MFTP_IO_CHUNK : (size_t)len;
		n = transport_read_some(s->t, chunk, want);
		if (n < 0) {
			ret = (int)n;
			break;
		}
		len -= (uint64_t)n;
		for (off = 0; *werr == 0 && off < (size_t)n; off += (size_t)w) {
			w = write(fd, chunk + off, (size_t)n - off);
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w == -1)
				*werr = errno;
		}
	}
	free(chunk);
	return ret;
}

/* "dir/.mftp-up.XXXXXX" beside path, for mkostemp. */
static char *
cmd_temp_name(const char *path)
{
	char *copy, *dir, *tmpl;

	copy = xstrdup(path);
	dir = dirname(copy);
	xasprintf(&tmpl, "%s/.mftp-up.XXXXXX", dir);
	free(copy);
	return tmpl;
}

int
cmd_put(struct session *s, const struct msg *m)
{
	struct stat st;
	struct msg r, end;
	char *tmp;
	int fd, ret, werr;

	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (stat(m->path, &st) == 0 && S_ISDIR(st.st_mode))
		return session_reply_error(
		    s, MFTP_ST_IS_DIR, "%s: is a directory", m->path);
	tmp = cmd_temp_name(m->path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		ret = session_reply_errno(s, errno, m->path);
		free(tmp);
		return ret;
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_PUT_READY;
	r.offset = 0;
	if (session_reply_msg(s, &r) != 0)
		goto gone;

	ret = cmd_receive(s, fd, m->size, &werr);
	if (ret != 0) {
		log_warnx("put %s user=%s: %s", m->path, s->user, err_str(ret));
		goto gone;
	}
	memset(&end, 0, sizeof(end));
	ret = frame_recv_msg(s->t, s->scratch, &end);
	if (ret != 0 || end.type != MFTP_MSG_DATA_END) {
		log_warnx("put %s user=%s: no DATA_END after the data", m->path,
		    s->user);
		msg_clear(&end);
		goto gone;
	}
	msg_clear(&end);
	if (werr == 0 && fchmod(fd, (mode_t)(m->mode & 0777 & ~022)) == -1)
		werr = errno;
	if (close(fd) == -1 && werr == 0)
		werr = errno;
	fd = -1;
	if (werr == 0 && rename(tmp, m->path) == -1)
		werr = errno;
	if (werr != 0) {
		unlink(tmp);
		free(tmp);
		return session_reply_errno(s, werr, m->path);
	}
	free(tmp);
	s->files_in++;
	return session_reply_ok(s);
gone:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
