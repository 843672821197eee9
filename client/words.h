/*
 * words.h: splitting a command line into words the way a shell does, and
 * making names safe to print.
 *
 * Runs as: the user, in mftp.  Pure functions with no I/O, so they can be
 * unit tested.
 */
#ifndef MFTP_CLIENT_WORDS_H
#define MFTP_CLIENT_WORDS_H

#include <stddef.h>

/*
 * Split line into words: blanks (space, tab, newline) separate words;
 * 'single quotes' keep everything literally; "double quotes" keep
 * everything but \" and \\, which stand for " and \; $'...' takes the
 * escapes \n \t \r \a \b \e \f \v \\ \' \" \xHH, \NNN (octal), and
 * \uHHHH and \UHHHHHHHH (a character, as UTF-8), as in bash; outside
 * quotes a backslash keeps the next character literally.  Quoted parts
 * join the word they touch, and '' is an empty word.
 *
 * Returns 0 with *argvp a NULL-terminated array of *argcp new strings
 * (free with words_free), or -1 with *errp a static message for an
 * unterminated quote, a trailing backslash or an escape that gives a NUL
 * byte (*argvp is then NULL).
 */
int words_split(const char *line, int *argcp, char ***argvp, const char **errp);
/*
 * words_split, and *tildep a new array of *argcp flags (free it): word i
 * starts with a '~' that is neither quoted nor escaped, which stands
 * for a home directory in a local name (cmd_run); '~', "~" and \~ do
 * not.  *tildep is NULL on failure.
 */
int words_split_tilde(const char *line, int *argcp, char ***argvp,
    char **tildep, const char **errp);
void words_free(char **argv);

/*
 * A copy of name fit to print on a line of its own (termsafe_str):
 * control characters (C0, DEL, C1; they could move the cursor or fake
 * output) and bytes that are not UTF-8 become '?', bidi characters
 * show as \uXXXX.
 */
char *words_printable(const char *name);

/*
 * A copy of s quoted so that words_split() (and a POSIX shell) gives s
 * back as one word, for printing names: unchanged when it is not empty,
 * does not start with '#' or '~' and has no blank, quote, backslash or
 * other character special to a shell; $'...' with escapes when it has
 * control characters (C0, DEL, C1: \xHH for each byte), bidi characters
 * (\uXXXX) or bytes that are not UTF-8 (\xHH), so the result never holds
 * a character that acts on the terminal; otherwise in single quotes,
 * with a ' inside written as '\''.  A leading '-' is not quoted: "--"
 * before such a name tells a command it is not an option.
 */
char *words_quote(const char *s);

/*
 * The length of the valid UTF-8 sequence s starts with (1 for ASCII), or
 * 0 for an invalid one or the end of the string.
 */
size_t words_utf8_len(const char *s);

#endif
