/*
 * fuzz_msg_request.c: the message decoder (lib/msg.c) on a client's
 * request, as the pre-auth worker and the serving process decode it: one
 * frame's payload, as frame_read() leaves it in the session's scratch
 * buffer, into msg_decode().
 *
 * Properties: a payload that decodes encodes back to the same bytes
 * behind a length prefix that equals its size; a failed decode leaves
 * the message zeroed with nothing allocated (LeakSanitizer), and
 * msg_clear() of it is harmless; the input is taken whole or refused.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "mftp_limits.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct msg zero;
	struct buf *in, *out;
	struct msg m;
	int r;

	/* frame_read() never hands over an empty or oversized payload. */
	if (size == 0 || size > MFTP_FRAME_MAX)
		return 0;
	in = buf_new(MFTP_FRAME_BUF);
	out = buf_new(MFTP_FRAME_BUF);
	FUZZ_CHECK(buf_put(in, data, size) == 0);
	memset(&m, 0, sizeof(m));
	r = msg_decode(in, &m);
	if (r != 0) {
		FUZZ_CHECK(r == ERR_SHORT || r == ERR_TOO_LONG ||
		    r == ERR_NUL || r == ERR_TRAILING || r == ERR_TYPE ||
		    r == ERR_VALUE);
		FUZZ_CHECK(memcmp(&m, &zero, sizeof(m)) == 0);
	} else {
		FUZZ_CHECK(buf_len(in) == 0);
		FUZZ_CHECK(msg_name(m.type) != NULL);
		FUZZ_CHECK(msg_encode(out, &m) == 0);
		FUZZ_CHECK(buf_len(out) == size + 4);
		FUZZ_CHECK(buf_ptr(out)[0] == (uint8_t)(size >> 24) &&
		    buf_ptr(out)[1] == (uint8_t)(size >> 16) &&
		    buf_ptr(out)[2] == (uint8_t)(size >> 8) &&
		    buf_ptr(out)[3] == (uint8_t)size);
		FUZZ_CHECK(memcmp(buf_ptr(out) + 4, data, size) == 0);
		/* The secret is a C string msg_clear() can wipe. */
		if (m.secret != NULL)
			FUZZ_CHECK(strlen(m.secret) <= MFTP_SECRET_MAX);
	}
	msg_clear(&m);
	FUZZ_CHECK(memcmp(&m, &zero, sizeof(m)) == 0);
	buf_free(out);
	buf_free(in);
	return 0;
}
