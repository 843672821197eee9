# lib_quota.sh: the accounting file as the quota tests see it (the format
# is in lib/quota.h); sourced after lib.sh.
# shellcheck shell=bash

# acct NAME: "bytes files" from the accounting file; fails on a bad one.
# The file is the usage line alone, or while uploads hold a reservation
# that line and "MFTPR1 <reserved>" (lib/quota.h).
acct() {
	local f=$T/quota/$1 line res size
	[ -f "$f" ] || fail "no accounting file $f"
	size=$(stat -c %s "$f")
	[ "$size" = 49 ] || [ "$size" = 77 ] ||
		fail "accounting file $f is $size bytes, not 49 or 77"
	{
		read -r line
		read -r res || :
	} <"$f"
	if [ "$size" = 77 ]; then
		[[ $res =~ ^MFTPR1\ [0-9]{20}$ ]] ||
			fail "accounting file $f: bad reservation line '$res'"
	fi
	[[ $line =~ ^MFTPQ1\ ([0-9]{20})\ ([0-9]{20})$ ]] ||
		fail "accounting file $f: bad line '$line'"
	echo "$((10#${BASH_REMATCH[1]})) $((10#${BASH_REMATCH[2]}))"
}

# acct_reserved NAME: the bytes reserved by uploads in progress (0 when
# the file has no reservation line).
acct_reserved() {
	local f=$T/quota/$1 res=
	{
		read -r _
		read -r res || :
	} <"$f"
	if [[ $res =~ ^MFTPR1\ ([0-9]{20})$ ]]; then
		echo "$((10#${BASH_REMATCH[1]}))"
	else
		echo 0
	fi
}

# What a directory or a symbolic link counts for (QUOTA_ENTRY_BYTES).
ENTRY_BYTES=4096

# recount HOME: "bytes files" as the accounting file should say: the
# sizes of the regular files and ENTRY_BYTES a directory or link (bytes),
# and every entry (files), below the home; the home itself is not
# counted.
recount() {
	# One line an entry, "f SIZE", "d", "l" or "o" (no name printed, so
	# a name holding a newline cannot split one).
	find "$1" -mindepth 1 \( -type f -printf 'f %s\n' \) -o \
	    \( -type d -printf 'd\n' \) -o \( -type l -printf 'l\n' \) -o \
	    -printf 'o\n' |
		awk -v e="$ENTRY_BYTES" '{ n++ }
		    $1 == "f" { s += $2 } $1 == "d" || $1 == "l" { s += e }
		    END { printf "%d %d\n", s, n }'
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
