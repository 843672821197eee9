/*
 * termsafe.h: what of a server's text may reach the terminal.
 *
 * Runs as: the user, in mftp.  Pure functions with no I/O, so they can be
 * unit tested.
 *
 * Everything the server sends (names, messages) is untrusted: a control
 * character could move the cursor, rewrite earlier output or, through
 * the terminal's answerback, type commands; a bidi override could make
 * "evil\u202etxt.exe" read as "evilexe.txt".  The client decodes text
 * as UTF-8 and sorts each character into one of the classes below;
 * only TERMSAFE_PRINT may be written as it is.
 */
#ifndef MFTP_CLIENT_TERMSAFE_H
#define MFTP_CLIENT_TERMSAFE_H

#include <stddef.h>
#include <stdint.h>

enum termsafe_class {
	TERMSAFE_END,	  /* the terminating NUL */
	TERMSAFE_PRINT,	  /* a printable character, valid UTF-8 */
	TERMSAFE_CONTROL, /* C0 (U+0000-U+001F), DEL, C1 (U+0080-U+009F) */
	TERMSAFE_BIDI,	  /* a bidi mark, embedding, override or isolate,
			   * or a line or paragraph separator */
	TERMSAFE_BAD,	  /* a byte that does not start valid UTF-8, such
			   * as a raw 0x9b (CSI on an 8-bit terminal) */
};

/*
 * The class of the character s starts with; *lenp is its length in
 * bytes (1 for TERMSAFE_BAD, 0 for TERMSAFE_END) and *cpp, if not NULL,
 * its code point (the byte for TERMSAFE_BAD).  Overlong forms,
 * surrogates and values past U+10FFFF are TERMSAFE_BAD.
 */
enum termsafe_class termsafe_class(const char *s, size_t *lenp, uint32_t *cpp);

/*
 * A copy of s fit to write to a terminal: printable characters as they
 * are, each control character and each byte that is not UTF-8 as '?',
 * each bidi character as its escape "\uXXXX", so that it shows but does
 * not act.  Free it with free().
 */
char *termsafe_str(const char *s);

#endif
