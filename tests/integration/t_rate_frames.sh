#!/usr/bin/env bash
# t_rate_frames: a user paced at the lowest rate (4 KiB/s) gets a
# listing whose frame is near the largest (64 KiB: 250 names of 243
# bytes), about 16 s in coming, with mftp's timeout at its lowest (-o
# Timeout=5): the server keeps sending, so it is no silence, and a
# reply frame may take the time the largest takes at that rate on top
# of the timeout.  (With the frame held to the timeout alone, this
# listing failed as "server not responding".)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user slow "$pw" --rate 4K
user_vars slow
start_daemon
mkdir "$home/d"
long=$(head -c 240 /dev/zero | tr '\0' x)
for i in $(seq 1 250); do
	: >"$home/d/$(printf '%03d' "$i")$long"
done
chown -R "$uid:$gid" "$home/d"
run_client slow "$pw" -o Timeout=5 <<<"ls d"
expect_rc 0 "ls d at 4 KiB/s with -o Timeout=5 ($ERR)"
expect_eq "$(grep -c "x$" <<<"$OUT")" 250 "names listed"
ok "a large frame paced at the lowest rate is no timeout"
