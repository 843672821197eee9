/*
 * upload.h: one upload in progress, shared by PUT (cmd_put.c: the data,
 * the hash, the commit) and its partial file (upload.c).
 *
 * Runs as: the logged-in user, chrooted to the home.
 */
#ifndef MFTP_UPLOAD_H
#define MFTP_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "partial.h"
#include "session.h"

struct msg;

#define UPLOAD_SUFFIX PARTIAL_SUFFIX
#define UPLOAD_RESUME_XATTR "user.mftp.resume"
#define UPLOAD_KEY_LEN 16 /* u64 size, i64 mtime, big-endian */

/* One upload in progress. */
struct upload {
	const struct msg *m;
	int dfd;	 /* the target's directory, opened at the start */
	char *name;	 /* the target's name in dfd */
	char *part;	 /* the partial's name in dfd */
	int fd;		 /* the partial, OFD write-locked */
	int created;	 /* this request created the partial */
	int exists;	 /* the partial appeared before it was created */
	int inline_data; /* PUT_DATA: the bytes follow, no PUT_READY */
	int transferred; /* the bytes were read (or dropped) */
	int dropped;	 /* the partial was deleted */
	int committed;	 /* the partial replaced the target */
	/* At the start the target's name was taken (or could not be looked
	 * at); else it was free */
	int target_seen;
	/* dfd is on the home's mount: the upload is charged (cmd_at_counts) */
	int counted;
	uint64_t offset;   /* bytes of the partial kept */
	uint64_t written;  /* the partial's size now */
	uint64_t received; /* raw bytes read in this request */
	uint64_t reserved; /* reserved for this upload, not yet written */
	uint8_t *chunk;	   /* received, to be written */
	size_t chunk_len;
	/* PUT_DATA: its data, held until verified (cmd_put_store) */
	uint8_t *held;
	int holding;
	uint32_t status; /* first failure: MFTP_ST_*, 0 none */
	int stopped;	 /* told to end while waiting for the lock */
	char why[SESSION_WHY_MAX];
	/* The set of reservations it joined (quota.h); 0: holds none. */
	uint64_t reserve_set;
};

/* Keep the first failure: it is the one the client is told. */
void upload_fail(struct upload *p, uint32_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void upload_fail_errno(struct upload *p, int err, const char *what);

/*
 * Open the target's directory, once, name the partial in it and tell
 * whether the count of the home counts them (p->counted).  0, or -1
 * with p->status set (not a file name, a directory in the way).
 */
int upload_at(struct session *s, struct upload *p);

/*
 * Take the write lock (OFD) of the partial open at fd, which an upload
 * in progress holds: waiting a few seconds for one to let go (a session
 * whose client just stopped).  0; -1 with errno (EAGAIN: still held); or
 * ERR_STOPPED when this session was told to end meanwhile
 * (transport_check), which then answers the request, not the caller.
 */
int upload_lock_partial(struct session *s, int fd);

/*
 * Open (or create) the partial and lock it.  A new one is charged one
 * file as it is created, a PUT's after checking there is room for the
 * whole upload.  0, or -1 with p->status set.
 */
int upload_open(struct session *s, struct upload *p);

/*
 * How much of the partial to keep (p->offset): all of it when it was
 * left by an upload of the same source and is no longer than it; else
 * nothing, and the partial is emptied and marked for this source.  0,
 * or -1 with p->status set.
 */
int upload_resume(struct session *s, struct upload *p);

/*
 * Empty the partial (delete 0) or delete it (1), giving back its share.
 * 0, or -1 with p->status set unless it was already.
 */
int upload_drop(struct session *s, struct upload *p, int delete);

/*
 * Reserve the bytes still to come before PUT_READY; 0, or -1 with
 * p->status set (ERROR QUOTA: refused before any data).
 */
int upload_reserve(struct session *s, struct upload *p);

/* Give back what was reserved and not written (best effort, logged). */
void upload_release(struct session *s, struct upload *p);

#endif
