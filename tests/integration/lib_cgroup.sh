# lib_cgroup.sh: put one process in a pids cgroup of its own, whose
# limit the test sets, to make its fork() fail with EAGAIN as it does
# under a unit's TasksMax=.  cgroup v2 (/sys/fs/cgroup with the pids
# controller) or the v1 pids hierarchy (/sys/fs/cgroup/pids).  Sourced
# after lib.sh; the test calls cg_release from its EXIT trap.
# shellcheck shell=bash

CG_DIR=
CG_HOME=

# cg_available: 0 if a pids cgroup can be made here; CG_WHY otherwise.
# On v2 the pids controller must be on for the root's children already
# (as systemd has it): the test does not change the machine's setup.
cg_available() {
	local v2=/sys/fs/cgroup v1=/sys/fs/cgroup/pids probe
	if [ "$(stat -fc %T "$v2" 2>/dev/null)" = cgroup2fs ] &&
		grep -qw pids "$v2/cgroup.subtree_control" 2>/dev/null; then
		CG_ROOT=$v2
		CG_VER=2
	elif [ -f "$v1/cgroup.procs" ]; then
		CG_ROOT=$v1
		CG_VER=1
	else
		CG_WHY="no cgroup v2 with the pids controller on at $v2, nor a v1 pids hierarchy at $v1"
		return 1
	fi
	# Mounted read-only (a container): nothing can be made there.
	probe=$CG_ROOT/mftp-probe-$$
	if ! mkdir "$probe" 2>/dev/null; then
		CG_WHY="cannot make a cgroup in $CG_ROOT (read-only?)"
		return 1
	fi
	rmdir "$probe"
	return 0
}

# cg_enter PID: move PID into a new child cgroup (CG_DIR) with no limit yet.
cg_enter() {
	local line
	cg_available || fail "$CG_WHY"
	if [ "$CG_VER" = 2 ]; then
		line=$(grep '^0::' "/proc/$1/cgroup") || fail "no cgroup v2 line for $1"
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
# where it was; the cgroup removed.  Processes forked while the others
# move land in it too: up to 50 rounds, until it is empty.
cg_release() {
	local p i
	[ -n "$CG_DIR" ] || return 0
	echo max >"$CG_DIR/pids.max" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		# (cgroup files have no size: read it.)
		[ -n "$(cat "$CG_DIR/cgroup.procs" 2>/dev/null)" ] || break
		while read -r p; do
			echo "$p" >"$CG_HOME/cgroup.procs" 2>/dev/null ||
				echo "$p" >"$CG_ROOT/cgroup.procs" 2>/dev/null
		done <"$CG_DIR/cgroup.procs"
	done
	rmdir "$CG_DIR" 2>/dev/null ||
		echo "# cg_release: $CG_DIR not removed" >&2
	CG_DIR=
}
