/*
 * xfer_key.h: the text of a LOCAL.part's resume record (xfer_part.c
 * keeps it in an xattr, else a sidecar file): the remote file's size and
 * mtime, and in a sidecar the inode of the part it was written for.
 *
 * Runs as: the user, in mftp.  A .part can come from anywhere (an
 * unpacked archive keeps its xattrs, another program can write a
 * sidecar), so a record is read as outside bytes: only exactly the form
 * xfer_key_format writes is one.
 */
#ifndef MFTP_CLIENT_XFER_KEY_H
#define MFTP_CLIENT_XFER_KEY_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest record and its NUL: three 20-character numbers. */
#define XFER_KEY_TEXT_MAX 64

struct xfer_key {
	uint64_t size; /* the remote file's */
	int64_t mtime;
	uint64_t ino; /* the part's inode; 0 for a record without one */
};

/*
 * "SIZE MTIME", or "SIZE MTIME INO" when k->ino is not 0, into buf (len
 * at least XFER_KEY_TEXT_MAX); its length.
 */
size_t xfer_key_format(const struct xfer_key *k, char *buf, size_t len);

/*
 * The n bytes at buf (no NUL needed) as a record, into k: 0, or -1 when
 * they are anything but what xfer_key_format writes (no blanks around,
 * no sign but mtime's '-', no leading zero, nothing past the range).
 */
int xfer_key_parse(const char *buf, size_t n, struct xfer_key *k);

#endif
