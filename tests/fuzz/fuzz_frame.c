/*
 * fuzz_frame.c: the frame reader (lib/frame.c) on a stream of bytes from
 * a peer, as the pre-auth worker, the serving process and the client
 * read them: frame_recv_msg() on a transport, frame after frame, until
 * the first error.
 *
 * Properties: a frame that decodes encodes back to exactly the bytes it
 * came from (length prefix included); a length of 0 or over the limit,
 * and only that, is ERR_FRAME_LEN, after its 4 bytes, before a payload
 * byte is read (or allocated); the errors are the documented ones;
 * nothing is left allocated (LeakSanitizer).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "fuzz.h"
#include "mftp_limits.h"
#include "msg.h"
#include "transport.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transport *t;
	struct buf *scratch, *out;
	struct msg m;
	off_t before, after;
	int fd, r;

	fd = fuzz_memfd(data, size);
	t = transport_new(fd, 0);
	scratch = buf_new(MFTP_FRAME_BUF);
	out = buf_new(MFTP_FRAME_BUF);
	memset(&m, 0, sizeof(m));
	for (;;) {
		before = lseek(fd, 0, SEEK_CUR);
		r = frame_recv_msg(t, scratch, &m);
		after = lseek(fd, 0, SEEK_CUR);
		/* A frame read whole never stays in the scratch buffer. */
		FUZZ_CHECK(r == ERR_SHORT || r == ERR_EOF ||
		    r == ERR_FRAME_LEN || buf_len(scratch) == 0);
		if (r != 0) {
			FUZZ_CHECK(r == ERR_EOF || r == ERR_SHORT ||
			    r == ERR_FRAME_LEN || r == ERR_TOO_LONG ||
			    r == ERR_NUL || r == ERR_TRAILING ||
			    r == ERR_TYPE || r == ERR_VALUE);
			if (r == ERR_EOF)
				FUZZ_CHECK((size_t)before == size);
			/* A whole length prefix, refused on its value. */
			if (after == before + 4 && r != ERR_SHORT) {
				uint32_t len = (uint32_t)data[before] << 24 |
				    (uint32_t)data[before + 1] << 16 |
				    (uint32_t)data[before + 2] << 8 |
				    data[before + 3];

				FUZZ_CHECK((r == ERR_FRAME_LEN) ==
				    (len == 0 || len > MFTP_FRAME_MAX));
			}
			/* Refused on the length alone: nothing more read. */
			if (r == ERR_FRAME_LEN)
				FUZZ_CHECK(after == before + 4);
			break;
		}
		/* Decode, then encode: the same bytes as on the wire. */
		buf_reset(out);
		FUZZ_CHECK(msg_encode(out, &m) == 0);
		FUZZ_CHECK(buf_len(out) == (size_t)(after - before));
		FUZZ_CHECK(
		    memcmp(buf_ptr(out), data + before, buf_len(out)) == 0);
		FUZZ_CHECK(msg_name(m.type) != NULL);
		msg_clear(&m);
	}
	/* A failed decode clears m: nothing to free. */
	msg_clear(&m);
	buf_free(out);
	buf_free(scratch);
	transport_free(t);
	return 0;
}
