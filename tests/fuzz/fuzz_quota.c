/*
 * fuzz_quota.c: the accounting line parser (lib/quota.c's quota_parse)
 * on a file's contents, as the serving process and the admin tools read
 * a user's accounting file (the file is root's, but a damaged or
 * truncated one must read as corrupt, never as "nothing used").
 *
 * Properties: a file (its usage line, and a reservation and a removal
 * line where there are) that parses is exactly what quota_format() writes
 * for the usage it gave (one form per usage, so the file is rewritten in
 * place with the same length), but for a reservation line of the form
 * older versions wrote ("MFTPR1", no set), which is written anew in
 * today's and reads back as the same usage; a refused one leaves the
 * usage as it was.
 */
#include <string.h>

#include "fuzz.h"
#include "quota.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char old_reserve[] = "MFTPR1 ";
	struct quota_usage u, was, again;
	struct quota_limits l;
	char line[QUOTA_FILE_MAX + 1];
	size_t len;

	memset(&u, 0xa5, sizeof(u));
	was = u;
	if (quota_parse((const char *)data, size, &u) != 0) {
		FUZZ_CHECK(memcmp(&u, &was, sizeof(u)) == 0);
		return 0;
	}
	FUZZ_CHECK(size <= QUOTA_FILE_MAX);
	len = quota_format(&u, line, sizeof(line));
	if (size > QUOTA_LINE_LEN &&
	    memcmp(data + QUOTA_LINE_LEN, old_reserve,
		sizeof(old_reserve) - 1) == 0) {
		FUZZ_CHECK(u.reserve_set == 0);
		memset(&again, 0, sizeof(again));
		FUZZ_CHECK(quota_parse(line, len, &again) == 0);
		FUZZ_CHECK(memcmp(&again, &u, sizeof(u)) == 0);
	} else {
		FUZZ_CHECK(len == size);
		FUZZ_CHECK(memcmp(line, data, size) == 0);
	}
	/* The arithmetic never wraps, whatever the file says. */
	l.bytes = u.bytes;
	l.files = u.files;
	FUZZ_CHECK(quota_fits(&u, &l, 0, 0));
	FUZZ_CHECK(!quota_fits(&u, &l, 1, 0) || l.bytes == 0);
	FUZZ_CHECK(!quota_fits(&u, &l, UINT64_MAX, 0) || l.bytes == 0);
	return 0;
}
