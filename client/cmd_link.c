/*
 * cmd_link.c: chmod, ln -s and symlink, and the link targets ls -l
 * shows.
 *
 * Runs as: the user, in mftp.  A link's target is any string its owner
 * chose: it is printed only through words_quote(), like a name.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "intr.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"

/* READLINKs in flight at once: never so many that both ends block. */
#define CMD_LINK_WINDOW 32
/*
 * The bytes of link targets one listing keeps: each may be 4 KB, and a
 * listing may hold RPC_LIST_MAX links, which would be 4 GB.
 */
#define CMD_LINK_BYTES_MAX (64u * 1024 * 1024)

/* chmod MODE PATH...: an octal mode, as the server takes it. */
int
cmd_chmod(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned long m;
	int i;

	if (cmd_octal(argv[1], 07777, &m) == -1)
		return cmd_fail(ctx,
		    "%s: not an octal mode (000 to 777; symbolic modes such "
		    "as u+x are not supported)",
		    argv[1]);
	/* Past 0777 too: the server says why it refuses those bits. */
	for (i = 2; i < argc; i++) {
		if (cmd_stopped(ctx) == -1)
			return -1;
		if (rpc_chmod(ctx->rpc, argv[i], (uint32_t)m) != RPC_OK)
			return cmd_rpc_fail(ctx, argv[i]);
	}
	return 0;
}

/* ln -s TARGET LINK and symlink TARGET LINK (sftp takes both). */
int
cmd_ln(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (strcmp(argv[0], "ln") == 0 && !(ctx->opts & CMD_OPT('s')))
		return cmd_fail(ctx,
		    "only symbolic links can be made (hard links are not "
		    "supported): ln -s TARGET LINK");
	if (rpc_symlink(ctx->rpc, argv[1], argv[2]) != RPC_OK)
		return cmd_rpc_fail(ctx, argv[2]);
	return 0;
}

/* Where READLINK finds entry i of a listing of path. */
static char *
cmd_link_path(const char *path, const struct msg_entry *e, size_t n)
{
	char *base;
	int self;

	/* A listing of a link to a file is that link, named by path. */
	base = cmd_basename(path);
	self = n == 1 && base != NULL && strcmp(base, e->name) == 0;
	free(base);
	return self ? xstrdup(path) : cmd_join(path, e->name);
}

char **
cmd_link_targets(
    struct cmd_ctx *ctx, const char *path, const struct msg_entry *v, size_t n)
{
	char **targets, *p;
	size_t sent = 0, got = 0, bytes = 0, want = n;
	int full = 0;

	if (!rpc_has_links(ctx->rpc))
		return NULL;
	targets = xcalloc(n + 1, sizeof(*targets));
	/*
	 * Pipelined, a window at a time: a server answers in order, and
	 * the replies of a large directory could fill both ends' buffers
	 * if every request went out before one was read.  Ctrl-C, or the
	 * targets' bytes past their limit, stop the asking; the replies
	 * already asked for are still read.
	 */
	while (got < want) {
		while (sent < want && sent - got < CMD_LINK_WINDOW) {
			if (intr_pending() ||
			    (v[sent].attr.kind == MFTP_KIND_LINK &&
				(full = bytes > CMD_LINK_BYTES_MAX))) {
				want = sent;
				break;
			}
			if (v[sent].attr.kind == MFTP_KIND_LINK) {
				p = cmd_link_path(path, &v[sent], n);
				if (rpc_readlink_send(ctx->rpc, p) != RPC_OK) {
					free(p);
					goto lost;
				}
				free(p);
			}
			sent++;
		}
		if (got == want)
			break;
		if (v[got].attr.kind == MFTP_KIND_LINK &&
		    rpc_readlink_recv(ctx->rpc, &targets[got]) != RPC_OK &&
		    rpc_lost(ctx->rpc))
			goto lost;
		if (targets[got] != NULL)
			bytes += strlen(targets[got]);
		got++;
	}
	if (full)
		cmd_note("%s: the link targets past the first %u MiB are not "
			 "shown",
		    path[0] != '\0' ? path : ".", CMD_LINK_BYTES_MAX >> 20);
	return targets;
lost:
	cmd_free_targets(targets, n);
	return NULL;
}

void
cmd_free_targets(char **targets, size_t n)
{
	size_t i;

	if (targets == NULL)
		return;
	for (i = 0; i < n; i++)
		free(targets[i]);
	free(targets);
}
