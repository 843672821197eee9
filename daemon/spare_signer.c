/*
 * spare_signer.c: one mftpd-sign started ahead of the next connection.
 *
 * Starting mftpd-sign (exec, libcrypto's set-up, the key's decoding,
 * the drop and the sandbox) takes a few milliseconds of CPU, and the
 * pre-auth worker needs its signature before the server's first flight
 * can leave: started per connection, it was on the path of every login.
 * The master keeps one ready instead.  Nothing else changes: it is the
 * same program with the same arguments, it loads the key, drops to the
 * pre-auth user, waits for one SIGN_REQUEST on its channel, signs one
 * handshake and exits; the connection it is handed to gets it through
 * its monitor, and a new spare is started for the next one.
 *
 * Runs in: mftpd's master (root).  It never reads the channel: the
 * monitor it forks inherits the worker's end, and the master closes its
 * copy.  The spare is the master's child: the master reaps it, and says
 * when its sandbox killed it, with the address of the connection it
 * served.  A spare waits up to MFTP_SPARE_SIGNER_TTL for its connection
 * before it exits and is replaced; one that dies young (a bad helper or
 * key) is not restarted before SPARE_SIGNER_BACKOFF, and meanwhile each
 * monitor starts its own signer as it did before.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mftp_limits.h"
#include "spare_signer.h"
#include "util.h"

/* A spare dead sooner than this died of its start. */
#define SPARE_SIGNER_YOUNG_MS 1000
#define SPARE_SIGNER_BACKOFF_MS (10 * 1000)

void
spare_signer_init(struct spare_signer *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

void
spare_signer_start(struct spare_signer *s, const struct helper_spawn *h,
    const char *path, const char *key, unsigned int login_timeout)
{
	uint64_t now = mono_ms();
	int sv[2];

	if (s->pid > 0 || now < s->retry_ms)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		/* Out of descriptors: not again at every turn of the loop. */
		log_warn("socketpair for a spare mftpd-sign");
		s->retry_ms = now + SPARE_SIGNER_BACKOFF_MS;
		return;
	}
	s->pid = helper_spawn(h, "mftpd-sign", path, key,
	    login_timeout + MFTP_SPARE_SIGNER_TTL, sv[1], -1);
	close(sv[1]);
	if (s->pid == -1) {
		log_warn("fork for a spare mftpd-sign");
		close(sv[0]);
		s->pid = 0;
		s->retry_ms = now + SPARE_SIGNER_BACKOFF_MS;
		return;
	}
	s->fd = sv[0];
	s->started_ms = now;
}

int
spare_signer_take(struct spare_signer *s, const char *peer)
{
	size_t i;
	int fd = s->fd;

	if (s->pid <= 0)
		return -1;
	/*
	 * Past its time unused it has less than a login's time left (it
	 * waits login_timeout + MFTP_SPARE_SIGNER_TTL in all): the connection's
	 * monitor starts a signer of its own, and this one ends by itself.
	 */
	if (mono_ms() - s->started_ms > (uint64_t)MFTP_SPARE_SIGNER_TTL * 1000)
		return -1;
	i = s->next++ % SPARE_SIGNER_HANDED;
	/* Remembered for the log, should its sandbox kill it. */
	s->handed[i].pid = s->pid;
	strlcpy(s->handed[i].peer, peer, sizeof(s->handed[i].peer));
	s->pid = 0;
	s->fd = -1;
	return fd;
}

int
spare_signer_reaped(struct spare_signer *s, pid_t pid, int status)
{
	size_t i;

	if (pid == s->pid) {
		/* Unused: its wait ran out, or it could not start. */
		helper_log_death("mftpd-sign", status, "-");
		if (mono_ms() - s->started_ms < SPARE_SIGNER_YOUNG_MS) {
			/* A stale key was said above: once is enough. */
			if (!WIFEXITED(status) ||
			    WEXITSTATUS(status) != HELPER_SIGN_STALE_KEY)
				log_warnx(
				    "mftpd-sign ended at its start (%s %d); "
				    "each connection starts its own for now",
				    WIFSIGNALED(status) ? "signal" :
							  "exit status",
				    WIFSIGNALED(status) ? WTERMSIG(status) :
							  WEXITSTATUS(status));
			s->retry_ms = mono_ms() + SPARE_SIGNER_BACKOFF_MS;
		}
		close(s->fd);
		s->pid = 0;
		s->fd = -1;
		return 1;
	}
	for (i = 0; i < SPARE_SIGNER_HANDED; i++)
		if (s->handed[i].pid == pid) {
			helper_log_death(
			    "mftpd-sign", status, s->handed[i].peer);
			s->handed[i].pid = 0;
			return 1;
		}
	return 0;
}

void
spare_signer_stop(struct spare_signer *s)
{
	int status;

	if (s->pid <= 0)
		return;
	/* Still this process's unreaped child: the pid is its own. */
	kill(s->pid, SIGKILL);
	while (waitpid(s->pid, &status, 0) == -1 && errno == EINTR)
		;
	close(s->fd);
	s->pid = 0;
	s->fd = -1;
	s->retry_ms = 0;
}
