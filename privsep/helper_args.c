/*
 * helper_args.c: the helpers' shared command line (see helper_args.h).
 *
 * Runs as: root, in mftpd-auth and mftpd-sign, before either drops
 * privileges; the arguments come from the monitor, not from a client.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <unistd.h>

#include "helper_args.h"
#include "log.h"
#include "mftp_limits.h"

void
helper_args_parse(int argc, char *argv[], const char *optstring,
    const char *name, void (*usage)(void) __attribute__((noreturn)),
    struct helper_args *a)
{
	const char *errstr;
	long long timeout = 60;
	int ch, to_stderr = 0;

	a->check = 0;
	a->cert = NULL;
	a->key_fd = -1;
	a->fingerprint = NULL;
	while ((ch = getopt(argc, argv, optstring)) != -1) {
		switch (ch) {
		case 'c':
			a->check = 1;
			break;
		case 'e':
			to_stderr = 1;
			break;
		case 'k':
			/* 3: the one descriptor helper_spawn passes. */
			a->key_fd = (int)strtonum(optarg, 3, 3, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'p':
			a->fingerprint = optarg;
			break;
		case 't':
			/* As long as the master may ask (a spare's). */
			timeout = strtonum(
			    optarg, 1, MFTP_HELPER_WAIT_MAX, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	a->timeout_ms = (int)timeout * 1000;
	if (a->check) {
		if (argc != 2)
			usage();
		a->cert = argv[0];
		a->file = argv[1];
		return;
	}
	if (argc != 3)
		usage();
	a->file = argv[0];
	log_init(name, to_stderr);
	a->uid = (uid_t)strtonum(argv[1], 1, 0x7ffffffe, &errstr);
	if (errstr != NULL)
		fatalx("uid %s is %s", argv[1], errstr);
	a->gid = (gid_t)strtonum(argv[2], 1, 0x7ffffffe, &errstr);
	if (errstr != NULL)
		fatalx("gid %s is %s", argv[2], errstr);
	if (geteuid() != 0)
		fatalx("must be started as root by mftpd");
}
