/*
 * progress.c: the progress bar of one transfer on stderr (name, bar,
 * percent, bytes, rate, ETA or "stalled"), and human units.
 *
 * Runs as: the user, in mftp.  Only plain characters and carriage
 * returns are written, no terminal escapes; the bar is erased by
 * overwriting it with blanks.
 */
#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "human.h"
#include "intr.h"
#include "progress.h"
#include "progress_fit.h"
#include "termsafe.h"
#include "util.h"

#define PROGRESS_FIRST 0.1 /* first drawn after this long (s) */
#define PROGRESS_EVERY 0.1 /* redrawn at most this often (s) */
#define PROGRESS_STALL 5.0 /* "stalled" after this long without data */
#define PROGRESS_RING 30   /* rate over the last 30 draws, about 3 s */
#define PROGRESS_LINE 512
#define PROGRESS_NAME_MIN 20 /* columns a long name keeps at least */

struct progress_sample {
	double t;
	uint64_t done;
};

struct progress {
	char *name;
	uint64_t size;
	uint64_t done;
	double last_draw;
	double last_move;
	struct progress_sample ring[PROGRESS_RING];
	int head; /* the oldest sample */
	int count;
	size_t drawn; /* columns on the screen now */
};

static double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress_add_sample(struct progress *p, double t)
{
	int i;

	if (p->count < PROGRESS_RING)
		i = (p->head + p->count++) % PROGRESS_RING;
	else {
		i = p->head;
		p->head = (p->head + 1) % PROGRESS_RING;
	}
	p->ring[i].t = t;
	p->ring[i].done = p->done;
}

struct progress *
progress_start(int enabled, const char *name, uint64_t size, uint64_t offset)
{
	struct progress *p;
	const char *slash;
	double now;

	/*
	 * Never on a pipe or a file, whatever the progress command asked:
	 * carriage returns and redrawn lines would fill a log.
	 */
	if (!enabled || !isatty(STDERR_FILENO))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	/* The file's own name: a long directory would crowd it out. */
	if ((slash = strrchr(name, '/')) != NULL && slash[1] != '\0')
		name = slash + 1;
	/* The server's name: only what may reach the terminal. */
	p->name = termsafe_str(name);
	p->size = size;
	p->done = offset;
	now = progress_now();
	/* As if drawn just now: the first real draw waits PROGRESS_FIRST. */
	p->last_draw = now + PROGRESS_FIRST - PROGRESS_EVERY;
	p->last_move = now;
	progress_add_sample(p, now);
	return p;
}

/* The terminal's width now (it may change in a transfer); 80 unknown. */
static int
progress_columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < PROGRESS_LINE / 2 ? ws.ws_col :
						       PROGRESS_LINE / 2;
	return 80;
}

/* Blank n columns (a longer earlier line, a "^C"), but never past the
 * width now: a window made narrower would wrap them onto a new line at
 * every redraw. */
static size_t
progress_blank(size_t from, size_t n)
{
	size_t cols = (size_t)progress_columns() - 1, i;

	if (n > cols)
		n = cols;
	for (i = from; i < n; i++)
		fputc(' ', stderr);
	return n;
}

static void
progress_draw(struct progress *p, double now)
{
	const struct progress_sample *old = &p->ring[p->head];
	char line[PROGRESS_LINE], stats[160], done[32], size[32], rate[32];
	char eta[32], name[PROGRESS_LINE / 2 + 8];
	double bps = 0, left;
	int cols, pct, namew, barw, i, len, fill, full, want;

	if (now > old->t && p->done >= old->done)
		bps = (double)(p->done - old->done) / (now - old->t);
	/*
	 * Past the size (a file that grew as it was read) is shown as the
	 * end: the bar is never wider than its room, nor the time left
	 * negative.
	 */
	pct = p->size == 0 || p->done >= p->size ?
	    100 :
	    (int)(100.0 * (double)p->done / (double)p->size);
	human_size(p->done, done, sizeof(done));
	human_size(p->size, size, sizeof(size));
	human_size((uint64_t)bps, rate, sizeof(rate));
	if (now - p->last_move >= PROGRESS_STALL)
		strlcpy(eta, "- stalled -", sizeof(eta));
	else if (bps < 1)
		strlcpy(eta, "ETA --:--", sizeof(eta));
	else {
		left = p->done >= p->size ? 0 :
					    (double)(p->size - p->done) / bps;
		if (left >= 3600)
			snprintf(eta, sizeof(eta), "ETA %d:%02d:%02d",
			    (int)(left / 3600), (int)(left / 60) % 60,
			    (int)left % 60);
		else
			snprintf(eta, sizeof(eta), "ETA %d:%02d",
			    (int)(left / 60), (int)left % 60);
	}
	/*
	 * Three columns less than the screen: the line never wraps, not
	 * even with the "^C" the terminal echoes when one stops it.
	 */
	cols = progress_columns() - 3;
	/* Not even a percentage fits: no bar rather than a wrapped one. */
	if (cols < 6) {
		p->last_draw = now;
		progress_add_sample(p, now);
		return;
	}
	/*
	 * The name stays readable: on a narrow screen the bar goes first,
	 * then the byte counts, then the rate.
	 */
	full = progress_fit(p->name, PROGRESS_LINE / 2, name, sizeof(name));
	want = full < PROGRESS_NAME_MIN ? full : PROGRESS_NAME_MIN;
	for (i = 0;; i++) {
		if (i == 0)
			len = snprintf(stats, sizeof(stats),
			    " %3d%% %s / %s %s/s %s", pct, done, size, rate,
			    eta);
		else if (i == 1)
			len = snprintf(stats, sizeof(stats), " %3d%% %s/s %s",
			    pct, rate, eta);
		else if (i == 2)
			len = snprintf(
			    stats, sizeof(stats), " %3d%% %s", pct, eta);
		else
			len = snprintf(stats, sizeof(stats), " %3d%%", pct);
		if (i == 3 || cols - len >= want)
			break;
	}
	namew = cols - len;
	if (namew > want + 8)
		namew = full < namew / 2 ? full :
		    namew / 2 > want	 ? namew / 2 :
					   want;
	namew = progress_fit(
	    p->name, namew > 1 ? namew : 1, name, sizeof(name));
	barw = cols - len - namew - 3;
	i = snprintf(line, sizeof(line), "\r%s", name);
	if (barw >= 5 &&
	    (size_t)i + (size_t)barw + 3 + (size_t)len < sizeof(line)) {
		fill = (int)((double)barw * pct / 100.0);
		line[i++] = ' ';
		line[i++] = '[';
		memset(line + i, '=', (size_t)fill);
		memset(line + i + fill, ' ', (size_t)(barw - fill));
		i += barw;
		line[i++] = ']';
		line[i] = '\0';
		namew += barw + 3;
	}
	strlcat(line, stats, sizeof(line));
	fputs(line, stderr);
	/* Blank what a longer earlier line left. */
	p->drawn = progress_blank((size_t)(namew + len), p->drawn);
	fflush(stderr);
	if ((size_t)(namew + len) > p->drawn)
		p->drawn = (size_t)(namew + len);
	p->last_draw = now;
	progress_add_sample(p, now);
}

void
progress_update(void *arg, uint64_t done)
{
	struct progress *p = arg;
	double now;

	if (p == NULL)
		return;
	now = progress_now();
	if (done != p->done) {
		p->done = done;
		p->last_move = now;
	}
	if (now - p->last_draw >= PROGRESS_EVERY)
		progress_draw(p, now);
}

void
progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn > 0) {
		fputc('\r', stderr);
		/* The bar and a "^C" echoed after it. */
		(void)progress_blank(0, p->drawn + 2);
		fputc('\r', stderr);
		fflush(stderr);
		intr_echo_done();
	}
	free(p->name);
	free(p);
}
