/*
 * fuzz_known_hosts.c: the client's known_hosts parser
 * (client/known_hosts.c's known_hosts_check), which decides whether a
 * server's key is trusted.
 *
 * Input: a first line "host port fingerprint" (what the connection is
 * and presents), then the file's contents.
 *
 * Properties: a MATCH needs a line that is exactly "host port fp" as
 * words (the host without regard to case); a MISMATCH names a line that
 * exists and pins another key of that host and port, never this one;
 * a line made of the three words (host in capitals) appended to any file
 * makes it MATCH.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "known_hosts.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input, *text, *host, *port, *fp, *more, old[128];
	enum known_hosts_result r;
	size_t line = 0, lines = 1, tlen, i;

	if ((input = fuzz_cstring(data, size)) == NULL)
		return 0;
	if ((text = strchr(input, '\n')) == NULL) {
		free(input);
		return 0;
	}
	*text++ = '\0';
	host = strtok(input, " ");
	port = strtok(NULL, " ");
	fp = strtok(NULL, " ");
	if (host == NULL || port == NULL || fp == NULL ||
	    strncmp(fp, "SHA256:", 7) != 0 || strtok(NULL, " ") != NULL) {
		free(input);
		return 0;
	}
	tlen = strlen(text);
	for (i = 0; i < tlen; i++)
		lines += text[i] == '\n';

	r = known_hosts_check(
	    text, tlen, host, port, fp, &line, old, sizeof(old));
	FUZZ_CHECK(r == KNOWN_HOSTS_UNKNOWN || r == KNOWN_HOSTS_MATCH ||
	    r == KNOWN_HOSTS_MISMATCH);
	if (r == KNOWN_HOSTS_MATCH)
		FUZZ_CHECK(
		    strstr(text, fp) != NULL && strstr(text, port) != NULL);
	if (r == KNOWN_HOSTS_MISMATCH) {
		FUZZ_CHECK(line >= 1 && line <= lines);
		FUZZ_CHECK(strcmp(old, fp) != 0);
		FUZZ_CHECK(strncmp(old, "SHA256:", 7) == 0);
	}

	/*
	 * The pin appended: now it matches, whatever came before, when the
	 * three words are words of a line (no tab, no CR, no '#', short
	 * enough).
	 */
	if (strpbrk(host, "\t\r#") != NULL || strpbrk(port, "\t\r#") != NULL ||
	    strpbrk(fp, "\t\r#") != NULL ||
	    strlen(host) + strlen(port) + strlen(fp) > 1000) {
		free(input);
		return 0;
	}
	if ((more = malloc(
		 tlen + strlen(host) + strlen(port) + strlen(fp) + 8)) == NULL)
		abort();
	memcpy(more, text, tlen);
	i = tlen;
	more[i++] = '\n';
	i += (size_t)sprintf(more + i, "%s %s %s\n", host, port, fp);
	for (char *p = more + tlen + 1; *p != ' '; p++)
		*p = (char)toupper((unsigned char)*p);
	FUZZ_CHECK(known_hosts_check(more, i, host, port, fp, &line, old,
		       sizeof(old)) == KNOWN_HOSTS_MATCH);
	free(more);
	free(input);
	return 0;
}
