# lib_cgroup.sh: put one process in a pids cgroup of its own, whose
# limit the test sets, to make its fork() fail with EAGAIN as it does
# under a unit's TasksMax=.  cgroup v2 (/sys/fs/cgroup with the pids
# controller) or the v1 pids hierarchy (/sys/fs/cgroup/pids).  Sourced
# after lib.sh; the test calls cg_release from its EXIT trap.
# shellcheck shell=bash

CG_DIR=
CG_HOME=

# cg_available: 0 if a pids cgroup can be made here; CG_WHY otherwise.
cg_available() {
	local v2=/sys/fs/cgroup v1=/sys/fs/cgroup/pids
	if [ "$(stat -fc %T "$v2" 2>/dev/null)" = cgroup2fs ] &&
		grep -qw pids "$v2/cgroup.controllers" 2>/dev/null; then
		CG_ROOT=$v2
		CG_VER=2
		return 0
	fi
	if [ -f "$v1/cgroup.procs" ]; then
		CG_ROOT=$v1
		CG_VER=1
		return 0
	fi
	CG_WHY="no cgroup v2 with the pids controller at $v2, nor a v1 pids hierarchy at $v1"
	return 1
}

# cg_enter PID: move PID into a new child cgroup (CG_DIR) with no limit yet.
cg_enter() {
	local line
	cg_available || fail "$CG_WHY"
	if [ "$CG_VER" = 2 ]; then
		line=$(grep '^0::' "/proc/$1/cgroup") || fail "no cgroup v2 line for $1"
		grep -qw pids "$CG_ROOT/cgroup.subtree_control" ||
			echo +pids >"$CG_ROOT/cgroup.subtree_control" ||
			fail "cannot enable the pids controller"
	else
		line=$(grep -E '^[0-9]+:pids:' "/proc/$1/cgroup") ||
			fail "no pids cgroup line for $1"
	fi
	CG_HOME=$CG_ROOT${line#*:*:}
	CG_DIR=$CG_ROOT/mftp-$TEST_NAME-$$
	mkdir "$CG_DIR" || fail "mkdir $CG_DIR"
	echo "$1" >"$CG_DIR/cgroup.procs" || fail "cannot move $1 into $CG_DIR"
}

# cg_limit N|max: the cgroup's pids.max.
cg_limit() {
	echo "$1" >"$CG_DIR/pids.max" || fail "cannot set pids.max to $1"
}

# cg_current: its pids.current.
cg_current() {
	cat "$CG_DIR/pids.current"
}

# cg_release: the process, and the children it forked in there, back
# where it was; the cgroup removed.
cg_release() {
	local p
	[ -n "$CG_DIR" ] || return 0
	echo max >"$CG_DIR/pids.max" 2>/dev/null
	while read -r p; do
		echo "$p" >"$CG_HOME/cgroup.procs" 2>/dev/null ||
			echo "$p" >"$CG_ROOT/cgroup.procs" 2>/dev/null
	done <"$CG_DIR/cgroup.procs"
	rmdir "$CG_DIR" 2>/dev/null ||
		echo "# cg_release: $CG_DIR not removed" >&2
	CG_DIR=
}
