/*
 * fakeresolv.c: a host name with the addresses a test chooses, without
 * /etc/hosts or a DNS server.
 *
 * Runs as: the test's client (an LD_PRELOAD library); never installed.
 * With MFTP_TEST_RESOLVE=NAME=ADDR[,ADDR...] in the environment,
 * getaddrinfo(3) for NAME answers the numeric addresses ADDR, in that
 * order (as a name with an IPv6 and an IPv4 address does); any other
 * name goes to the C library's getaddrinfo.  Each address is looked up
 * numerically by the real getaddrinfo and the answers are chained, so
 * the C library's freeaddrinfo(3) frees them as its own.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

typedef int (*gai_fn)(
    const char *, const char *, const struct addrinfo *, struct addrinfo **);

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	struct addrinfo h, *one, **tail = res;
	const char *spec = getenv("MFTP_TEST_RESOLVE"), *eq;
	char addr[64];
	size_t len;

	if (real == NULL)
		return EAI_SYSTEM;
	if (spec == NULL || node == NULL || (eq = strchr(spec, '=')) == NULL ||
	    strlen(node) != (size_t)(eq - spec) ||
	    strncmp(node, spec, (size_t)(eq - spec)) != 0)
		return real(node, service, hints, res);
	memset(&h, 0, sizeof(h));
	if (hints != NULL)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	h.ai_flags &= ~AI_CANONNAME;
	*res = NULL;
	for (spec = eq + 1; *spec != '\0'; spec += len + (spec[len] == ',')) {
		len = strcspn(spec, ",");
		if (len == 0 || len >= sizeof(addr))
			continue;
		memcpy(addr, spec, len);
		addr[len] = '\0';
		/* An address of a family the hints leave out is skipped. */
		if (real(addr, service, &h, &one) != 0)
			continue;
		*tail = one;
		while (*tail != NULL)
			tail = &(*tail)->ai_next;
	}
	if (*res == NULL)
		return EAI_NONAME;
	return 0;
}
