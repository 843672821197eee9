/*
 * auth_verify.c: one crypt_rn() per verification, whatever the outcome,
 * and a constant-time comparison of the result.
 *
 * Runs in mftpd-auth, as the unprivileged pre-auth user.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "auth_verify.h"
#include "log.h"
#include "util.h"

/* A usable hash: a crypt(3) setting, not a locked or disabled marker. */
static int
auth_hash_usable(const char *hash)
{
	return hash != NULL && hash[0] != '\0' && hash[0] != '!' &&
	    hash[0] != '*' && strlen(hash) < CRYPT_OUTPUT_SIZE;
}

int
auth_verify(const char *hash, const char *secret)
{
	char dummy[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *setting, *out;
	size_t len;
	int ok = 0;

	cd = xcalloc(1, sizeof(*cd));
	if (auth_hash_usable(hash))
		setting = hash;
	else {
		/*
		 * Same method and cost as a fresh ftpuser-add hash, so the
		 * time taken matches a real user's.
		 */
		if (crypt_gensalt_rn(NULL, 0, NULL, 0, dummy, sizeof(dummy)) ==
		    NULL)
			fatal("crypt_gensalt_rn");
		setting = dummy;
	}
	out = crypt_rn(secret, setting, cd, sizeof(*cd));
	if (out != NULL && out[0] != '*' && setting == hash) {
		len = strlen(hash);
		if (strlen(out) == len && ct_memcmp(out, hash, len) == 0)
			ok = 1;
	}
	if (out == NULL || out[0] == '*')
		log_warnx("crypt_rn could not use a stored hash");
	freezero(cd, sizeof(*cd));
	return ok;
}
