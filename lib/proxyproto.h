/*
 * proxyproto.h: the PROXY protocol header a load balancer puts in front
 * of a connection (HAProxy's proxy-protocol.txt, versions 1 and 2).
 *
 * Used by: the master (daemon/proxywait.c), for connections from a
 * configured balancer address only; the tests and the fuzz harness.
 * Pure functions on a byte buffer: no allocation, no I/O, no state.
 */
#ifndef MFTP_PROXYPROTO_H
#define MFTP_PROXYPROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * The longest header accepted, whole: the 16-byte v2 preamble and at most
 * 520 bytes of address block and TLVs, the receive buffer the
 * specification recommends.  A v1 line is at most 107 bytes, CRLF
 * included.  A header that announces more is refused, never waited for.
 */
#define PROXYPROTO_MAX 536
#define PROXYPROTO_V1_MAX 107
#define PROXYPROTO_V2_HEAD 16

/* What the header says. */
#define PROXYPROTO_LOCAL 0 /* the balancer's own connection (health check) */
#define PROXYPROTO_PROXY 1 /* relayed: src is the client */

/* proxyproto_parse's results besides 0 and the ERR_* codes. */
#define PROXYPROTO_MORE 1 /* a prefix of a header: wait for more bytes */

struct proxyproto {
	int version;	 /* 1 or 2 */
	int command;	 /* PROXYPROTO_LOCAL or PROXYPROTO_PROXY */
	int family;	 /* AF_INET, AF_INET6, or AF_UNSPEC: address unknown */
	uint8_t src[16]; /* network order: 4 bytes for AF_INET */
	uint8_t dst[16];
	uint16_t src_port; /* host order */
	uint16_t dst_port;
};

/*
 * Parse the header at the start of buf[0..len).  Returns:
 *   0                *pp filled, *used = the header's length (<= len);
 *                    the bytes after it are the relayed stream's.
 *   PROXYPROTO_MORE  every one of the len bytes belongs to a header that
 *                    is not complete yet (so a reader may consume them
 *                    all and read on); *used = 0.
 *   ERR_VALUE        not a PROXY header, or a malformed one.
 *   ERR_TOO_LONG     a v2 length over PROXYPROTO_MAX, or a v1 line with
 *                    no CRLF within PROXYPROTO_V1_MAX bytes.
 * A v2 PROXY header for an AF_UNIX or unspecified family, and a v1
 * "UNKNOWN" one, parse with family AF_UNSPEC: the source is unknown.
 * A v2 datagram (UDP) header is refused: this is a stream service.
 * TLVs after the v2 addresses are skipped unread.  Never reads past
 * buf[len - 1] nor, when it returns 0, past buf[*used - 1].
 */
int proxyproto_parse(
    const uint8_t *buf, size_t len, struct proxyproto *pp, size_t *used);

/*
 * Encode pp as a v2 header (no TLVs) into out; returns its length, or 0
 * if outlen is too small or pp's family is not one v2 can say.
 */
size_t
proxyproto_encode_v2(const struct proxyproto *pp, uint8_t *out, size_t outlen);

/* The same as a v1 line ("PROXY TCP4 ...\r\n"); 0 as above. */
size_t
proxyproto_encode_v1(const struct proxyproto *pp, char *out, size_t outlen);

#endif
