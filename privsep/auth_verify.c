/*
 * auth_verify.c: crypt_rn() on the stored hash, and on a dummy of the
 * default method and cost unless that hash is of the same and could be
 * used; a constant-time comparison of the result.
 *
 * Runs in mftpd-auth, as the unprivileged pre-auth user.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "auth_verify.h"
#include "log.h"
#include "userdb.h"
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
	const char *out;
	size_t len;
	int ok = 0, timed = 0;

	/*
	 * Same method and cost as a fresh ftpuser-add hash: what an unknown
	 * user's answer costs, and what every failed one must cost.
	 */
	if (crypt_gensalt_rn(NULL, 0, NULL, 0, dummy, sizeof(dummy)) == NULL)
		fatal("crypt_gensalt_rn");
	cd = xcalloc(1, sizeof(*cd));
	if (auth_hash_usable(hash)) {
		out = crypt_rn(secret, hash, cd, sizeof(*cd));
		if (out == NULL || out[0] == '*')
			log_warnx("crypt_rn could not use a stored hash");
		else {
			len = strlen(hash);
			if (strlen(out) == len &&
			    ct_memcmp(out, hash, len) == 0)
				ok = 1;
			timed = userdb_hash_current(hash, dummy);
		}
	}
	/*
	 * A hash crypt(3) could not use ("x", "NP") fails in microseconds,
	 * a legacy one (DES, MD5) in well under a millisecond: the dummy
	 * after them, or their time would tell that the name exists.
	 */
	if (!timed) {
		out = crypt_rn(secret, dummy, cd, sizeof(*cd));
		if (out == NULL || out[0] == '*')
			log_warnx("crypt_rn could not use the default method");
	}
	freezero(cd, sizeof(*cd));
	return ok;
}
