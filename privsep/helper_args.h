/*
 * helper_args.h: the command line the per-connection monitor gives its
 * helpers, mftpd-auth and mftpd-sign: "NAME [-e] [-t seconds] [--] FILE
 * uid gid", and for mftpd-sign also "-k 3" (FILE is open on descriptor
 * 3), "-p FINGERPRINT" (the certificate's key) and "NAME -c [-k 3]
 * [-p FINGERPRINT] CERT FILE".
 *
 * Runs as: root, first thing in each helper, before it reads the file.
 */
#ifndef MFTP_HELPER_ARGS_H
#define MFTP_HELPER_ARGS_H

#include <sys/types.h>

struct helper_args {
	int check;		 /* -c given: only cert and file are set */
	const char *cert;	 /* -c's certificate */
	const char *file;	 /* the users file or the key file */
	int key_fd;		 /* -k: FILE, open here; or -1 */
	const char *fingerprint; /* -p: the key's public half must be it */
	int timeout_ms; /* -t, default 60 s: how long to wait for a request */
	uid_t uid;	/* the pre-auth user to drop to */
	gid_t gid;
};

/*
 * Parse argc/argv into a.  optstring is getopt's, "et:" or "cek:p:t:" (the
 * caller's own, where tests/integration/t_manpages.sh reads it).  A
 * command line of the wrong shape calls usage (which does not return).
 * Unless -c was given, logging starts as name (to stderr with -e), and
 * a uid or gid outside 1..0x7ffffffe, or a process not running as
 * root, is fatal: the helpers must start as root to read their file
 * and must have a real user to drop to.
 */
void helper_args_parse(int argc, char *argv[], const char *optstring,
    const char *name, void (*usage)(void) __attribute__((noreturn)),
    struct helper_args *a);

#endif
