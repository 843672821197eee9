/*
 * fuzz_config.c: the configuration parser (lib/config.c) on a file's
 * contents, as mftpd and the admin tools read mftpd.conf(5) with
 * config_load() (which refuses a NUL byte before it parses).
 *
 * Properties: config_parse() applies the whole text or leaves the
 * configuration as it was, with a reason that names the file; what it
 * applied, written back as "key = value" lines, parses over the
 * defaults to the same configuration; nothing is left allocated
 * (LeakSanitizer).
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

/* c as a configuration file that sets every key. */
static char *
fuzz_write(const struct config *c)
{
	char *text;
	size_t len, i;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	fputs("listen =", f);
	for (i = 0; i < c->nlisten; i++)
		fprintf(f, " %s", c->listen[i]);
	fprintf(f,
	    "\nport = %u\nmax_sessions = %u\nmax_sessions_per_ip = %u\n"
	    "login_timeout = %u\nidle_timeout = %u\nshutdown_timeout = %u\n",
	    c->port, c->max_sessions, c->max_sessions_per_ip, c->login_timeout,
	    c->idle_timeout, c->shutdown_timeout);
	fprintf(f,
	    "users_file = %s\nquota_dir = %s\nhome_base = %s\n"
	    "preauth_user = %s\npreauth_chroot = %s\npid_file = %s\n"
	    "auth_helper = %s\nuid_min = %lu\nuid_max = %lu\n",
	    c->users_file, c->quota_dir, c->home_base, c->preauth_user,
	    c->preauth_chroot, c->pid_file, c->auth_helper,
	    (unsigned long)c->uid_min, (unsigned long)c->uid_max);
	fprintf(f, "proxy_protocol_timeout = %u\nproxy_protocol_from =",
	    c->proxy_timeout);
	if (c->nproxy_from == 0)
		fputs(" none", f);
	for (i = 0; i < c->nproxy_from; i++) {
		char a[INET6_ADDRSTRLEN];

		if (inet_ntop(c->proxy_from[i].family, c->proxy_from[i].addr, a,
			sizeof(a)) == NULL)
			abort();
		fprintf(f, "%s %s/%u", i > 0 ? "," : "", a,
		    c->proxy_from[i].prefix);
	}
	fputc('\n', f);
	if (fclose(f) != 0)
		abort();
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, c2;
	char *text, *before, *after, *again, err[512];

	if ((text = fuzz_cstring(data, size)) == NULL)
		return 0;
	config_defaults(&c);
	before = fuzz_write(&c);
	err[0] = '\0';
	if (config_parse(&c, "fuzz.conf", text, err, sizeof(err)) != 0) {
		/* Nothing of a refused text is applied. */
		after = fuzz_write(&c);
		FUZZ_CHECK(strcmp(before, after) == 0);
		FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
		free(after);
	} else {
		FUZZ_CHECK(c.nlisten <= MFTP_LISTEN_MAX);
		FUZZ_CHECK(c.uid_min <= c.uid_max);
		after = fuzz_write(&c);
		config_defaults(&c2);
		FUZZ_CHECK(
		    config_parse(&c2, "again", after, err, sizeof(err)) == 0);
		again = fuzz_write(&c2);
		FUZZ_CHECK(strcmp(after, again) == 0);
		free(again);
		free(after);
		config_free(&c2);
	}
	config_free(&c);
	free(before);
	free(text);
	return 0;
}
