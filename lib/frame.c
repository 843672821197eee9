/*
 * frame.c: whole frames on a transport.
 *
 * Runs in the pre-auth worker, the serving process and the client.  The
 * length prefix is checked against MFTP_FRAME_MAX before a payload byte is
 * read, and the payload goes into a buffer whose maximum already covers
 * the limit, so a peer's announced length never decides an allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "transport.h"

int
frame_read(struct transport *t, struct buf *payload)
{
	uint8_t hdr[4], *p;
	uint32_t len;
	int r;

	buf_reset(payload);
	if ((r = transport_read(t, hdr, sizeof(hdr))) != 0)
		return r;
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	/* err_str(ERR_FRAME_LEN) names the bounds. */
	_Static_assert(MFTP_FRAME_MAX == 65536, "ERR_FRAME_LEN's text");
	if (len == 0 || len > MFTP_FRAME_MAX)
		return ERR_FRAME_LEN;
	if ((r = buf_reserve(payload, len, &p)) != 0)
		return r;
	if ((r = transport_read(t, p, len)) != 0)
		return r == ERR_EOF ? ERR_SHORT : r;
	return 0;
}

int
frame_recv_msg(struct transport *t, struct buf *scratch, struct msg *m)
{
	int r;

	msg_clear(m);
	if ((r = frame_read(t, scratch)) != 0)
		return r;
	r = msg_decode(scratch, m);
	buf_reset(scratch);
	return r;
}

int
frame_send_msg(struct transport *t, struct buf *scratch, const struct msg *m)
{
	int r;

	buf_reset(scratch);
	if ((r = msg_encode(scratch, m)) != 0)
		return r;
	r = transport_write(t, buf_ptr(scratch), buf_len(scratch));
	buf_reset(scratch);
	return r;
}

int
frame_send_error(struct transport *t, struct buf *scratch, uint32_t code,
    const char *fmt, ...)
{
	char text[MFTP_TEXT_MAX + 1];
	struct msg m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_ERROR;
	m.code = code;
	m.text = text;
	return frame_send_msg(t, scratch, &m);
}
