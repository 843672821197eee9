/*
 * err.c: words for the internal error codes of err.h.
 */
#include "err.h"

const char *
err_str(int code)
{
	switch (code) {
	case ERR_OK:
		return "no error";
	case ERR_SHORT:
		return "truncated input";
	case ERR_TOO_LONG:
		return "length over its limit";
	case ERR_NUL:
		return "string contains a NUL byte";
	case ERR_TRAILING:
		return "unexpected bytes after the last field";
	case ERR_TYPE:
		return "unknown message type";
	case ERR_VALUE:
		return "field value out of range";
	case ERR_EOF:
		return "connection closed";
	case ERR_IO:
		return "input/output error";
	case ERR_TIMEOUT:
		return "timed out";
	case ERR_FULL:
		return "buffer full";
	case ERR_TLS:
		return "TLS error";
	case ERR_NOT_TLS:
		return "the peer does not speak TLS";
	case ERR_GONE:
		return "connection lost";
	case ERR_FRAME_LEN:
		return "frame length 0 or over 65536";
	case ERR_STOPPED:
		return "stopped by the server";
	}
	return "unknown error";
}
