/*
 * xfer_report.c: the line that ends a verified transfer, and the clock
 * it is timed by.
 *
 * Runs as: the user, in mftp.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "human.h"
#include "intr.h"
#include "util.h"
#include "words.h"
#include "xfer.h"

double
xfer_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The one line after a transfer: "NAME: 1.0 MiB in 0.01 s (100
 * MiB/s), verified", with "resumed at SIZE" when offset bytes were kept.
 */
void
xfer_report_to(FILE *out, struct cmd_ctx *ctx, const char *name, uint64_t bytes,
    uint64_t offset, double secs)
{
	char size[32], rate[32], at[48] = "", *p;

	if (ctx->quiet)
		return;
	human_size(bytes, size, sizeof(size));
	human_size((uint64_t)((double)bytes / (secs > 1e-6 ? secs : 1e-6)),
	    rate, sizeof(rate));
	if (offset > 0) {
		strlcpy(at, ", resumed at ", sizeof(at));
		human_size(offset, at + strlen(at), sizeof(at) - strlen(at));
	}
	p = words_printable(name);
	intr_erase_echo(out);
	fprintf(out, "%s: %s in %.2f s (%s/s)%s, verified\n", p, size, secs,
	    rate, at);
	fflush(out);
	free(p);
}

void
xfer_report(struct cmd_ctx *ctx, const char *name, uint64_t bytes,
    uint64_t offset, double secs)
{
	xfer_report_to(stdout, ctx, name, bytes, offset, secs);
}

/*
 * Where the line about a download written into fd goes: to standard
 * error when fd is standard output's file or pipe (get f /dev/stdout),
 * or it would end up in the data.
 */
FILE *
xfer_report_file(int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return stderr;
	return stdout;
}
