/*
 * fuzz_msg_reply.c: the message decoder (lib/msg.c) on a server's reply,
 * as the client reads it (client/rpc.c's rpc_recv): frame_recv_msg() on
 * a transport.  The input is one frame's payload; the harness puts the
 * length prefix in front, so the fuzzer spends its time on the fields.
 *
 * Properties: a reply that decodes encodes back to the same frame; what
 * the client then reads of it holds: every string is a C string within
 * its limit, every DIRENTS name is one (the client makes local file
 * names of them), the hash is empty or whole (XXH3-128's 16 bytes or
 * SHA-256's 32); a failed decode leaves nothing allocated
 * (LeakSanitizer) and the message zeroed.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "fuzz.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "transport.h"

static void
fuzz_check_reply(const struct msg *m)
{
	size_t i;

	FUZZ_CHECK(msg_name(m->type) != NULL);
	FUZZ_CHECK(m->hash_len == 0 || m->hash_len == MFTP_HASH_XXH128_LEN ||
	    m->hash_len == MFTP_HASH_LEN);
	if (m->text != NULL)
		FUZZ_CHECK(strlen(m->text) <= MFTP_TEXT_MAX);
	if (m->path != NULL)
		FUZZ_CHECK(strlen(m->path) <= MFTP_PATH_MAX);
	FUZZ_CHECK((m->nentries == 0) == (m->entries == NULL));
	for (i = 0; i < m->nentries; i++) {
		FUZZ_CHECK(m->entries[i].name != NULL);
		FUZZ_CHECK(strlen(m->entries[i].name) <= MFTP_NAME_MAX);
		FUZZ_CHECK(m->entries[i].attr.kind >= MFTP_KIND_FILE &&
		    m->entries[i].attr.kind <= MFTP_KIND_OTHER);
		FUZZ_CHECK((m->entries[i].attr.mode & ~07777U) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct msg zero;
	struct transport *t;
	struct buf *scratch, *out;
	uint8_t *frame;
	struct msg m;
	int r;

	if (size > MFTP_FRAME_MAX)
		return 0;
	if ((frame = malloc(size + 4)) == NULL)
		abort();
	frame[0] = (uint8_t)(size >> 24);
	frame[1] = (uint8_t)(size >> 16);
	frame[2] = (uint8_t)(size >> 8);
	frame[3] = (uint8_t)size;
	memcpy(frame + 4, data, size);
	t = transport_new(fuzz_memfd(frame, size + 4), 0);
	scratch = buf_new(MFTP_FRAME_BUF);
	out = buf_new(MFTP_FRAME_BUF);
	memset(&m, 0, sizeof(m));
	r = frame_recv_msg(t, scratch, &m);
	if (r != 0) {
		FUZZ_CHECK(r == ERR_SHORT || r == ERR_TOO_LONG ||
		    r == ERR_NUL || r == ERR_TRAILING || r == ERR_TYPE ||
		    r == ERR_VALUE || r == ERR_FRAME_LEN);
		FUZZ_CHECK((size == 0) == (r == ERR_FRAME_LEN));
		FUZZ_CHECK(memcmp(&m, &zero, sizeof(m)) == 0);
	} else {
		fuzz_check_reply(&m);
		FUZZ_CHECK(msg_encode(out, &m) == 0);
		FUZZ_CHECK(buf_len(out) == size + 4);
		FUZZ_CHECK(memcmp(buf_ptr(out), frame, size + 4) == 0);
		(void)msg_is_final(m.type);
	}
	msg_clear(&m);
	buf_free(out);
	buf_free(scratch);
	transport_free(t);
	free(frame);
	return 0;
}
