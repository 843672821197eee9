/*
 * rawpeer.c: a raw protocol peer for the integration tests.
 *
 * Runs as: the test (root or not); never installed.  It sends exactly the
 * bytes it is given, well-formed or not, and reports what the server sends
 * back, so that t_badframes.sh and t_timeouts.sh can feed mftpd oversized
 * lengths, truncated frames, unknown types and silence.
 *
 *   rawpeer HOST PORT [--hold SECONDS] [--expect-close SECONDS]
 *                     [--bind ADDR]
 *
 * stdin: pairs of hex digits (whitespace ignored; '#' starts a comment that
 * runs to the end of the line) and these directives between them:
 *   @reply     send what is pending, then wait for one more final reply
 *   @sleep MS  send what is pending, then wait MS milliseconds
 *   @shut      send what is pending, then shut down the sending side
 *
 * stdout, one line per event: "frame 0xTT LEN" for each whole frame the
 * server sent (LEN is the payload length), "error CODE TEXT" after an
 * ERROR frame, "badlen LEN" for a length prefix outside 1..65536 (nothing
 * after it is parsed), then "closed" when the server closed the connection
 * or "timeout" when it had not by the deadline.
 *
 * The deadline counts from the connect: --expect-close SECONDS (default
 * 10) waits for the server to close and exits 1 on "timeout"; --hold
 * SECONDS keeps the connection that long and exits 0 either way.  Exit 2
 * for bad usage or input, 3 when the connection cannot be made.
 * --bind ADDR connects from that local address (t_haproxy.sh plays
 * clients and balancers from different 127.0.0.x addresses).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RP_FRAME_MAX (64 * 1024) /* MFTP_FRAME_MAX */
#define RP_INPUT_MAX (64 * 1024 * 1024)
#define RP_RECV_MAX (16 * 1024 * 1024)

enum step_kind {
	STEP_SEND,
	STEP_REPLY,
	STEP_SLEEP,
	STEP_SHUT,
};

struct step {
	enum step_kind kind;
	uint8_t *data; /* STEP_SEND */
	size_t len;
	long ms; /* STEP_SLEEP */
};

struct peer {
	int fd;
	uint64_t deadline; /* monotonic ms */

	const uint8_t *out; /* bytes still to send */
	size_t outlen;
	int write_failed;

	uint8_t *in; /* received, not yet parsed */
	size_t inlen;
	int raw; /* a bad length was seen: stop parsing */

	unsigned int finals; /* final replies seen */
	int closed;
};

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("rawpeer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		die(2, "clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die(2, "out of memory");
	return p;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *
read_input(size_t *lenp)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;

	for (;;) {
		if (cap - len < 65536) {
			if (cap >= RP_INPUT_MAX)
				die(2, "input too long");
			cap += 65536;
			text = xrealloc(text, cap + 1);
		}
		r = read(STDIN_FILENO, text + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die(2, "read stdin: %s", strerror(errno));
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (text == NULL)
		text = xrealloc(NULL, 1);
	text[len] = '\0';
	*lenp = len;
	return text;
}

static struct step *
add_step(struct step **steps, size_t *n, enum step_kind kind)
{
	struct step *s;

	*steps = xrealloc(*steps, (*n + 1) * sizeof(**steps));
	s = &(*steps)[(*n)++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

/* Turn the input text into steps: runs of hex bytes and directives. */
static struct step *
parse_input(const char *text, size_t len, size_t *nsteps)
{
	struct step *steps = NULL, *cur = NULL;
	size_t i = 0, n = 0;
	int hi, lo;
	char *end;

	while (i < len) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
		    text[i] == '\r') {
			i++;
		} else if (text[i] == '#') {
			while (i < len && text[i] != '\n')
				i++;
		} else if (text[i] == '@') {
			cur = NULL;
			if (strncmp(text + i, "@reply", 6) == 0) {
				add_step(&steps, &n, STEP_REPLY);
				i += 6;
			} else if (strncmp(text + i, "@shut", 5) == 0) {
				add_step(&steps, &n, STEP_SHUT);
				i += 5;
			} else if (strncmp(text + i, "@sleep", 6) == 0) {
				struct step *s = add_step(
				    &steps, &n, STEP_SLEEP);

				errno = 0;
				s->ms = strtol(text + i + 6, &end, 10);
				if (errno != 0 || end == text + i + 6 ||
				    s->ms < 0 || s->ms > 3600 * 1000)
					die(2, "bad @sleep at offset %zu", i);
				i = (size_t)(end - text);
			} else
				die(2, "unknown directive at offset %zu", i);
		} else {
			if (i + 1 >= len || (hi = hexval(text[i])) == -1 ||
			    (lo = hexval(text[i + 1])) == -1)
				die(2, "bad hex at offset %zu", i);
			if (cur == NULL)
				cur = add_step(&steps, &n, STEP_SEND);
			cur->data = xrealloc(cur->data, cur->len + 1);
			cur->data[cur->len++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
	}
	*nsteps = n;
	return steps;
}

static int
is_final(uint8_t type)
{
	switch (type) {
	case 0x80: /* OK */
	case 0x81: /* ERROR */
	case 0x82: /* HELLO_OK */
	case 0x83: /* PATH */
	case 0x85: /* ATTR */
	case 0x22: /* DATA_END */
		return 1;
	default:
		return 0;
	}
}

static void
print_error(const uint8_t *p, uint32_t len)
{
	uint32_t code, tlen, i;

	/* type, u32 code, string text */
	if (len < 9) {
		printf("error short\n");
		return;
	}
	code = get_u32(p + 1);
	tlen = get_u32(p + 5);
	if (tlen > len - 9)
		tlen = len - 9;
	printf("error %u ", code);
	for (i = 0; i < tlen; i++) {
		int c = p[9 + i];

		putchar(c >= 0x20 && c < 0x7f ? c : '?');
	}
	putchar('\n');
}

/* Print every whole frame in the input buffer and drop it. */
static void
parse_frames(struct peer *p)
{
	size_t off = 0;
	uint32_t len;

	while (!p->raw && p->inlen - off >= 4) {
		len = get_u32(p->in + off);
		if (len == 0 || len > RP_FRAME_MAX) {
			printf("badlen %u\n", len);
			p->raw = 1;
			break;
		}
		if (p->inlen - off - 4 < len)
			break;
		printf("frame 0x%02x %u\n", p->in[off + 4], len);
		if (p->in[off + 4] == 0x81)
			print_error(p->in + off + 4, len);
		if (is_final(p->in[off + 4]))
			p->finals++;
		off += 4 + (size_t)len;
	}
	if (p->raw)
		off = p->inlen;
	memmove(p->in, p->in + off, p->inlen - off);
	p->inlen -= off;
}

/*
 * One round of waiting: send pending bytes, read what came.  Returns 0,
 * or -1 when the deadline (or until, if sooner) passed.
 */
static int
io_round(struct peer *p, uint64_t until)
{
	struct pollfd pfd;
	uint8_t tmp[65536];
	uint64_t now = now_ms();
	ssize_t r;
	int n;

	if (until > p->deadline)
		until = p->deadline;
	if (now >= until)
		return -1;
	if (p->closed) {
		/* Nothing to wait for but time. */
		poll(NULL, 0, (int)(until - now));
		return -1;
	}
	pfd.fd = p->fd;
	pfd.events = POLLIN;
	if (p->outlen > 0 && !p->write_failed)
		pfd.events |= POLLOUT;
	pfd.revents = 0;
	n = poll(&pfd, 1, (int)(until - now));
	if (n == -1 && errno == EINTR)
		return 0;
	if (n == -1)
		die(2, "poll: %s", strerror(errno));
	if (n == 0)
		return 0;

	if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
		r = read(p->fd, tmp, sizeof(tmp));
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			return 0;
		if (r <= 0) {
			if (r == -1)
				fprintf(stderr, "rawpeer: read: %s\n",
				    strerror(errno));
			parse_frames(p);
			if (p->inlen > 0 && !p->raw)
				printf("partial %zu\n", p->inlen);
			p->closed = 1;
			return 0;
		}
		if (p->inlen + (size_t)r <= RP_RECV_MAX) {
			p->in = xrealloc(p->in, p->inlen + (size_t)r);
			memcpy(p->in + p->inlen, tmp, (size_t)r);
			p->inlen += (size_t)r;
		}
		parse_frames(p);
	}
	if ((pfd.revents & POLLOUT) && p->outlen > 0) {
		r = write(p->fd, p->out, p->outlen);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			return 0;
		if (r == -1) {
			fprintf(
			    stderr, "rawpeer: write: %s\n", strerror(errno));
			p->write_failed = 1;
			return 0;
		}
		p->out += r;
		p->outlen -= (size_t)r;
	}
	return 0;
}

/* Send what is pending; stops early if the peer is gone. */
static void
flush_out(struct peer *p)
{
	while (p->outlen > 0 && !p->write_failed && !p->closed)
		if (io_round(p, p->deadline) == -1)
			break;
}

/* Bind fd to the numeric address src (any port), if given. */
static void
bind_from(int fd, const char *src)
{
	struct addrinfo hints, *res;
	int error;

	if (src == NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if ((error = getaddrinfo(src, "0", &hints, &res)) != 0)
		die(2, "--bind %s: %s", src, gai_strerror(error));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		die(3, "bind %s: %s", src, strerror(errno));
	freeaddrinfo(res);
}

static int
connect_to(const char *host, const char *port, const char *src)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, error, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0)
		die(2, "%s port %s: %s", host, port, gai_strerror(error));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		bind_from(fd, src);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		die(3, "connect %s port %s: %s", host, port, strerror(saved));
	return fd;
}

static long
seconds_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 86400)
		die(2, "bad number of seconds: %s", s);
	return v;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
	    "usage: rawpeer host port [--hold seconds] "
	    "[--expect-close seconds] [--bind addr] < hex\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct peer p;
	struct step *steps;
	size_t nsteps, i, inlen;
	unsigned int wanted = 0;
	long seconds = 10;
	int hold = 0, argi;
	const char *src = NULL;
	char *text;

	if (argc < 3)
		usage();
	for (argi = 3; argi < argc; argi++) {
		if (strcmp(argv[argi], "--hold") == 0 && argi + 1 < argc) {
			seconds = seconds_arg(argv[++argi]);
			hold = 1;
		} else if (strcmp(argv[argi], "--expect-close") == 0 &&
		    argi + 1 < argc) {
			seconds = seconds_arg(argv[++argi]);
			hold = 0;
		} else if (strcmp(argv[argi], "--bind") == 0 && argi + 1 < argc)
			src = argv[++argi];
		else
			usage();
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* Whatever happens, never outlive the deadline by much. */
	alarm((unsigned int)seconds + 30);

	text = read_input(&inlen);
	steps = parse_input(text, inlen, &nsteps);
	free(text);

	memset(&p, 0, sizeof(p));
	p.fd = connect_to(argv[1], argv[2], src);
	p.deadline = now_ms() + (uint64_t)seconds * 1000;

	for (i = 0; i < nsteps && !p.closed; i++) {
		struct step *s = &steps[i];
		uint64_t until;

		switch (s->kind) {
		case STEP_SEND:
			p.out = s->data;
			p.outlen = s->len;
			flush_out(&p);
			break;
		case STEP_REPLY:
			wanted++;
			while (p.finals < wanted && !p.closed)
				if (io_round(&p, p.deadline) == -1)
					break;
			break;
		case STEP_SLEEP:
			until = now_ms() + (uint64_t)s->ms;
			while (io_round(&p, until) != -1)
				;
			break;
		case STEP_SHUT:
			if (shutdown(p.fd, SHUT_WR) == -1)
				fprintf(stderr, "rawpeer: shutdown: %s\n",
				    strerror(errno));
			break;
		}
	}
	while (!p.closed)
		if (io_round(&p, p.deadline) == -1)
			break;

	if (p.closed) {
		printf("closed\n");
		return 0;
	}
	printf("timeout\n");
	return hold ? 0 : 1;
}
