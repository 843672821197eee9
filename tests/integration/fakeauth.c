/*
 * fakeauth.c: a subverted auth helper, for t_verdict.sh.
 *
 * Runs as: root, exec'ed by mftpd's monitor in place of mftpd-auth (the
 * test's auth_helper); never installed.  It takes the request from the
 * pre-auth worker like mftpd-auth, then answers "ok" with whatever record
 * the file USERS_FILE.forge says (one line: name uid gid home bytes
 * files hash), as a helper taken over by an attacker could.  The monitor must
 * refuse every record the user database does not have.
 *
 *   fakeauth [-e] [-t seconds] -- users-file uid gid
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep_msg.h"

int
main(int argc, char *argv[])
{
	struct privsep_verdict v;
	char path[4200], home[4200], name[64], hash[400], *user, *secret;
	unsigned long uid, gid;
	unsigned long long bytes, files;
	FILE *f;

	if (argc < 4)
		return 2;
	snprintf(path, sizeof(path), "%s.forge", argv[argc - 3]);
	if ((f = fopen(path, "r")) == NULL ||
	    fscanf(f, "%63s %lu %lu %4199s %llu %llu %399s", name, &uid, &gid,
		home, &bytes, &files, hash) != 7)
		return 3;
	fclose(f);
	memset(&v, 0, sizeof(v));
	if (privsep_recv_request(
		STDIN_FILENO, 30000, &user, &secret, v.psk, &v.features) != 0)
		return 4;
	v.ok = 1;
	strlcpy(v.name, name, sizeof(v.name));
	v.uid = (uid_t)uid;
	v.gid = (gid_t)gid;
	strlcpy(v.home, home, sizeof(v.home));
	v.quota_bytes = bytes;
	v.quota_files = files;
	strlcpy(v.hash, hash, sizeof(v.hash));
	return privsep_send_verdict(STDOUT_FILENO, &v) == 0 ? 0 : 5;
}
