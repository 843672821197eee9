/*
 * frame.h: reading and writing whole frames on a transport.
 *
 * A frame is a u32 big-endian length and that many payload bytes
 * (1 <= length <= MFTP_FRAME_MAX).  The length is checked before any
 * payload is read, so an announced size is never allocated.
 */
#ifndef MFTP_FRAME_H
#define MFTP_FRAME_H

#include <stdint.h>

struct buf;
struct msg;
struct transport;

/*
 * Read one frame's payload into payload (reset first; its maximum must be
 * at least MFTP_FRAME_MAX; MFTP_FRAME_BUF also fits frames being sent).  ERR_EOF if the peer closed between frames,
 * ERR_FRAME_LEN for a length of 0 or over the limit, ERR_SHORT if it closed
 * inside the frame, ERR_TIMEOUT, ERR_IO.
 */
int frame_read(struct transport *t, struct buf *payload);

/* Read one frame and decode it into m (cleared first). */
int frame_recv_msg(struct transport *t, struct buf *scratch, struct msg *m);

/* Encode m into scratch (reset first) and write it. */
int
frame_send_msg(struct transport *t, struct buf *scratch, const struct msg *m);

/* Send an ERROR reply with code and a printf-style message. */
int frame_send_error(struct transport *t, struct buf *scratch, uint32_t code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
