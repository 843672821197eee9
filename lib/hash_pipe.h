/*
 * hash_pipe.h: a transfer's checksum computed beside its I/O, in a
 * second thread, so that a SHA-256 verified transfer takes as long as the
 * slower of the I/O and the hash rather than their sum.
 *
 * Used by: mftpd's serving process (uploads) and mftp (uploads and
 * downloads), through the same calls.  Two buffers: the I/O loop fills
 * one (hash_pipe_buf) and hands it over (hash_pipe_feed) while the thread
 * hashes the other; the buffer handed over stays readable, so the loop
 * still writes it to the file or the connection.  The thread only reads
 * the buffers and calls digest_update(); it waits idle on a condition
 * variable between transfers, and is reused for every transfer of the
 * process.  Small transfers and XXH3-128 ones are hashed inline (the hand-
 * over would cost more than it saves: XXH3-128 runs at many GB/s), with
 * the same calls, so a caller has one loop for both.
 *
 * A process that cannot make threads once it serves (mftpd's serving
 * process: RLIMIT_NPROC 0, and no clone in its seccomp list) starts the
 * thread during its setup with hash_pipe_start(); mftp lets the first
 * transfer that is worth it start it (lazy).
 */
#ifndef MFTP_HASH_PIPE_H
#define MFTP_HASH_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

/* Transfers smaller than this are hashed inline. */
#define HASH_PIPE_MIN (1024 * 1024)

/* The thread's stack: it only runs the digest's update. */
#define HASH_PIPE_STACK (64 * 1024)

struct hash_pipe;

/*
 * A pipe without a thread yet.  lazy: hash_pipe_begin() starts the
 * thread the first time a transfer is worth it; otherwise only
 * hash_pipe_start() does.  Allocation failure is fatal.
 */
struct hash_pipe *hash_pipe_new(int lazy);

/*
 * Start the thread now, with every signal blocked (they are the I/O
 * loop's) and a HASH_PIPE_STACK stack, and return once it waits idle:
 * from then on it makes no system call but futex.  0 (also if it runs
 * already), or -1 with errno; the pipe then hashes inline.
 */
int hash_pipe_start(struct hash_pipe *hp);

/*
 * Start one transfer of up to total bytes, hashed into d (NULL: the data
 * is only moved, nothing hashed) in pieces of up to bufsize bytes.  The
 * buffers are allocated here (at most total bytes each) and freed by
 * hash_pipe_end() or hash_pipe_abort(); d belongs to the pipe until then.
 * The thread is used if it runs (or, lazy, can be started) and the
 * transfer is SHA-256 and at least HASH_PIPE_MIN bytes.
 */
void hash_pipe_begin(
    struct hash_pipe *hp, struct digest *d, uint64_t total, size_t bufsize);

/* The size of the buffers of the transfer under way. */
size_t hash_pipe_bufsize(const struct hash_pipe *hp);

/*
 * The buffer to fill next, hash_pipe_bufsize() bytes; waits while the
 * thread still reads it.  The caller may write to it until it hands it
 * over with hash_pipe_feed(), and read it until its next hash_pipe_buf()
 * call.  Asked for again without a feed in between, the same buffer.
 */
uint8_t *hash_pipe_buf(struct hash_pipe *hp);

/* Hash the first len bytes of the buffer hash_pipe_buf() gave. */
void hash_pipe_feed(struct hash_pipe *hp, size_t len);

/*
 * Wait until everything fed is in d, and free the buffers: d is the
 * caller's again, ready for digest_final().
 */
void hash_pipe_end(struct hash_pipe *hp);

/*
 * Give up on the transfer: what was fed and not yet hashed is dropped,
 * the buffers are freed, and d holds an unknown part of the data (reset
 * it before use).  Does nothing outside a transfer.
 */
void hash_pipe_abort(struct hash_pipe *hp);

/*
 * Feed d with len bytes of the file fd from offset off (pread; the file
 * offset does not move), as one transfer through the pipe: a SHA-256 read
 * of HASH_PIPE_MIN or more is hashed in the thread while the next piece
 * is read.  Returns 0, ERR_SHORT if the file ends before off + len, or
 * ERR_IO with errno set; d then holds an unknown part (reset it).
 */
int hash_pipe_fd(
    struct hash_pipe *hp, struct digest *d, int fd, uint64_t off, uint64_t len);

/* 1 if the transfer under way (or the last one) used the thread. */
int hash_pipe_threaded(const struct hash_pipe *hp);

/* Stop the thread and free everything; NULL is fine. */
void hash_pipe_free(struct hash_pipe *hp);

#endif
