/*
 * transport_int.h: the transport's state, shared by transport.c (the
 * waits, the reads) and transport_send.c (the writes); nothing else
 * includes it.
 */
#ifndef MFTP_TRANSPORT_INT_H
#define MFTP_TRANSPORT_INT_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "ratelimit.h"

struct transport {
	int fd;
	int timeout_ms;
	uint64_t bytes_in;
	uint64_t bytes_out;
	SSL *ssl;	  /* NULL: plain */
	int ktls_send;	  /* the kernel encrypts: SSL_sendfile works */
	int tls_failed;	  /* a fatal TLS error: send nothing more */
	int send_failed;  /* the socket refused a write: send nothing more,
			    but what the peer sent before may still be read */
	int send_stalled; /* a write waited the whole timeout for room: send
			     nothing more (a record may be cut) */
	int timed_out;	  /* a wait for the peer ended in ERR_TIMEOUT */
	int sys_errno;	  /* the socket's error behind ERR_IO, or 0 */
	int peer_closed;  /* close_notify received */
	int peer_shut;	  /* the peer shut or reset its side (a paced read
			     saw it) */
	int sent_close;	  /* close_notify sent */
	BIO *bulk;	  /* during a bulk write: the socket BIO (below) */
	int keep_rbuf;	  /* transport_bulk_read: release mode cleared */
	/* A user's rate, each way; NULL (no extra call at all) without. */
	struct ratelimit *rate_in;
	struct ratelimit *rate_out;
	uint64_t deadline_ms;	/* 0, or no wait past it (mono_ms) */
	int ack_wait;		/* transport_set_ack_wait */
	unsigned int silent_ms; /* transport_set_silence; 0: none */
	int (*watch)(void *);	/* transport_set_watch; NULL: none */
	void *watch_arg;
	unsigned int watch_ms;
	uint64_t watch_next; /* mono_ms of the next question */
};

/*
 * The socket buffer is full: wait for room.  0, ERR_TIMEOUT or ERR_IO.
 * sending: a timeout stops all sending (transport.c).
 */
int transport_wait_writable(struct transport *t, int sending);
/*
 * What a failed SSL call means for the caller: 0 after waiting for the
 * socket (call again), or the ERR_ value to return (transport.c).
 */
int transport_tls_wait(struct transport *t, int ret, int writing);

#endif
