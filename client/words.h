/*
 * words.h: splitting a command line into words the way a shell does, and
 * making names safe to print.
 *
 * Runs as: the user, in mftp.  Pure functions with no I/O, so they can be
 * unit tested.
 */
#ifndef MFTP_CLIENT_WORDS_H
#define MFTP_CLIENT_WORDS_H

/*
 * Split line into words: blanks (space, tab, newline) separate words;
 * 'single quotes' keep everything literally; "double quotes" keep
 * everything but \" and \\, which stand for " and \; outside quotes a
 * backslash keeps the next character literally.  Quoted parts join the
 * word they touch, and '' is an empty word.
 *
 * Returns 0 with *argvp a NULL-terminated array of *argcp new strings
 * (free with words_free), or -1 with *errp a static message for an
 * unterminated quote or a trailing backslash (*argvp is then NULL).
 */
int words_split(const char *line, int *argcp, char ***argvp, const char **errp);
void words_free(char **argv);

/*
 * A copy of name fit to print on a line of its own: control characters
 * (which could move the cursor or fake output) become '?'.
 */
char *words_printable(const char *name);

/*
 * A copy of s quoted so that words_split() gives s back as one word:
 * unchanged when it has no blank, quote, backslash or control character
 * and is not empty, otherwise in single quotes, with a ' inside written as
 * '\''.
 */
char *words_quote(const char *s);

#endif
