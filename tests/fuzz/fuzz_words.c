/*
 * fuzz_words.c: the client's command-line splitting and name quoting
 * (client/words.c) on a line a user or a batch file gives, and on a
 * name a server sends (words_quote, words_printable print those).
 *
 * Properties: the words of a line, each quoted with words_quote() and
 * joined by blanks, split back into the same words; any string (a name
 * from the server) quoted splits back into exactly itself; a quoted or
 * printable name holds no control character; a refused line gives no
 * words, a reason, and leaves nothing allocated (LeakSanitizer).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "words.h"

/* quote(s) splits back into the one word s. */
static void
fuzz_quote_one(const char *s)
{
	const char *err = NULL;
	char **argv, *q;
	int argc;

	q = words_quote(s);
	FUZZ_CHECK(!fuzz_has_control(q));
	FUZZ_CHECK(words_split(q, &argc, &argv, &err) == 0);
	FUZZ_CHECK(argc == 1 && strcmp(argv[0], s) == 0);
	FUZZ_CHECK(argv[1] == NULL);
	words_free(argv);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err = NULL;
	char **argv, **argv2, *line, *joined, *q, *p;
	size_t len;
	int argc, argc2, i;

	line = strndup((const char *)data, size);
	if (line == NULL)
		abort();

	p = words_printable(line);
	/* Escapes may make it longer (\u202e), never carry a control. */
	FUZZ_CHECK(!fuzz_has_control(p));
	free(p);
	fuzz_quote_one(line);

	if (words_split(line, &argc, &argv, &err) != 0) {
		FUZZ_CHECK(argv == NULL && argc == 0 && err != NULL);
		free(line);
		return 0;
	}
	FUZZ_CHECK(argv != NULL && argv[argc] == NULL);
	len = 1;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 4;
	if ((joined = calloc(1, len)) == NULL)
		abort();
	for (i = 0; i < argc; i++) {
		q = words_quote(argv[i]);
		if (i > 0)
			strcat(joined, " ");
		strcat(joined, q);
		free(q);
	}
	FUZZ_CHECK(words_split(joined, &argc2, &argv2, &err) == 0);
	FUZZ_CHECK(argc2 == argc);
	for (i = 0; i < argc; i++)
		FUZZ_CHECK(strcmp(argv[i], argv2[i]) == 0);
	words_free(argv2);
	words_free(argv);
	free(joined);
	free(line);
	return 0;
}
