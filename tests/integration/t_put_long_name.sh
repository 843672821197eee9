#!/usr/bin/env bash
# t_put_long_name: a file may be uploaded under any name a file may
# have, up to 255 bytes.  The partial, ".NAME.mftp-part", would be
# longer than a name may be for a NAME over 244 bytes: such a partial is
# named by NAME's first 200 bytes, "~", a hash of NAME and the suffix
# twice instead (the same each time), and an interrupted upload under
# such a name resumes.  The name that the shortened partial holds,
# uploaded meanwhile, has a partial of its own.  A name over 255 bytes
# is refused before its data.  Before, every upload of a name of 245 to
# 255 bytes failed with "File name too long", in put -r too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L/tree"
name_of() { printf 'n%.0s' $(seq "$1"); }
for n in 244 245 250 255; do
	head -c 5000 /dev/urandom >"$L/$(name_of "$n")"
	head -c 3000 /dev/urandom >"$L/tree/$(name_of "$n")"
done
run_client alice "$pw" <<<"lcd $L
mput n*
put -r tree"
expect_rc 0 "mput and put -r of names of 244 to 255 bytes ($ERR)"
for n in 244 245 250 255; do
	expect_same_file "$home/$(name_of "$n")" "$L/$(name_of "$n")" "the $n-byte name"
	expect_same_file "$home/tree/$(name_of "$n")" "$L/tree/$(name_of "$n")" \
	    "tree/ with the $n-byte name"
done
expect_eq "$(find "$home" -name '*.mftp-part' | wc -l)" 0 "partials left"
# Replaced: the same names again.
run_client alice "$pw" <<<"lcd $L
mput n*"
expect_rc 0 "mput over them ($ERR)"
ok "names of 244 to 255 bytes upload, and replace themselves"

# Interrupted: the partial has its short name, and the next put resumes.
long=$(name_of 255)
# 64 MiB: more than the sockets hold, and big enough for the client to
# look at the partial itself before its PUT (by its name).
head -c $((64 << 20)) /dev/urandom >"$L/$long"
tool "$top_builddir/ftpuser-mod" --rate 4M alice
expect_eq "$RC" 0 "ftpuser-mod --rate 4M alice ($ERR)"
"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" <<<"lcd $L
put $long" >"$T/put.out" 2>"$T/put.err" &
CPID=$!
BG_PIDS+=("$CPID")
_partial_grew() {
	local f
	for f in "$home"/.*~*.mftp-part.mftp-part; do
		[ -f "$f" ] && [ "$(fsize "$f")" -ge $((2 << 20)) ] && return 0
	done
	return 1
}
wait_for 20 _partial_grew || fail "no partial of 2 MiB under a short name"
part=$(basename "$(find "$home" -maxdepth 1 -name '.*~*.mftp-part')")
expect_eq "${#part}" $((1 + 200 + 1 + 16 + 20)) "the partial's name length"
wait_serving_pid "$uid"
sp=$SERVING_PID
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null
tool "$top_builddir/ftpuser-mod" --rate 0 alice
wait_for 15 _not_running "$sp" || fail "the interrupted session did not end"
# The name inside that partial's name is another file's: its upload
# leaves the partial as it is.
cp "$home/$part" "$T/part.kept"
inner=${part#.}
inner=${inner%.mftp-part.mftp-part}
echo "another file" >"$L/$inner"
run_client alice "$pw" <<<"lcd $L
put $inner"
expect_rc 0 "put of the name inside the partial's ($ERR)"
expect_same_file "$home/$inner" "$L/$inner" "the file of that name"
expect_same_file "$home/$part" "$T/part.kept" "the 255-byte name's partial"
run_client alice "$pw" <<<"lcd $L
put $long"
expect_rc 0 "put of the 255-byte name again ($ERR)"
expect_resumed put "$long" "the second put"
expect_same_file "$home/$long" "$L/$long" "the 255-byte name, resumed"
[ ! -e "$home/$part" ] || fail "the partial is left"
ok "an interrupted upload of a 255-byte name resumes from its short partial"

# Over 255 bytes: refused before anything is sent, no partial made.
head -c 300000 /dev/urandom >"$T/src"
run_client alice "$pw" <<<"put $T/src $(name_of 260)"
expect_rc 1 "put to a name of 260 bytes"
expect_contains "$ERR" "File name too long" "the reason"
expect_eq "$(find "$home" -maxdepth 1 -name '.*mftp-part' | wc -l)" 0 \
    "partials left by it"
expect_no_match "$(cat "$DAEMON_LOG")" "op=put path=n{260} bytes=[1-9]" \
    "data taken for it"
ok "a name of 260 bytes is refused before its data"

check_log_clean
