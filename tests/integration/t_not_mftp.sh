#!/usr/bin/env bash
# t_not_mftp: mftp pointed at a port where no mftp server is: an SSH
# server (which speaks first), an HTTP server (which answers the
# ClientHello with an error page), one that sends binary bytes with
# terminal escapes in them, one that reads the hello and closes, and one
# that never answers.  Each ends the run with status 3 and a message
# that says what is there, in words: never an OpenSSL error code, never
# the server's control characters on the terminal, never a hang.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed (scripts/deps.sh)"

# A server that is not mftp: one connection, then it ends.
cat >"$T/fake.py" <<'EOF'
import socket, sys, time
mode, portfile = sys.argv[1], sys.argv[2]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
with open(portfile, "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
ls.settimeout(60)
c, _ = ls.accept()
c.settimeout(20)
if mode == "ssh":
    c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    time.sleep(2)
elif mode == "http":
    c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
              b"Connection: close\r\n\r\n")
elif mode == "binary":
    c.recv(4096)
    c.sendall(b"\x1b]0;owned\x07\x1b[2Jhello\x9b31m\r\n")
elif mode == "close":
    # Everything the client sent is read first: closed with bytes
    # unread, the connection would be reset instead (another message).
    c.settimeout(0.5)
    try:
        while c.recv(4096):
            pass
    except socket.timeout:
        pass
elif mode == "silent":
    time.sleep(20)
c.close()
EOF

# meet MODE: mftp against a fake server of that kind; sets RC and ERR.
meet() {
	local fake
	rm -f "$T/fake.port"
	python3 "$T/fake.py" "$1" "$T/fake.port" &
	fake=$!
	BG_PIDS+=("$fake")
	wait_for 10 test -s "$T/fake.port" || fail "$1: the fake did not start"
	FPORT=$(head -n 1 "$T/fake.port")
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP_BIN" -o Timeout=5 \
	    -o UserKnownHostsFile="$T/kh" -o StrictHostKeyChecking=accept-new \
	    -P "$FPORT" --password-fd 3 alice@127.0.0.1 3<<<"secret" \
	    <<<'pwd' >"$T/out" 2>"$T/err" || RC=$?
	ERR=$(cat "$T/err")
	kill_tree "$fake"
	wait "$fake" 2>/dev/null
	[ ! -s "$T/kh" ] || fail "$1: a key was pinned: $(cat "$T/kh")"
}

meet ssh
expect_rc 3 "an SSH server"
expect_eq "$ERR" "mftp: 127.0.0.1 port $FPORT is not an mftp server: it answered \"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\" without TLS" \
    "the message for an SSH server"
ok "an SSH server is named as one"

meet http
expect_rc 3 "an HTTP server"
expect_eq "$ERR" "mftp: 127.0.0.1 port $FPORT is not an mftp server: it answered \"HTTP/1.1 400 Bad Request\" without TLS" \
    "the message for an HTTP server"
ok "an HTTP server's answer is shown"

meet binary
expect_rc 3 "a server sending escapes"
expect_contains "$ERR" "127.0.0.1 port $FPORT is not an mftp server" \
    "the message for a binary answer"
for c in $'\x1b' $'\x07' $'\r' $'\x9b'; do
	LC_ALL=C expect_not_contains "$ERR" "$c" \
	    "byte $(printf '%s' "$c" | od -An -tx1) from the server"
done
ok "a binary answer reaches the terminal without its escapes"

meet close
expect_rc 3 "a server that closes at once"
expect_contains "$ERR" "connection closed by the server" "its message"
meet silent
expect_rc 3 "a server that never answers"
expect_contains "$ERR" "server not responding (timed out)" "its message"
ok "a server that closes or never answers ends the run with status 3"
