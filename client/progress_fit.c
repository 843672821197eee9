/*
 * progress_fit.c: a file name fitted into the columns the progress bar
 * leaves it.  The name is the server's (made safe for the terminal
 * first, so an escape is shown as text), and its columns and bytes
 * differ: a character may take no column (a combining mark) or two, and
 * several bytes.  Both are bounded: the columns by the screen, the
 * bytes by the caller's buffer.
 *
 * Runs as: the user, in mftp.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "progress_fit.h"

/* The longest name considered, in characters. */
#define PROGRESS_FIT_CHARS 256

/* One character of a name: where it is, its bytes, its columns. */
struct progress_char {
	size_t off;
	size_t len;
	int w;
};

/*
 * Split name into characters (control characters and bytes that are
 * not characters count as one column, shown as '?'); the count.
 */
static size_t
progress_chars(const char *name, struct progress_char *v, size_t max)
{
	const char *s = name;
	mbstate_t ps;
	size_t n, k = 0;
	wchar_t wc;
	int w;

	memset(&ps, 0, sizeof(ps));
	while (*s != '\0' && k < max) {
		n = mbrtowc(&wc, s, strlen(s), &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof(ps));
			wc = L'?';
			n = 1;
		}
		if ((w = wcwidth(wc)) < 0 || wc == L'?') {
			/* Shown as '?': one byte, one column. */
			v[k].off = (size_t)(s - name);
			v[k].len = 0;
			v[k++].w = 1;
			s += n;
			continue;
		}
		v[k].off = (size_t)(s - name);
		v[k].len = n;
		v[k++].w = w;
		s += n;
	}
	return k;
}

static size_t
progress_put(
    const char *name, const struct progress_char *c, char *out, size_t o)
{
	if (c->len == 0)
		out[o++] = '?';
	else {
		memcpy(out + o, name + c->off, c->len);
		o += c->len;
	}
	return o;
}

/*
 * The columns name needs, whole; the characters are left in v (n).
 */
static int
progress_width(const struct progress_char *v, size_t n)
{
	size_t i;
	int w = 0;

	for (i = 0; i < n; i++)
		w += v[i].w;
	return w;
}

int
progress_cols(const char *name)
{
	struct progress_char v[PROGRESS_FIT_CHARS];

	return progress_width(
	    v, progress_chars(name, v, sizeof(v) / sizeof(v[0])));
}

/* The bytes c takes in the output ('?' for one that is shown so). */
static size_t
progress_bytes(const struct progress_char *c)
{
	return c->len == 0 ? 1 : c->len;
}

/* The end holds the extension, the start what tells files apart. */
int
progress_fit(const char *name, int cols, char *out, size_t outlen)
{
	struct progress_char v[PROGRESS_FIT_CHARS];
	size_t n, i, j, o = 0, tbytes = 0, room;
	int head, tail, used = 0, tused = 0;

	if (outlen < 8) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	/* What the characters may take: "..." and the NUL stay free. */
	room = outlen - 4;
	n = progress_chars(name, v, sizeof(v) / sizeof(v[0]));
	if (progress_width(v, n) <= cols || cols < 5) {
		for (i = 0; i < n && used + v[i].w <= cols &&
		     o + progress_bytes(&v[i]) <= room;
		     i++) {
			o = progress_put(name, &v[i], out, o);
			used += v[i].w;
		}
		out[o] = '\0';
		return used;
	}
	head = (cols - 3 + 1) / 2;
	tail = cols - 3 - head;
	/*
	 * The tail's first character: as many from the end as fit, in
	 * columns and in half the bytes (characters of no column, such as
	 * combining marks, still take bytes); the head has the rest.
	 */
	for (j = n; j > 0 && tused + v[j - 1].w <= tail &&
	     tbytes + progress_bytes(&v[j - 1]) <= room / 2;
	     j--) {
		tused += v[j - 1].w;
		tbytes += progress_bytes(&v[j - 1]);
	}
	for (i = 0; i < j && used + v[i].w <= head &&
	     o + progress_bytes(&v[i]) + tbytes <= room;
	     i++) {
		o = progress_put(name, &v[i], out, o);
		used += v[i].w;
	}
	memcpy(out + o, "...", 3);
	o += 3;
	for (; j < n; j++)
		o = progress_put(name, &v[j], out, o);
	out[o] = '\0';
	return used + 3 + tused;
}
