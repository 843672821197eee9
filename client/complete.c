/*
 * complete.c: tab completion in libedit: the word under the cursor is
 * unquoted, matched against command names, a remote listing or a local
 * directory, and the common part of the matches is inserted, quoted to
 * suit the quote the word is in.  Several matches with nothing in common
 * to add are listed below the line.
 *
 * Runs as: the user, in mftp.  Remote names are shown only through
 * words_quote(), and only printable characters of them are inserted
 * into the line, so a name cannot send control or bidi characters to
 * the terminal.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <histedit.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "complete.h"
#include "intr.h"
#include "progress_fit.h"
#include "proto.h"
#include "rpc.h"
#include "termsafe.h"
#include "tilde.h"
#include "util.h"
#include "words.h"

/* Characters escaped with a backslash when inserted outside quotes. */
#define COMPLETE_ESCAPE " \t'\"\\$&|;<>()*?[]{}!`#~"

struct complete_names {
	char *dir; /* what was listed: the word up to its last '/' */
	char **names;
	char *isdir;
	size_t n;
};

struct complete {
	struct cmd_ctx *ctx;
	struct complete_names remote; /* cached until complete_forget */
};

/* What the line says up to the cursor. */
struct complete_word {
	char *word;  /* the word being completed, unquoted */
	char *first; /* the command, once past it */
	int index;   /* the word's position: 0 is the command */
	int operand; /* its position among the operands */
	int option;  /* it is an option */
	char quote;  /* the quote it is in: 0, '\'', '"' or '$' */
	int pattern; /* an operand of a command of patterns (CMD_PATTERNS) */
	int tilde;   /* it starts with a ~ neither quoted nor escaped */
};

static void
complete_names_clear(struct complete_names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->isdir);
	free(l->dir);
	memset(l, 0, sizeof(*l));
}

static void
complete_names_add(struct complete_names *l, const char *name, int isdir)
{
	l->names = xreallocarray(l->names, l->n + 1, sizeof(*l->names));
	l->isdir = xreallocarray(l->isdir, l->n + 1, 1);
	l->names[l->n] = xstrdup(name);
	l->isdir[l->n++] = (char)isdir;
}

/* Split [s, end) as words_split would, tolerating an open quote. */
static void
complete_parse(const char *s, const char *end, struct complete_word *w)
{
	size_t len = 0;
	int inword = 0, ended = 0;

	memset(w, 0, sizeof(*w));
	w->word = xmalloc((size_t)(end - s) + 1);
	w->index = -1;
	for (; s < end; s++) {
		if (!w->quote && !inword && strchr(" \t", *s) != NULL)
			continue;
		if (!inword) {
			inword = 1;
			w->index++;
			len = 0;
			/* As words_split_tilde marks it for cmd_run. */
			w->tilde = *s == '~';
		}
		if (w->quote == '\'' || w->quote == '$') {
			if (*s == '\'')
				w->quote = 0;
			else if (*s == '\\' && w->quote == '$' && s + 1 < end)
				w->word[len++] = *++s;
			else
				w->word[len++] = *s;
		} else if (w->quote == '"') {
			if (*s == '"')
				w->quote = 0;
			else if (*s == '\\' && s + 1 < end &&
			    (s[1] == '"' || s[1] == '\\'))
				w->word[len++] = *++s;
			else
				w->word[len++] = *s;
		} else if (*s == ' ' || *s == '\t') {
			w->word[len] = '\0';
			if (w->index == 0)
				w->first = xstrdup(w->word);
			else if (!ended && strcmp(w->word, "--") == 0)
				ended = 1;
			else if (ended || w->word[0] != '-')
				w->operand++;
			inword = 0;
		} else if (*s == '\'' || *s == '"')
			w->quote = *s;
		else if (*s == '$' && s + 1 < end && s[1] == '\'') {
			w->quote = '$';
			s++;
		} else if (*s == '\\' && s + 1 < end)
			w->word[len++] = *++s;
		else
			w->word[len++] = *s;
	}
	if (!inword) {
		w->index++;
		len = 0;
		w->tilde = 0;
	}
	w->word[len] = '\0';
	w->option = w->index > 0 && !ended && w->word[0] == '-';
}

static int
complete_list_add(void *arg, const struct msg_entry *e)
{
	struct complete_names *l = arg;

	if (*e->name != '\0' && strchr(e->name, '/') == NULL)
		complete_names_add(l, e->name, e->attr.kind == MFTP_KIND_DIR);
	return 0;
}

/* The remote names in dir, from the cache when it is the same dir. */
static struct complete_names *
complete_remote(struct complete *c, const char *dir)
{
	if (c->remote.dir != NULL && strcmp(c->remote.dir, dir) == 0)
		return &c->remote;
	complete_names_clear(&c->remote);
	if (rpc_lost(c->ctx->rpc) ||
	    rpc_list(c->ctx->rpc, dir, complete_list_add, &c->remote) !=
		RPC_OK) {
		complete_names_clear(&c->remote);
		return NULL;
	}
	c->remote.dir = xstrdup(dir);
	return &c->remote;
}

static void
complete_local(const char *dir, struct complete_names *l)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if ((d = opendir(*dir != '\0' ? dir : ".")) == NULL)
		return;
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		complete_names_add(l, de->d_name,
		    fstatat(fd, de->d_name, &st, 0) == 0 &&
			S_ISDIR(st.st_mode));
	}
	closedir(d);
}

/*
 * "~NAME" for each user of the password database, as directories: what
 * a word "~us" typed unquoted names (tilde.c), not a file of that name.
 */
static void
complete_users(struct complete_names *l)
{
	struct passwd *pw;
	char *s;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		xasprintf(&s, "~%s", pw->pw_name);
		complete_names_add(l, s, 1);
		free(s);
	}
	endpwent();
}

/*
 * text quoted to go on from where the word stands, in quote q.  In a
 * pattern (glob), '*', '?' and '[' are also made to match themselves,
 * as "[*]", "[?]" and "[[]": the line's quoting is gone by the time
 * mget's fnmatch(3) and mput's glob(3) see the word, so "\[" would be
 * a bracket expression there.
 */
static char *
complete_escape(const char *text, char q, int glob)
{
	char *out = xmalloc(strlen(text) * 4 + 1), *o = out;

	for (; *text != '\0'; text++) {
		if (glob && strchr("*?[", *text) != NULL) {
			*o++ = '[';
			*o++ = *text;
			*o++ = ']';
			continue;
		}
		/* A ']' is itself outside a bracket expression. */
		if (q == 0 && strchr(COMPLETE_ESCAPE, *text) != NULL &&
		    !(glob && *text == ']'))
			*o++ = '\\';
		else if (q == '\'' && *text == '\'') {
			memcpy(o, "'\\'", 3);
			o += 3;
		} else if ((q == '"' || q == '$') &&
		    (*text == '\\' || *text == (q == '"' ? '"' : '\'')))
			*o++ = '\\';
		*o++ = *text;
	}
	*o = '\0';
	return out;
}

static int
complete_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List the matches below the line, sorted, in columns that fit the
 * terminal's width (as libedit was told it, shell.c) and are as wide
 * as the widest name shows.
 */
static void
complete_show(EditLine *el, char **m, const char *isdir, size_t n)
{
	FILE *fp = stdout;
	size_t i, w = 0, cols, *wid;
	char **q, *s;
	int tw = 0;

	(void)el_get(el, EL_GETFP, 1, &fp);
	if (el_get(el, EL_GETTC, "co", &tw) != 0 || tw <= 0)
		tw = 80;
	q = xcalloc(n, sizeof(*q));
	wid = xcalloc(n, sizeof(*wid));
	for (i = 0; i < n; i++) {
		s = words_quote(m[i]);
		xasprintf(&q[i], "%s%s", s, isdir[i] ? "/" : "");
		free(s);
	}
	qsort(q, n, sizeof(*q), complete_cmp);
	for (i = 0; i < n; i++)
		if ((wid[i] = (size_t)progress_cols(q[i])) > w)
			w = wid[i];
	cols = (size_t)tw / (w + 2) > 0 ? (size_t)tw / (w + 2) : 1;
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		if ((i + 1) % cols == 0 || i + 1 == n)
			fprintf(fp, "%s\n", q[i]);
		else
			fprintf(fp, "%s%*s", q[i], (int)(w + 2 - wid[i]), "");
		free(q[i]);
	}
	free(wid);
	free(q);
	fflush(fp);
}

/* Complete w's word from the names in l (base: the part after '/'). */
static unsigned char
complete_from(EditLine *el, struct complete_word *w, const char *base,
    struct complete_names *l)
{
	char **m = NULL, *isdir = NULL, *ins, *tail, *text;
	size_t i, n = 0, plen = strlen(base), lcp = 0, k;
	unsigned char ret = CC_REFRESH_BEEP;
	int stopped;

	for (i = 0; i < l->n; i++) {
		if (strncmp(l->names[i], base, plen) != 0 ||
		    (l->names[i][0] == '.' && base[0] != '.'))
			continue;
		m = xreallocarray(m, n + 1, sizeof(*m));
		isdir = xreallocarray(isdir, n + 1, 1);
		m[n] = l->names[i];
		isdir[n++] = l->isdir[i];
	}
	if (n == 0)
		goto out;
	lcp = strlen(m[0]);
	for (i = 1; i < n; i++)
		for (k = 0; k < lcp; k++)
			if (m[i][k] != m[0][k]) {
				lcp = k;
				break;
			}
	/*
	 * Never insert half of a multibyte character, nor a character that
	 * may not reach the terminal as it is (the line editor would show
	 * it raw): stop before it, and the listing shows it escaped.
	 */
	for (k = plen; k < lcp;) {
		size_t cl;

		if (termsafe_class(m[0] + k, &cl, NULL) != TERMSAFE_PRINT ||
		    k + cl > lcp)
			break;
		k += cl;
	}
	stopped = k < lcp;
	lcp = k;
	if ((n > 1 || stopped) && lcp == plen) {
		complete_show(el, m, isdir, n);
		ret = CC_REDISPLAY;
		goto out;
	}
	tail = xstrdup(m[0] + plen);
	tail[lcp - plen] = '\0';
	ins = complete_escape(tail, w->quote, w->pattern);
	free(tail);
	if (n == 1 && !stopped && isdir[0])
		tail = xstrdup("/");
	else if (n == 1 && !stopped)
		xasprintf(&tail, "%s ",
		    w->quote == 0	? "" :
			w->quote == '"' ? "\"" :
					  "'");
	else
		tail = xstrdup("");
	xasprintf(&text, "%s%s", ins, tail);
	if (*text != '\0')
		(void)el_insertstr(el, text);
	free(text);
	free(tail);
	free(ins);
	ret = CC_REFRESH;
out:
	free(m);
	free(isdir);
	return ret;
}

static unsigned char
complete_fn(EditLine *el, int ch)
{
	const struct cmd *cmd;
	struct complete_names names, *l;
	struct complete_word w;
	struct complete *c;
	const LineInfo *li;
	const char *slash, *kinds;
	char *dir, *home, kind;
	size_t i;
	unsigned char ret = CC_REFRESH_BEEP;

	if (el_get(el, EL_CLIENTDATA, &c) != 0 || c == NULL)
		return CC_ERROR;
	li = el_line(el);
	if (li->buffer < li->cursor && li->buffer[0] == '!')
		return CC_REFRESH_BEEP;
	complete_parse(li->buffer, li->cursor, &w);
	memset(&names, 0, sizeof(names));
	if (w.index == 0)
		kind = 'C';
	else if (w.option || w.first == NULL ||
	    (cmd = cmd_find(w.first)) == NULL || *cmd->operands == '\0')
		goto out;
	else {
		kinds = cmd->operands;
		w.pattern = (cmd->flags & CMD_PATTERNS) != 0;
		i = strlen(kinds) - 1;
		kind = kinds[(size_t)w.operand < i ? (size_t)w.operand : i];
	}
	/* A word that names nothing to complete (chmod's MODE). */
	if (kind == '-')
		goto out;
	if (kind == 'C') {
		for (i = 0; (cmd = cmd_at(i)) != NULL; i++)
			if (strcmp(cmd->name, "!") != 0)
				complete_names_add(&names, cmd->name, 0);
		ret = complete_from(el, &w, w.word, &names);
		goto out;
	}
	/* The directory part, as typed ("a/b/" of "a/b/c"), is listed. */
	slash = strrchr(w.word, '/');
	dir = xstrdup(w.word);
	dir[slash == NULL ? 0 : (size_t)(slash - w.word) + 1] = '\0';
	if (kind == 'R') {
		l = complete_remote(c, dir);
		/*
		 * Ctrl-C stopped the listing (and closed the connection):
		 * el_gets returns now, with nothing, and the prompt's loop
		 * takes the Ctrl-C as one typed at the prompt (a fresh
		 * prompt, a login again).  Had it gone on, the next Enter
		 * would have been taken for it, and its line dropped.
		 */
		if (l == NULL && intr_pending())
			ret = CC_EOF;
	} else if (w.tilde && slash == NULL) {
		/* "~us": the command reads a user's home, as bash does. */
		complete_users(&names);
		l = &names;
	} else if (w.tilde && slash != NULL) {
		/* "~/" or "~USER/" as the command will read it; it stays. */
		l = NULL;
		if (tilde_expand(dir, 0, &home) == 0) {
			complete_local(home, &names);
			l = &names;
		}
		free(home);
	} else {
		complete_local(dir, &names);
		l = &names;
	}
	if (l != NULL)
		ret = complete_from(
		    el, &w, slash == NULL ? w.word : slash + 1, l);
	free(dir);
out:
	complete_names_clear(&names);
	free(w.word);
	free(w.first);
	return ret;
}

struct complete *
complete_new(struct cmd_ctx *ctx, EditLine *el)
{
	struct complete *c;

	c = xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	el_set(el, EL_CLIENTDATA, c);
	el_set(el, EL_ADDFN, "mftp-complete", "Complete a command or path",
	    complete_fn);
	el_set(el, EL_BIND, "^I", "mftp-complete", NULL);
	return c;
}

void
complete_forget(struct complete *c)
{
	complete_names_clear(&c->remote);
}

void
complete_free(struct complete *c)
{
	if (c == NULL)
		return;
	complete_names_clear(&c->remote);
	free(c);
}
