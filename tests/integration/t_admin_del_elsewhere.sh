#!/usr/bin/env bash
# t_admin_del_elsewhere: ftpuser-del run where the user's session is not
# one of this machine's processes (as on another node sharing the
# storage: the tool runs in a PID namespace of its own) waits for that
# session to end on seeing its accounting file gone, and says so.  A
# session that began while the user had no accounting file holds none
# to watch and runs on: ftpuser-del and ftpuser-mod --lock now fail
# saying so, and where to end it.  Before, ftpuser-del said "ended 0
# running sessions" and succeeded while the session went on.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || fail "unshare(1) (util-linux) is needed"
# elsewhere TOOL ARGS...: run from "another machine"; RC, OUT, ERR.  With
# SLOW=(sleeps_held MS), each of the tool's sleeps is held MS ms longer.
SLOW=()
elsewhere() {
	RC=0
	"${SLOW[@]}" unshare --pid --fork --mount-proc "$top_builddir/$1" \
	    -c "$CONF" "${@:2}" >"$T/tool.out" 2>"$T/tool.err" || RC=$?
	OUT=$(cat "$T/tool.out")
	ERR=$(cat "$T/tool.err")
}
said_dir() { grep -q '^/' "$SESS_OUT"; }

pc=$(rand_pw)
add_user carol "$pc"
pd=$(rand_pw)
add_user dave "$pd"
start_daemon

# carol's session watches her accounting file: it ends on its removal.
session_open carol "$pc"
session_send pwd
wait_for 10 said_dir || fail "carol did not log in: $(cat "$SESS_ERR")"
wait_serving_pid "$(user_uid carol)"
sp=$SERVING_PID
elsewhere ftpuser-del carol
expect_eq "$RC" 0 "ftpuser-del carol from elsewhere ($ERR)"
expect_contains "$OUT" "ended 0 running sessions" "what it ended here"
expect_contains "$OUT" "1 session of 'carol' on other machines ended too" \
    "what it saw end elsewhere"
_not_running "$sp" || fail "carol's session outlived ftpuser-del"
session_close 20
ok "ftpuser-del from another machine waits for the session there to end"

# The session there may end before the tool looks at the slots: it
# sees its accounting file gone within a second, while the tool still
# looks for sessions of its own machine (half a second, and more on a
# busy machine; here 2 s more).  It is still said: counted before the
# removal.  Before, such a run said only "ended 0 running sessions".
pe=$(rand_pw)
add_user erin "$pe"
session_open erin "$pe"
session_send pwd
wait_for 10 said_dir || fail "erin did not log in: $(cat "$SESS_ERR")"
wait_serving_pid "$(user_uid erin)"
sp=$SERVING_PID
SLOW=(sleeps_held 2000)
elsewhere ftpuser-del erin
SLOW=()
expect_eq "$RC" 0 "ftpuser-del erin from elsewhere, slowed ($ERR)"
expect_contains "$OUT" "1 session of 'erin' on other machines ended too" \
    "what a slowed run saw end elsewhere"
_not_running "$sp" || fail "erin's session outlived ftpuser-del"
session_close 20
ok "a session elsewhere that ends before the tool looks is still said"

# dave logs in while his accounting file is missing, then it is made
# again: his session holds none, and sees neither a lock nor a removal.
rm -f "$T/quota/dave"
session_open dave "$pd"
session_send pwd
wait_for 10 said_dir || fail "dave did not log in: $(cat "$SESS_ERR")"
du=$(user_uid dave)
wait_serving_pid "$du"
sp=$SERVING_PID
tool "$top_builddir/ftpuser-quota" --recount dave
expect_eq "$RC" 0 "ftpuser-quota --recount dave ($ERR)"
elsewhere ftpuser-mod --lock dave
expect_ne "$RC" 0 "ftpuser-mod --lock of dave, whose session holds no file"
expect_contains "$ERR" "1 session of it still holds a slot" "--lock's failure"
expect_contains "$ERR" "began while the user had no accounting file" \
    "--lock's reason"
expect_contains "$ERR" "(ftpuser-mod --lock there does)" "--lock's advice"
elsewhere ftpuser-del dave
expect_ne "$RC" 0 "ftpuser-del of dave, whose session holds no file"
expect_contains "$OUT" "removed user 'dave'" "the removal is done"
expect_contains "$ERR" "1 session of 'dave' still holds a slot" \
    "ftpuser-del's failure"
expect_contains "$ERR" "began while the user had no accounting file" \
    "ftpuser-del's reason"
expect_contains "$ERR" "(its process runs as uid $du)" \
    "ftpuser-del's advice"
kill -0 "$sp" 2>/dev/null || fail "dave's session ended after all"
kill "$sp"
session_close 20
ok "a session without an accounting file elsewhere: the tools say they could not end it"
