/*
 * err.h: internal error codes returned by the codec, transport and parsers.
 *
 * Used by: every program.  These never go on the wire (see proto.h).
 * Functions return 0 on success or one of these negative values.
 */
#ifndef MFTP_ERR_H
#define MFTP_ERR_H

#define ERR_OK 0
#define ERR_SHORT -1	/* input ended inside a field or frame */
#define ERR_TOO_LONG -2 /* a length over its limit */
#define ERR_NUL -3	/* a string with an embedded NUL */
#define ERR_TRAILING -4 /* bytes left after the last field */
#define ERR_TYPE -5	/* unknown message type */
#define ERR_VALUE -6	/* a field out of its range */
#define ERR_EOF -7	/* peer closed cleanly between frames */
#define ERR_IO -8	/* system call failed; errno is set */
#define ERR_TIMEOUT -9	/* peer silent past the deadline */
#define ERR_FULL -10	/* buffer would grow past its maximum */
#define ERR_TLS -11	/* TLS failed: handshake, alert, bad record */
#define ERR_NOT_TLS -12 /* the peer answered with plain bytes */
#define ERR_GONE -13	/* the peer is gone: a frame to it could not be sent */
#define ERR_FRAME_LEN -14 /* a frame length of 0 or over MFTP_FRAME_MAX */
#define ERR_STOPPED -15	  /* the transport's watch said to stop */

/* A short English phrase for an error code; never NULL. */
const char *err_str(int code);

#endif
