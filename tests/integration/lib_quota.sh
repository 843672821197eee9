# lib_quota.sh: the accounting file as the quota tests see it (the format
# is in lib/quota.h); sourced after lib.sh.
# shellcheck shell=bash

# acct NAME: "bytes files" from the accounting file; fails on a bad one.
acct() {
	local f=$T/quota/$1 line
	[ -f "$f" ] || fail "no accounting file $f"
	[ "$(stat -c %s "$f")" = 49 ] ||
		fail "accounting file $f is $(stat -c %s "$f") bytes, not 49"
	read -r line <"$f"
	[[ $line =~ ^MFTPQ1\ ([0-9]{20})\ ([0-9]{20})$ ]] ||
		fail "accounting file $f: bad line '$line'"
	echo "$((10#${BASH_REMATCH[1]})) $((10#${BASH_REMATCH[2]}))"
}

# recount HOME: "bytes files" as the accounting file should say: the
# sizes of the regular files, and every entry, below the home.
recount() {
	local bytes files
	# One byte an entry: a name may hold a newline.
	files=$(find "$1" -mindepth 1 -printf x | wc -c)
	bytes=$(find "$1" -mindepth 1 -type f -printf '%s\n' |
		awk '{ s += $1 } END { printf "%d", s }')
	echo "$bytes $files"
}

_acct_is_exact() { # NAME
	[ "$(acct "$1")" = "$(recount "$(user_home "$1")")" ]
}

# exact NAME WHAT: the accounting file equals a recount (waiting a moment
# for a session that is still settling).
exact() {
	wait_for 5 _acct_is_exact "$1" ||
		fail "$2: accounting '$(acct "$1")' != recount '$(recount \
			"$(user_home "$1")")' (bytes files) for $1"
}
