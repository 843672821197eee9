#!/usr/bin/env bash
# t_chroot_noload: a home is writable by its user, so nothing a user
# plants there (etc/nsswitch.conf, etc/localtime, lib/ with a fake NSS
# module, an OpenSSL configuration) may be read by the serving process:
# not between chroot() and the uid drop, when it is still root, and not
# afterwards either.  strace follows the daemon through a login and a few
# transfers; after its chroot the serving process must touch no path but
# the ones the client asked for.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is not installed"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
uid=$(user_uid alice)
owner="$uid:$(user_gid alice)"

# What a user could plant to be loaded by a careless privileged process.
mkdir -p "$home/etc" "$home/lib/x86_64-linux-gnu" "$home/usr/lib/ssl"
echo 'passwd: files' >"$home/etc/nsswitch.conf"
echo 'root::0:0:planted:/:/bin/sh' >"$home/etc/passwd"
echo 'not a time zone' >"$home/etc/localtime"
echo 'not a library' >"$home/lib/x86_64-linux-gnu/libnss_files.so.2"
echo '/lib/planted.so' >"$home/etc/ld.so.preload"
echo 'openssl_conf = planted' >"$home/usr/lib/ssl/openssl.cnf"
chown -R "$owner" "$home/etc" "$home/lib" "$home/usr"

start_daemon
# One file a process (-ff): lines of different processes never interleave.
strace -ff -qq -o "$T/trace" -e trace=%file,chroot,setresuid,setresgid \
    -p "$DAEMON_PID" 2>"$T/strace.err" &
tracer=$!
BG_PIDS+=("$tracer")
# Attaching takes a moment; a login before it would go untraced, and the
# check below would then find no serving process and fail, not pass.
sleep 1

head -c 100000 /dev/urandom >"$T/f"
run_client alice "$pw" <<CMDS
ls -l
put $T/f f
get f $T/f.back
hash f
stat f
CMDS
expect_rc 0 "a session under strace"
expect_same_file "$T/f" "$T/f.back" "the round trip under strace"
kill "$tracer" 2>/dev/null
wait "$tracer" 2>/dev/null

# The serving process: the one that became alice.
strace_of=$(grep -l "^setresuid($uid, $uid, $uid)" "$T"/trace.* | head -n 1)
[ -n "$strace_of" ] || fail "no process became uid $uid in the trace"
grep -q '^chroot(".")' "$strace_of" ||
	fail "${strace_of##*.}, which became uid $uid, did not chroot(\".\")"
note "serving process ${strace_of##*.}"

# Everything it did with a path from its chroot on.
sed -n '/^chroot("\.")/,$p' "$strace_of" >"$T/after"
# Between chroot and the uid drop: no file system call but the chdir("/")
# that completes the chroot.
sed -n '2,/^setresuid(/p' "$T/after" |
	grep -v -e '^chdir("/")' -e '^setres[gu]id(' >"$T/between" || true
if [ -s "$T/between" ]; then
	cat "$T/between" >&2
	fail "file system calls between chroot and the uid drop"
fi
ok "nothing touched a file between chroot and the uid drop"

# After it: never one of the planted files, nor any other system path.
if grep -E '"/?(etc|lib|lib64|usr)/' "$T/after" >"$T/planted"; then
	cat "$T/planted" >&2
	fail "the serving process opened a system path inside the home"
fi
# The trace did see the session's own work.
grep -q '"f"' "$T/after" || fail "the trace misses the session's files"
ok "no planted configuration or library was read"
