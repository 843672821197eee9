#!/usr/bin/env bash
# t_hostile_names: a server (tests/integration/fakeserver) that answers
# the listings of get -r and mget with names no directory can hold (the
# same name twice; "a/b", "..", ".", "", "../up") or with control
# characters never makes mftp write outside the directory the user
# named, print a raw control character, or walk a tree without end: get
# -r fails at once, naming what the server sent, and downloads nothing;
# what the user had locally is left as it was.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
mkdir -p "$W/in"
cd "$W/in" || fail "no $W/in"
echo mine >"$W/up"
echo mine >"$W/in/ok"

# nothing_new WHAT: only what the test made is there, unchanged.
nothing_new() {
	local got
	got=$(cd "$W" && find . -mindepth 1 | LC_ALL=C sort | tr '\n' ' ')
	expect_eq "$got" "./in ./in/ok ./up " "$1: the files in $W"
	expect_eq "$(cat "$W/up")" mine "$1: $W/up"
	expect_eq "$(cat "$W/in/ok")" mine "$1: $W/in/ok"
}

# A tree in which every directory holds "d" twice: the walk doubles
# at each level, without end.
fake_up dupdir
run_client alice pw <<<'get -r topdir dest'
expect_ne "$RC" 0 "get -r of a tree that lists d twice"
expect_contains "$ERR" "topdir: the server's listing names d twice" \
    "get -r of a tree that lists d twice"
nothing_new "get -r of a tree that lists d twice"
ok "get -r refuses a listing that names one directory twice"

fake_up dupnames
run_client alice pw <<<'get -r topdir dest'
expect_ne "$RC" 0 "get -r of a tree with a name twice"
expect_match "$ERR" "topdir: the server's listing names same(dir)? twice" \
    "get -r of a tree with a name twice"
nothing_new "get -r of a tree with a name twice"
ok "get -r refuses a listing that names one file twice"

# Names that are no single component: each fails get -r and mget, named.
for bad in a/b .. . '' ../up; do
	fake_up bad "$bad"
	q=$bad
	[ -n "$q" ] && [ "$q" != . ] && [ "$q" != .. ] || q="'$bad'"
	for cmd in 'get -r topdir dest' 'mget topdir/*'; do
		run_client alice pw <<<"$cmd"
		expect_ne "$RC" 0 "$cmd with the name '$bad'"
		expect_contains "$ERR" \
		    "topdir: the server's listing holds the name $q" \
		    "$cmd with the name '$bad'"
		nothing_new "$cmd with the name '$bad'"
	done
done
ok "get -r and mget refuse a name with '/', '.', '..' or none, named"

# Names with control characters are names: downloaded, never printed raw.
fake_up names
mkdir "$W/n" || fail "no $W/n"
cd "$W/n" || fail "no $W/n"
run_client alice pw -v <<<$'get -r topdir dest\nmget topdir/*'
expect_rc 0 "get -r and mget of a name with ESC"
for f in dest/ok $'dest/esc\e[31mred' dest/sub/ok2 $'esc\e[31mred'; do
	[ "$(cat "$W/n/$f" 2>/dev/null)" = hello ] ||
		fail "$f was not downloaded"
done
case $OUT$ERR in
*$'\e'*) fail "ESC reached the terminal: $OUT $ERR" ;;
esac
ok "a name with ESC is downloaded and shown escaped"
