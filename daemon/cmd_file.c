/*
 * cmd_file.c: GET, HASH and HASH_ALG, reading files.
 *
 * Runs as: the logged-in user, chrooted to the home.  Downloads go out
 * with sendfile() straight from the page cache (a small one read into
 * one write with its FILE and DATA_END frames), followed by the checksum
 * of the whole file in the session's algorithm, which normally comes
 * from the hash cache (an attribute written when the file was uploaded)
 * so the data is read only once; otherwise the file is read once to
 * hash it before sending.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "digest.h"
#include "err.h"
#include "hashcache.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "session.h"
#include "transport.h"
#include "util.h"

/*
 * Open path as a regular file for reading and hash it in alg (into
 * hash, digest_len(alg) bytes); where the hash cache misses, the first
 * paced bytes that are read for it count against the user's rate
 * (hashcache_file): those that the request will not send.  Returns the descriptor, or -1 after
 * filling status and why for the ERROR reply; status 0 when the client
 * went away meanwhile, or the session is to end (session_hash): no reply
 * is sent, the request ends, and the session with it.
 */
static int
cmd_file_open(struct session *s, const char *path, enum digest_alg alg,
    uint64_t paced, struct stat *st, uint8_t *hash, uint32_t *status, char *why,
    size_t whylen)
{
	int fd, r;

	/* No lookup of "": it names nothing, as in every other request. */
	if (path[0] == '\0') {
		*status = MFTP_ST_INVALID;
		snprintf(why, whylen, "empty name");
		return -1;
	}
	/* O_NONBLOCK: opening a FIFO someone left here must not hang. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	/* A socket (or a device without its driver) does not open:
	 * ENXIO says nothing of what is there. */
	if (fd == -1 && errno == ENXIO) {
		if (stat(path, st) == 0 && !S_ISREG(st->st_mode)) {
			*status = MFTP_ST_INVALID;
			snprintf(why, whylen, "%s: not a regular file", path);
			return -1;
		}
		errno = ENXIO;
	}
	if (fd == -1 || fstat(fd, st) == -1) {
		*status = session_status(errno);
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st->st_mode)) {
		*status = MFTP_ST_IS_DIR;
		snprintf(why, whylen, "%s: is a directory", path);
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		*status = MFTP_ST_INVALID;
		snprintf(why, whylen, "%s: not a regular file", path);
		goto fail;
	}
	r = hashcache_file(s, fd, st, alg, hash, paced);
	if (r == ERR_GONE || r == ERR_STOPPED) {
		*status = 0;
		snprintf(why, whylen, "%s", err_str(r));
		goto fail;
	}
	if (r != 0) {
		*status = r == ERR_IO ? session_status(errno) : MFTP_ST_IO;
		snprintf(why, whylen, "%s: cannot read: %s", path,
		    r == ERR_IO ? strerror(errno) : "it shrank");
		goto fail;
	}
	return fd;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * A file of up to this many bytes (from the offset) goes out in one
 * write: FILE, its bytes and DATA_END together, one TLS record for a
 * small file instead of three, and no transfer buffer.
 */
#define CMD_GET_WHOLE_MAX (64 * 1024)

/*
 * FILE (file), the file's bytes from file->offset, and DATA_END (end)
 * in one write.  The bytes are read before anything is sent.  0, or an
 * error with *sent 0 when nothing went out (ERR_SHORT: the file shrank;
 * ERR_IO: it could not be read; the client can still be answered
 * ERROR), or 1 when the write itself failed (the connection is lost).
 */
static int
cmd_get_whole(struct session *s, int fd, const struct msg *file,
    const struct msg *end, int *sent)
{
	const size_t len = (size_t)(file->size - file->offset);
	struct buf *out = buf_new(CMD_GET_WHOLE_MAX + 2 * 256);
	uint8_t *at;
	size_t got = 0;
	ssize_t n;
	int r;

	*sent = 0;
	if ((r = msg_encode(out, file)) != 0 ||
	    (r = buf_reserve(out, len, &at)) != 0)
		goto out;
	while (got < len) {
		n = pread(fd, at + got, len - got, (off_t)(file->offset + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n == 0 ? ERR_SHORT : ERR_IO;
			goto out;
		}
		got += (size_t)n;
	}
	if ((r = msg_encode(out, end)) != 0)
		goto out;
	*sent = 1;
	r = transport_write(s->t, buf_ptr(out), buf_len(out));
out:
	buf_free(out);
	return r;
}

int
cmd_get(struct session *s, const struct msg *m)
{
	uint8_t hash[MFTP_HASH_LEN];
	char why[SESSION_WHY_MAX];
	uint64_t start = mono_ms(), before;
	uint32_t status;
	struct stat st;
	struct msg r;
	int fd, ret;

	/* What is read before the offset is not sent: paced as if it were. */
	fd = cmd_file_open(s, m->path, s->alg, m->offset, &st, hash, &status,
	    why, sizeof(why));
	if (fd == -1) {
		session_log_transfer(
		    s, "get", m->path, 0, m->offset, 0, start, why);
		if (status == 0)
			return -1;
		return session_reply_error(s, status, "%s", why);
	}
	if (m->offset > (uint64_t)st.st_size) {
		close(fd);
		snprintf(why, sizeof(why),
		    "%s: offset %llu is past the end (%llu bytes)", m->path,
		    (unsigned long long)m->offset,
		    (unsigned long long)st.st_size);
		session_log_transfer(s, "get", m->path, 0, m->offset,
		    (uint64_t)st.st_size, start, why);
		return session_reply_error(s, MFTP_ST_INVALID, "%s", why);
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_FILE;
	r.size = (uint64_t)st.st_size;
	r.offset = m->offset;
	if (r.size - r.offset <= CMD_GET_WHOLE_MAX) {
		struct msg end;
		int sent;

		memset(&end, 0, sizeof(end));
		end.type = MFTP_MSG_DATA_END;
		end.hash_len = digest_len(s->alg);
		memcpy(end.hash, hash, end.hash_len);
		ret = cmd_get_whole(s, fd, &r, &end, &sent);
		close(fd);
		if (ret != 0 && !sent) {
			snprintf(why, sizeof(why), "%s: %s", m->path,
			    ret == ERR_SHORT ? "it shrank while read" :
					       strerror(errno));
			session_log_transfer(
			    s, "get", m->path, 0, r.offset, r.size, start, why);
			return session_reply_error(s, MFTP_ST_IO, "%s", why);
		}
		if (ret != 0) {
			session_log_transfer(s, "get", m->path, 0, r.offset,
			    r.size, start, "connection lost");
			return -1;
		}
		s->files_out++;
		session_log_transfer(s, "get", m->path, r.size - r.offset,
		    r.offset, r.size, start, NULL);
		return 0;
	}
	if (session_reply_msg(s, &r) != 0) {
		close(fd);
		session_log_transfer(s, "get", m->path, 0, r.offset, r.size,
		    start, "connection lost");
		return -1;
	}
	/*
	 * Exactly size - offset bytes are promised.  If the file shrinks
	 * meanwhile the stream cannot be kept in step: end the connection,
	 * and say in the log that the file did it, not the client, and how
	 * much of it went out.
	 */
	before = transport_bytes_out(s->t);
	ret = transport_sendfile(s->t, fd, r.offset, r.size - r.offset);
	close(fd);
	if (ret != 0) {
		if (ret == ERR_SHORT)
			s->end_why = "file-shrank";
		session_log_transfer(s, "get", m->path,
		    transport_bytes_out(s->t) - before, r.offset, r.size, start,
		    ret == ERR_SHORT ? "the file shrank while it was sent; "
				       "the connection was closed" :
				       transport_err_str(s->t, ret));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_DATA_END;
	r.hash_len = digest_len(s->alg);
	memcpy(r.hash, hash, r.hash_len);
	if (session_reply_msg(s, &r) != 0) {
		session_log_transfer(s, "get", m->path,
		    (uint64_t)st.st_size - m->offset, m->offset,
		    (uint64_t)st.st_size, start, "connection lost");
		return -1;
	}
	s->files_out++;
	session_log_transfer(s, "get", m->path,
	    (uint64_t)st.st_size - m->offset, m->offset, (uint64_t)st.st_size,
	    start, NULL);
	return 0;
}

/* HASH_OK with path's checksum in alg. */
static int
cmd_file_hash(struct session *s, const char *path, enum digest_alg alg)
{
	uint8_t hash[MFTP_HASH_LEN];
	char why[SESSION_WHY_MAX];
	uint32_t status;
	struct stat st;
	struct msg r;
	int fd;

	/* Nothing of the file is sent: all that is read is paced. */
	fd = cmd_file_open(
	    s, path, alg, UINT64_MAX, &st, hash, &status, why, sizeof(why));
	if (fd == -1 && status == 0)
		return -1;
	if (fd == -1)
		return session_reply_error(s, status, "%s", why);
	close(fd);
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_HASH_OK;
	r.hash_len = digest_len(alg);
	memcpy(r.hash, hash, r.hash_len);
	return session_reply_msg(s, &r);
}

int
cmd_hash(struct session *s, const struct msg *m)
{
	return cmd_file_hash(s, m->path, s->alg);
}

/* Whatever the session's checksum: e.g. SHA-256 to compare with sha256sum. */
int
cmd_hash_alg(struct session *s, const struct msg *m)
{
	enum digest_alg alg;

	if (digest_from_wire(m->alg, &alg) == -1)
		return session_reply_error(s, MFTP_ST_INVALID,
		    "checksum algorithm %u is not known here (1 SHA-256, "
		    "2 XXH3-128)",
		    (unsigned int)m->alg);
	return cmd_file_hash(s, m->path, alg);
}
