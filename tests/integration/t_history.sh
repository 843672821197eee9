#!/usr/bin/env bash
# t_history: the prompt's files, ~/.mftp_history and ~/.editrc.  A
# session at a terminal (script(1) gives it a pty) saves the lines typed
# there, mode 600; one whose ~/.mftp_history or ~/.editrc is a FIFO (or
# another file that is not a regular one) leaves it alone and never
# waits on it: the prompt comes and quit ends the session.  Without
# HOME both are looked for in the password database's home.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null 2>&1 || fail "script(1) is needed (bsdutils)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

# at_prompt HOME [WRAPPER...]: a session at a pty with that HOME (none
# when empty), run by WRAPPER if given; types pwd, then quit, each once
# the prompt shows.  Sets PRC and leaves the screen in $T/screen.
at_prompt() {
	local h=$1 cmd job
	shift
	rm -f "$T/keys" "$T/screen"
	mkfifo "$T/keys"
	exec 7<>"$T/keys"
	cmd=$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST")
	if [ -n "$h" ]; then
		set -- env HOME="$h" "$@"
	else
		set -- env -u HOME "$@"
	fi
	"$@" timeout -k 5 20 script -qfec "$cmd 3<$T/pw" /dev/null \
	    <"$T/keys" >"$T/screen" 2>&1 7>&- &
	job=$!
	BG_PIDS+=("$job")
	wait_for 15 _prompts 1 || fail "no prompt: $(cat "$T/screen")"
	printf 'pwd\n' >&7
	wait_for 10 _prompts 2 || fail "no prompt after pwd: $(cat "$T/screen")"
	printf 'quit\n' >&7
	PRC=0
	wait_pid "$job" 15 || PRC=$?
	exec 7>&-
}
_prompts() { [ "$(grep -o 'mftp> ' "$T/screen" | wc -l)" -ge "$1" ]; }

mkdir "$T/h1"
at_prompt "$T/h1"
expect_eq "$PRC" 0 "a session at the prompt"
grep -q "^pwd" "$T/h1/.mftp_history" || fail "pwd is not in the history"
expect_eq "$(stat -c %a "$T/h1/.mftp_history")" 600 "the history's mode"
ok "the prompt saves its history, mode 600"

mkdir "$T/h2"
mkfifo "$T/h2/.mftp_history"
at_prompt "$T/h2"
expect_eq "$PRC" 0 "a session whose history file is a FIFO"
[ -p "$T/h2/.mftp_history" ] || fail "the FIFO was replaced"
expect_contains "$(cat "$T/screen")" \
    "mftp: $T/h2/.mftp_history is not a regular file; no history is kept" \
    "the note"
ok "a FIFO as the history file is not waited on"

mkdir "$T/h3"
mkfifo "$T/h3/.editrc"
at_prompt "$T/h3"
expect_eq "$PRC" 0 "a session whose ~/.editrc is a FIFO"
expect_contains "$(cat "$T/screen")" \
    "mftp: $T/h3/.editrc is not a regular file; not read" "the note"
ok "a FIFO as ~/.editrc is not waited on"

# Without HOME, ~/.editrc is the password database's home's, as the
# history is: here root's home, in a mount namespace of this test's, is
# $T/h4 (it was not looked for at all).
if command -v unshare >/dev/null 2>&1; then
	mkdir "$T/h4"
	mkfifo "$T/h4/.editrc"
	awk -F: -v OFS=: -v h="$T/h4" '$3 == 0 { $6 = h } { print }' \
	    /etc/passwd >"$T/passwd"
	# shellcheck disable=SC2016 # expanded by that sh, from its arguments
	at_prompt "" unshare -m sh -c \
	    'mount --bind "$0" /etc/passwd && exec "$@"' "$T/passwd"
	expect_eq "$PRC" 0 "a session without HOME"
	expect_contains "$(cat "$T/screen")" \
	    "mftp: $T/h4/.editrc is not a regular file; not read" \
	    "the note on the passwd home's .editrc"
	grep -q "^pwd" "$T/h4/.mftp_history" ||
		fail "pwd is not in the passwd home's history"
	ok "without HOME, .editrc and the history are the passwd home's"
fi
