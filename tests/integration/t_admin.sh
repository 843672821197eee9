#!/usr/bin/env bash
# t_admin: ftpuser-add.  A new user gets a yescrypt hash (never the
# password) in a root 0600 users file, a uid of its own from the range and
# a 0700 home of that uid; an existing user, a bad name, a uid in use or an
# existing home are refused with a reason and change nothing, as is a
# user beyond the database's 100000; parallel runs do not lose or share
# uids; the users it adds can log in.  Run by another user than root it
# refuses at once, before it reads a password.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_LIST=$top_builddir/ftpuser-list

# add NAME PASS [options]: run ftpuser-add; RC, ERR.
add() {
	local name=$1 pass=$2
	shift 2
	RC=0
	ERR=$("$FTPUSER_ADD" -c "$CONF" --password-stdin "$@" "$name" \
	    2>&1 >/dev/null <<<"$pass") || RC=$?
}

pw_a="alice-pw-$(rand_pw)"
pw_b="bob-pw-$(rand_pw)"
add alice "$pw_a"
expect_eq "$RC" 0 "ftpuser-add alice ($ERR)"
add bob "$pw_b"
expect_eq "$RC" 0 "ftpuser-add bob ($ERR)"

expect_eq "$(stat -c '%U %a' "$USERS")" "root 600" "the users file"
users=$(cat "$USERS")
# shellcheck disable=SC2016 # a literal '$y$'
expect_match "$users" '^alice:\$y\$' "alice's hash is yescrypt"
# shellcheck disable=SC2016
expect_match "$users" '^bob:\$y\$' "bob's hash is yescrypt"
expect_not_contains "$users" "$pw_a" "the users file"
expect_not_contains "$users" "$pw_b" "the users file"
ua=$(user_uid alice)
ub=$(user_uid bob)
expect_ne "$ua" "$ub" "alice's and bob's uids"
for u in "$ua" "$ub"; do
	if [ "$u" -lt "$UID_MIN" ] || [ "$u" -gt "$UID_MAX" ]; then
		fail "uid $u is outside $UID_MIN-$UID_MAX"
	fi
done
for n in alice bob; do
	h=$(user_home "$n")
	expect_eq "$h" "$T/home/$n" "$n's home"
	expect_eq "$(stat -c '%u %g %a' "$h")" \
	    "$(user_uid "$n") $(user_gid "$n") 700" "$n's home directory"
done
extra=$(find "$T/etc" -mindepth 1 ! -name users ! -name users.lock \
    ! -name mftpd.conf)
[ -z "$extra" ] || fail "left behind next to the users file: $extra"
ok "alice ($ua) and bob ($ub): yescrypt hashes, homes 0700, file root 0600"

snapshot() {
	echo "$(sha256sum <"$USERS") $(find "$T/home" -mindepth 1 | sort |
		tr '\n' ' ')"
}
before=$(snapshot)

add alice "other"
expect_eq "$RC" 1 "adding alice again"
expect_match "$ERR" '^ftpuser-add: .*exist' "the reason for an existing user"

for bad in Alice 1abc a:b a/b ../x "" "a b" \
    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; do
	add "$bad" pw
	[ "$RC" = 1 ] || [ "$RC" = 2 ] ||
		fail "bad name '$bad': exit $RC, want 1 or 2"
	expect_match "$ERR" '^(ftpuser-add: |usage)' "the reason for '$bad'"
done

add carol pw --uid "$ua"
expect_eq "$RC" 1 "carol with alice's uid"
expect_match "$ERR" '^ftpuser-add: ' "the reason for a uid in use"

mkdir "$T/home/dave"
add dave pw
expect_eq "$RC" 1 "dave, whose home exists"
expect_match "$ERR" '^ftpuser-add: ' "the reason for an existing home"
rmdir "$T/home/dave"
mkdir "$T/elsewhere"
add erin pw --home "$T/elsewhere"
expect_eq "$RC" 1 "erin with an existing --home"
rmdir "$T/elsewhere"

# A size is digits and one unit: nothing that would be read as some
# other number (octal, hex, bits) is taken.
for bad in 100Mbps 0x100 10Kfoo 1.5G 10Mbit; do
	add gina pw --quota-bytes "$bad"
	expect_eq "$RC" 2 "--quota-bytes $bad"
	expect_match "$ERR" "'$bad' is not a size" "the reason for --quota-bytes $bad"
	add gina pw --rate "$bad"
	expect_eq "$RC" 2 "--rate $bad"
	expect_match "$ERR" "'$bad' is not a size" "the reason for --rate $bad"
done
# A size of the right form that passes 2^64 - 1 bytes is too large, and
# said so, not "not a size".
for big in 16E 16384P 18446744073709551616; do
	add gina pw --quota-bytes "$big"
	expect_eq "$RC" 2 "--quota-bytes $big"
	expect_contains "$ERR" "byte quota '$big' is too large (at most \
18446744073709551615 bytes)" "the reason for --quota-bytes $big"
done

# A uid or gid is digits only, like a count: no blank, no sign, no hex.
for bad in " 63005" "+63005" "63005 " "-1" "0x10" "1e3" "" 0 2147483647; do
	for opt in uid gid; do
		add gina pw "--$opt" "$bad"
		expect_eq "$RC" 2 "--$opt '$bad'"
		expect_contains "$ERR" \
		    "$opt '$bad' is not a whole number from 1 to 2147483646" \
		    "the reason for --$opt '$bad'"
	done
done

expect_eq "$(snapshot)" "$before" "the users file and homes after refusals"
expect_eq "$(stat -c '%U %a' "$USERS")" "root 600" "the users file"
ok "existing user, bad names, uid in use, existing home, bad sizes and ids: refused, nothing changed"

# Explicit uid, gid, home and quotas are stored as given.
pw_f=$(rand_pw)
add frank "$pw_f" --uid 61500 --gid 61501 --home "$T/frank-home" \
    --quota-bytes 010M --quota-files 7
expect_eq "$RC" 0 "frank with explicit values ($ERR)"
expect_eq "$(user_field frank 3):$(user_field frank 4):$(user_field frank 5)" \
    "61500:61501:$T/frank-home" "frank's uid, gid, home"
expect_eq "$(user_field frank 6):$(user_field frank 7)" "10485760:7" \
    "frank's quotas (010M: ten MiB, not eight)"
expect_eq "$(stat -c '%u %g %a' "$T/frank-home")" "61500 61501 700" \
    "frank's home directory"
ok "explicit --uid --gid --home --quota-bytes --quota-files"

# home_base written with a trailing '/' still makes a plain home, one
# that ftpuser-mod --home would take; one with '..' in it is refused,
# naming home_base, before anything is made.
slash_conf=$T/etc/slash.conf
sed "s|^home_base = .*|home_base = $T/home/|" "$CONF" >"$slash_conf"
RC=0
ERR=$("$FTPUSER_ADD" -c "$slash_conf" --password-stdin hal 2>&1 \
    >/dev/null <<<"$(rand_pw)") || RC=$?
expect_eq "$RC" 0 "ftpuser-add with home_base ending in '/' ($ERR)"
expect_eq "$(user_home hal)" "$T/home/hal" "hal's home"
sed "s|^home_base = .*|home_base = $T/home/../home|" "$CONF" >"$slash_conf"
before=$(snapshot)
RC=0
ERR=$("$FTPUSER_ADD" -c "$slash_conf" --password-stdin ivan 2>&1 \
    >/dev/null <<<"$(rand_pw)") || RC=$?
expect_eq "$RC" 1 "ftpuser-add with '..' in home_base ($ERR)"
expect_contains "$ERR" "home_base" "the reason names home_base"
expect_eq "$(snapshot)" "$before" "the users file and homes after it"
ok "the default home is a plain path, whatever home_base ends in"

# Parallel runs take the lock: every user is there, each with its own uid.
declare -a pids
for i in 1 2 3 4 5 6; do
	"$FTPUSER_ADD" -c "$CONF" --password-stdin "par$i" \
	    <<<"par$i-password" >/dev/null 2>"$T/par$i.err" &
	pids[i]=$!
	BG_PIDS+=("$!")
done
for i in 1 2 3 4 5 6; do
	rc=0
	wait_pid "${pids[i]}" 30 || rc=$?
	[ "$rc" = 0 ] || fail "parallel ftpuser-add par$i: exit $rc: $(cat "$T/par$i.err")"
done
expect_eq "$(grep -c '^par[1-6]:' "$USERS")" 6 "users added in parallel"
expect_eq "$(cut -d: -f3 "$USERS" | sort | uniq -d)" "" "duplicate uids"
ok "six parallel ftpuser-add: all there, uids distinct"

# Not root: refused first, before a password is read (what it was to read
# is still there for the next reader), and nothing changes; also on a
# fresh install, whose users file is not there yet.
sed "s|^users_file = .*|users_file = $T/fresh/users|" "$CONF" >"$T/fresh.conf"
before=$(snapshot)
RC=0
out=$({ setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$FTPUSER_ADD" -c "$T/fresh.conf" --password-stdin ivy \
	2>"$T/nonroot.err" ||
	echo "rc=$?"; cat; } <<<"ivy-pw") || RC=$?
expect_eq "$RC" 0 "the non-root run's pipeline"
expect_eq "$out" "$(printf 'rc=1\nivy-pw')" \
    "ftpuser-add as nobody: exit 1, the password left unread"
expect_eq "$(cat "$T/nonroot.err")" \
    "ftpuser-add: must be run as root (the user database and the accounting files are root's)" \
    "what ftpuser-add as nobody says"
expect_eq "$(snapshot)" "$before" "the users file and homes after a non-root run"
[ ! -e "$T/fresh" ] || fail "ftpuser-add as nobody made $T/fresh"
ok "ftpuser-add as another user than root: refused before the password"

# A full database takes no one more: the 100001st user would make the
# file unreadable to every program.  Refused before the password, and
# nothing changes.
cp -p "$USERS" "$T/users.saved"
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "full%d:x:%d:%d:/nonexistent/full%d:0:0\n", i, 70000 + i,
	    70000 + i, i }' >"$USERS"
before=$(snapshot)
add henry pw
expect_eq "$RC" 1 "ftpuser-add to a full database"
expect_contains "$ERR" "the user database is full (100000 users)" \
    "the reason for a full database"
expect_eq "$(snapshot)" "$before" "a full database after a refused add"
[ ! -e "$T/quota/henry" ] || fail "a refused add left henry's accounting file"
"$FTPUSER_LIST" -c "$CONF" >/dev/null 2>"$T/list.err" ||
	fail "ftpuser-list after a refused add: $(cat "$T/list.err")"
mv "$T/users.saved" "$USERS"
ok "the 100001st user is refused and the database stays readable"

# The hashes are real: those users log in (and wrong passwords do not).
start_daemon
run_client alice "$pw_a" <<<'pwd'
expect_rc 0 "alice's login"
run_client alice "$pw_b" <<<'pwd'
expect_rc 4 "alice with bob's password"
run_client par3 par3-password <<<'pwd'
expect_rc 0 "par3's login"
echo data >"$T/work/data"
run_client frank "$pw_f" <<<"put $T/work/data data"
expect_rc 0 "frank's upload"
expect_eq "$(stat -c '%u %g' "$T/frank-home/data")" "61500 61501" \
    "owner of frank's upload"
ok "the added users log in with their passwords"
check_log_clean
