#!/usr/bin/env bash
# t_tls_wire: what crosses the network.  A relay between client and
# server records every byte of a session (login, ls, put, get): neither
# the password, nor a file name, nor a file's contents appear in the
# capture, which starts with a TLS record.  And a client meeting a
# server older than TLS (protocol 1, which answers a ClientHello with a
# clear ERROR frame) says so instead of printing garbage.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
W=$T/work

# A recording relay: one connection, bytes both ways appended to a file.
cat >"$T/relay.py" <<'EOF'
import select, socket, sys
up_host, up_port, log, portfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
with open(portfile, "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
ls.settimeout(60)
c, _ = ls.accept()
u = socket.create_connection((up_host, up_port), timeout=60)
out = open(log, "wb")
open_ = {c: u, u: c}
while open_:
    r, _, _ = select.select(list(open_), [], [], 60)
    if not r:
        break
    for s in r:
        try:
            data = s.recv(65536)
        except OSError:  # a reset ends that side as a close does
            data = b""
        if not data:
            try:
                open_[s].shutdown(socket.SHUT_WR)
            except OSError:
                pass
            del open_[s]
            continue
        out.write(data)
        out.flush()
        try:
            open_[s].sendall(data)
        except OSError:
            del open_[s]
EOF
python3 "$T/relay.py" 127.0.0.1 "$PORT" "$T/capture" "$T/relay.port" &
relay=$!
BG_PIDS+=("$relay")
wait_for 10 test -s "$T/relay.port" || fail "the relay did not start"
rport=$(head -n 1 "$T/relay.port")
echo "127.0.0.1 $rport $HOST_FP" >>"$KNOWN_HOSTS"

name=unmistakable-name-$(rand_pw | head -c 12).txt
body=unmistakable-contents-$(rand_pw)
for _ in $(seq 2000); do printf '%s\n' "$body"; done >"$W/$name"
saved=$PORT
PORT=$rport
run_client alice "$pw" <<EOF
lcd $W
put $name
ls -l
get $name back.txt
EOF
PORT=$saved
expect_rc 0 "a session through the recording relay"
expect_same_file "$W/back.txt" "$W/$name" "the file, there and back"
wait_pid "$relay" 20 || fail "the relay did not end with the session"

[ "$(stat -c %s "$T/capture")" -gt "$(stat -c %s "$W/$name")" ] ||
	fail "the capture is smaller than the file: nothing recorded?"
[ "$(head -c 3 "$T/capture" | od -An -tx1 | tr -d ' ')" = 160301 ] ||
	fail "the capture does not start with a TLS handshake record"
for secret in "$pw" "$name" "$body" alice; do
	grep -qaF -- "$secret" "$T/capture" &&
		fail "'$secret' crossed the network in clear"
done
ok "the password, the user, a file's name and its contents are not on the wire"

# A protocol-1 server: it reads a length, finds it too long, says so in
# a clear ERROR(BAD_FRAME) and closes.
cat >"$T/v1server.py" <<'EOF'
import socket, struct, sys
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
ls.settimeout(60)
c, _ = ls.accept()
c.settimeout(10)
c.recv(4)
text = b"frame length over the limit"
body = bytes([0x81]) + struct.pack(">I", 1) + struct.pack(">I", len(text)) + text
c.sendall(struct.pack(">I", len(body)) + body)
c.shutdown(socket.SHUT_WR)
c.recv(65536)
c.close()
EOF
python3 "$T/v1server.py" "$T/v1.port" &
v1=$!
BG_PIDS+=("$v1")
wait_for 10 test -s "$T/v1.port" || fail "the protocol-1 server did not start"
RC=0
timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$(head -n 1 "$T/v1.port")" \
    --password-fd 3 "alice@127.0.0.1" 3<<<"$pw" <<<'pwd' \
    >"$T/v1.out" 2>"$T/v1.err" || RC=$?
expect_rc 3 "a client meeting a protocol-1 server"
expect_contains "$(cat "$T/v1.err")" \
    "it speaks mftp protocol 1, and this client requires protocol 2 (TLS); upgrade the server" \
    "the client's message"
ok "a server older than TLS gets one clear message, not garbage"
check_log_clean
