#!/usr/bin/env bash
# demo.sh: build mftp and try it.  Starts a throw-away mftpd on
# 127.0.0.1 (a free port, everything in a temporary directory), adds a
# user "demo" with a random password, puts a few files in its home and
# opens the mftp shell on it.  Quitting the shell stops the daemon and
# removes the temporary directory.
#
# Runs as: root (mftpd chroots and changes uid per session).
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)

if [ "$(id -u)" != 0 ]; then
	echo "demo: run this as root (mftpd needs it)" >&2
	exit 1
fi

bash scripts/deps.sh
# Also picks up after a run interrupted in autoreconf or configure.
bash scripts/configure-tree.sh build
make -C build -j"${JOBS:-2}"

# The integration tests' setup: temporary directory, configuration, a
# free port, start and stop of the daemon by its pid.
top_srcdir=$top
top_builddir=$top/build
# The client talks to the daemon itself: no test relay (built by make
# check only).
NO_TLSPROXY=1
set +e
# shellcheck source=tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
set +u

pw=$(rand_pw)
add_user demo "$pw"
home=$(user_home demo)
mkdir -p "$home/docs"
cat >"$home/README.txt" <<'EOF'
Welcome to the mftp demo.  Try: ls -l, cd docs, get README.txt,
put some-local-file, mkdir new, lls, lcd /tmp, help, quit.
EOF
printf 'mftp speaks its own length-prefixed binary protocol, inside TLS 1.3.\n' \
    >"$home/docs/protocol.txt"
head -c 1048576 /dev/urandom >"$home/random-1MiB.bin"
chown -R "$(user_uid demo):$(user_gid demo)" "$home"

start_daemon

# A pins file of the demo's own, so that the first-connect question
# shows (and nothing is added to your ~/.config/mftp/known_hosts).
kh=$T/demo_known_hosts
cat <<EOF

  mftpd is listening on 127.0.0.1 port $PORT (log: $DAEMON_LOG)
  user:     demo
  password: $pw
  server key fingerprint: $HOST_FP

  Connecting: $MFTP_BIN -o UserKnownHostsFile=$kh -P $PORT demo@127.0.0.1
  (mftp asks whether to trust the server's key: compare the fingerprint
  above and answer yes; then type the password; 'quit' ends the demo)

EOF
"$MFTP_BIN" -o UserKnownHostsFile="$kh" -v -P "$PORT" demo@127.0.0.1 || true
echo "demo: stopping mftpd"
