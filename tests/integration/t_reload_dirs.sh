#!/usr/bin/env bash
# t_reload_dirs: a reload does not move quota_dir and session_dir under
# the sessions running.  Every session of a user shares its accounting
# file and its slot file: a login after a reload that changed them
# counted none of the sessions running (a user at its --max-sessions
# got one more; a login that found itself alone dropped the running
# uploads' reservations).  The change is logged as waiting for a
# restart, as one of pid_file is, and the directories in force stay.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user lim "$pw" --max-sessions 1
uid=$(user_uid lim)
start_daemon

session_open lim "$pw"
wait_serving_pid "$uid"

mkdir -p "$T/sessions2" "$T/quota2"
echo "session_dir = $T/sessions2" >>"$CONF"
echo "quota_dir = $T/quota2" >>"$CONF"
hup 'configuration reloaded'
expect_eq "$(log_count 'session_dir change is ignored until mftpd is restarted')" 1 \
    "the log of an ignored session_dir change"
expect_eq "$(log_count 'quota_dir change is ignored until mftpd is restarted')" 1 \
    "the log of an ignored quota_dir change"

# The session running still counts against the limit of 1.
run_client lim "$pw" <<<"pwd"
expect_ne "$RC" 0 "a second login of a user limited to 1 after the reload"
expect_contains "$ERR" "too many sessions for lim (limit 1)" \
    "the second login's refusal"
[ -z "$(ls -A "$T/sessions2")" ] || fail "a slot file in the new session_dir"
[ -z "$(ls -A "$T/quota2")" ] || fail "an accounting file in the new quota_dir"

session_send pwd
session_send quit
session_close
expect_eq "$SESS_RC" 0 "the session running across the reload ($(cat "$SESS_ERR"))"
run_client lim "$pw" <<<"pwd"
expect_rc 0 "a login once the first session ended"
check_log_clean
ok "SIGHUP: quota_dir and session_dir wait for a restart, and say so"
