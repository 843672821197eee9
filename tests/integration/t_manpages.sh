#!/usr/bin/env bash
# t_manpages: the man pages render without a warning (mandoc -T lint,
# groff -ww), every program installed has a page, every option that a
# program's getopt accepts (short and long, read from its source) is
# described in its page, and every key lib/config.c accepts is described
# in mftpd.conf(5) and shown in etc/mftpd.conf, each number, path and
# account key with the code's default and range.  With the programs
# built: every option is named in its program's usage message (-h).
# Every -o option of mftp is described in mftp(1) and in its usage, and
# every command of the client's tables has an entry in mftp(1) naming
# each of its option letters.  Every log line mftpd(8) lists under LOGS
# is a format string of the daemon's, with its key= fields in its order.
# Each checker is shown to fail on a page or usage with something taken
# out.  Every program a Debian package installs is named in its
# Description.  Also: the systemd unit passes systemd-analyze verify.
#
# Runs as: any user; needs no daemon.
set -u
set -o pipefail

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
if [ ! -x "$top_builddir/mftpd" ] && [ -x "$top_srcdir/build/mftpd" ]; then
	top_builddir=$top_srcdir/build
fi
S=$top_srcdir
errors=0

err() {
	echo "FAIL: t_manpages: $*" >&2
	errors=$((errors + 1))
}

for tool in mandoc groff; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed (scripts/deps.sh)"
		exit 77
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/mftp-t_manpages.XXXXXX") || exit 99
trap 'rm -rf -- "$T"' EXIT

# program  source with its getopt  man page  section of the page (or "")
PROGRAMS="
mftpd		daemon/mftpd.c		daemon/mftpd.8		-
mftpd-auth	privsep/mftpd_auth.c	privsep/mftpd-auth.8	-
mftpd-sign	privsep/mftpd_sign.c	privsep/mftpd-sign.8	-
mftp		client/mftp.c		client/mftp.1		-
ftpuser-add	admin/ftpuser_add.c	admin/ftpuser.8		ftpuser-add
ftpuser-del	admin/ftpuser_del.c	admin/ftpuser.8		ftpuser-del
ftpuser-mod	admin/ftpuser_mod.c	admin/ftpuser.8		ftpuser-mod
ftpuser-list	admin/ftpuser_list.c	admin/ftpuser.8		ftpuser-list
ftpuser-quota	admin/ftpuser_quota.c	admin/ftpuser.8		ftpuser-quota
"

# ------------------------------------------------------------------ lint
pages=$(cd "$S" && ls daemon/*.[1-8] privsep/*.[1-8] client/*.[1-8] \
    admin/*.[1-8] 2>/dev/null)
[ -n "$pages" ] || err "no man pages found under $S"
for p in $pages; do
	# STYLE and up; a page referring to one not installed here is fine.
	out=$(mandoc -T lint -W style "$S/$p" 2>&1 |
		grep -v -e 'referenced manual not found' -e 'outdated mandoc.db')
	[ -z "$out" ] || err "mandoc -T lint $p: $out"
	out=$(groff -ww -z -mandoc "$S/$p" 2>&1)
	[ -z "$out" ] || err "groff -ww $p: $out"
done
echo "ok: $(echo "$pages" | wc -w) pages lint clean (mandoc, groff)"

# Quotes that nest wrongly (".Pq Ql a , Ql b" on one line) render as
# "‘a, ‘b’’": two closing quotes in a row never belong in a page.
for p in $pages; do
	out=$(mandoc -T utf8 "$S/$p" 2>/dev/null | grep -F "’’")
	[ -z "$out" ] || err "$p renders nested quotes broken: $out"
done
echo "ok: no page renders broken nested quotes"

# Every program Makefile.am installs is in the table above.
# (the installed *_PROGRAMS lines and their continuations only).
installed=$(awk '
	/^[a-z]+_PROGRAMS *=/ { take = $1 ~ /^(s?bin|pkglibexec)_PROGRAMS$/ }
	take { line = $0; sub(/^[a-z]+_PROGRAMS *=/, "", line);
	    gsub(/\\/, "", line); print line }
	!/\\$/ { take = 0 }' "$S/Makefile.am" | tr -s ' \t' '\n' | grep .)
for prog in $installed; do
	grep -q "^${prog}[[:space:]]" <<<"$PROGRAMS" ||
		err "program $prog has no man page in this test's table"
done

# --------------------------------------------------------------- options

# macro_body NAME: the #define of NAME in the tree's headers, with its
# continuation lines.
macro_body() {
	awk -v name="$1" '
		$1 == "#define" && $2 == name { on = 1 }
		on { print; if (!/\\$/) exit }' "$S"/*/*.h
}

# flat_of SOURCE: SOURCE on one line, with the rows of the option
# macros it uses (ADMIN_COMMON_LONGOPTS) after it.
flat_of() {
	local flat m
	flat=$(tr '\n\t' '  ' <"$1")
	for m in $(grep -oE '\<[A-Z][A-Z0-9_]*_LONGOPTS\>' "$1" | sort -u); do
		flat+=" $(macro_body "$m" | tr '\n\t' '  ')"
	done
	printf '%s\n' "$flat"
}

# opts_of SOURCE: "-x" for each short option and "--name" for each long
# one that getopt/getopt_long accepts in SOURCE.  Rows of a struct option
# table that tools share through a macro (ADMIN_COMMON_LONGOPTS) count
# for every SOURCE that uses the macro.
opts_of() {
	local flat s
	flat=$(flat_of "$1")
	# The option string of getopt(argc, argv, "...") / getopt_long, or
	# of helper_args_parse(argc, argv, "...", ...), the helpers' getopt.
	s=$(printf '%s' "$flat" |
		grep -oE '(getopt(_long)?|helper_args_parse)\([^,]*,[^,]*, *"[^"]*"' |
		sed 's/.*"\([^"]*\)"$/\1/')
	printf '%s' "$s" | tr -d ':+-' | fold -w1 | sed 's/^/-/'
	echo
	# The rows of a struct option table: { "name", ..._argument, ...
	printf '%s' "$flat" |
		grep -oE '\{ *"[a-z0-9][a-z0-9-]*", *(no|required|optional)_argument' |
		sed 's/{ *"\([^"]*\)".*/--\1/'
}

# section_of PAGE NAME: the lines of subsection NAME (.Ss NAME) and of the
# subsection of options every tool shares; the whole page for "-".
section_of() {
	if [ "$2" = - ]; then
		cat "$1"
		return
	fi
	awk -v want="$2" '
		/^\.S[hs] / { on = ($0 == ".Ss " want ||
		    $0 ~ /^\.Ss Options of every tool/) }
		on' "$1"
}

# documented TEXT OPT: OPT is described in an .It line of TEXT.
documented() {
	local re
	case $2 in
	--*) re="Fl \\\\-${2#--}" ;;
	*) re="Fl ${2#-}" ;;
	esac
	grep -E '^\.It ' <<<"$1" | grep -E -- "$re( |,|$)" >/dev/null
}

# check_page PROGRAM SOURCE PAGE SECTION: one error per option missing.
check_page() {
	local text o n=0 bad=0
	text=$(section_of "$3" "$4")
	[ -n "$text" ] || {
		echo "no section $4 in $3"
		return 1
	}
	for o in $(opts_of "$2"); do
		n=$((n + 1))
		if ! documented "$text" "$o"; then
			echo "$1: option $o is not described in $3 (${4/#-/the page})"
			bad=$((bad + 1))
		fi
	done
	[ "$n" -gt 0 ] || {
		echo "$1: no options found in $2"
		return 1
	}
	[ "$bad" = 0 ]
}

total=0
while read -r prog src page sect; do
	[ -n "$prog" ] || continue
	[ -f "$S/$src" ] || {
		err "$src is missing"
		continue
	}
	out=$(check_page "$prog" "$S/$src" "$S/$page" "$sect") || err "$out"
	total=$((total + $(opts_of "$S/$src" | wc -l)))
done <<<"$PROGRAMS"
echo "ok: $total options of $(printf '%s\n' "$PROGRAMS" | grep -c .) programs checked"

# ------------------------------------------------------------ config keys
keys=$(tr '\n\t' '  ' <"$S/lib/config.c" |
	grep -oE '\{ *"[a-z_]+", *CONFIG_[A-Z]+' | sed 's/{ *"\([^"]*\)".*/\1/')
[ "$(echo "$keys" | wc -w)" -ge 10 ] || err "config keys not found in lib/config.c"

# check_keys PAGE CONF: each key in an .It Cm line of PAGE and as a
# "#key =" line of the example configuration CONF.
check_keys() {
	local k bad=0
	for k in $keys; do
		if ! grep -qE "^\.It Cm $k( |$)" "$1"; then
			echo "key $k is not described in $1"
			bad=1
		fi
		if ! grep -qE "^#?$k = " "$2"; then
			echo "key $k is not in $2"
			bad=1
		fi
	done
	return "$bad"
}
out=$(check_keys "$S/daemon/mftpd.conf.5" "$S/etc/mftpd.conf") || err "$out"
echo "ok: $(echo "$keys" | wc -w) configuration keys documented"

# The default and the range of every number, path and account key, as
# lib/config.c has them (its table and config_defaults, the macros of
# the headers resolved: the paths as Debian builds them), are those of
# its entry in mftpd.conf(5) ("1 to 65535", "The default is 2121") and
# of its line in etc/mftpd.conf ("#port = 2121", "(1..65535)" in the
# comment above it).

# key_facts: "NAME TYPE MIN MAX DEFAULT" for each such key.
key_facts() {
	local flat defs
	flat=$(tr '\n\t' '  ' <"$S/lib/config.c")
	# #define NAME VALUE of the headers and config.c, numbers and strings.
	defs=$(cat "$S/lib/mftp_limits.h" "$S/lib/config.c" |
		awk '$1 == "#define" && NF == 3 { v = $3; sub(/LL$/, "", v); print $2, v }')
	printf '%s\n' "$flat" |
		grep -oE '\{ *"[a-z_]+", *CONFIG_(UINT|UID|PATH|ACCOUNT), *offsetof\(struct config, *[a-z_]+\), *[A-Z0-9_]+, *[A-Z0-9_]+ *\}' |
		sed -E 's/\{ *"([a-z_]+)", *CONFIG_([A-Z]+), *offsetof\(struct config, *([a-z_]+)\), *([A-Z0-9_]+), *([A-Z0-9_]+) *\}/\1 \2 \3 \4 \5/' |
		while read -r name type field min max; do
			val=$(printf '%s\n' "$flat" |
				grep -oE "c->$field = [^;]+;" | head -n 1 |
				sed -E "s/^c->$field = //; s/;\$//")
			# xstrdup(MACRO "/rest") or xstrdup("...") or a number.
			val=$(printf '%s\n' "$val" | sed -E 's/^xstrdup\((.*)\)$/\1/')
			for m in $(grep -oE '\<[A-Z][A-Z0-9_]+\>' <<<"$val $min $max" |
			    sort -u); do
				r=$(awk -v m="$m" '$1 == m { print $2; exit }' <<<"$defs")
				[ -n "$r" ] || continue
				val=${val//$m/$r}
				[ "$min" = "$m" ] && min=$r
				[ "$max" = "$m" ] && max=$r
			done
			val=$(printf '%s\n' "$val" | tr -d '"' | tr -d ' ')
			echo "$name $type $min $max $val"
		done
}

# conf_entry PAGE NAME: the text of NAME's entry in PAGE, on one line,
# with the keys listed on .It lines right before it (uid_min, uid_max).
conf_entry() {
	awk -v want="$2" '
		/^\.It / { if (!prev_it) { n = 0; text = "" }
		    keys[++n] = $3; prev_it = 1; if (on) exit; next }
		/^\.El/ { if (on) exit }
		{ prev_it = 0; text = text " " $0
		  for (i = 1; i <= n; i++) if (keys[i] == want) on = 1 }
		on { last = text }
		END { print last }' "$1"
}

# conf_block CONF NAME: the comment lines above NAME's line in CONF, from
# the last blank line, and that line.
conf_block() {
	awk -v want="$2" '
		/^$/ { block = ""; next }
		{ block = block " " $0 }
		$0 ~ "^#?" want " = " { print block; exit }' "$1"
}

# check_defaults PAGE CONF: one error per default or range not as the
# code has it (FACTS, key_facts's lines).
check_defaults() {
	local name type min max val entry sent block bad=0
	while read -r name type min max val; do
		entry=$(conf_entry "$1" "$name")
		sent=${entry#*[Dd]efault}
		sent=${sent%%. *}
		[ "$sent" != "$entry" ] && [[ " $sent " == *[^0-9A-Za-z/_.-]"$val"[^0-9A-Za-z/_-]* ]] ||
			{ echo "$1: $name: the default is not given as $val"; bad=1; }
		grep -qE "^#?$name = $val\$" "$2" ||
			{ echo "$2: no line '#$name = $val' (the default)"; bad=1; }
		case $type in UINT | UID) ;; *) continue ;; esac
		[[ $entry == *" $min to $max"[^0-9]* ]] ||
			{ echo "$1: $name: the range is not given as $min to $max"; bad=1; }
		block=$(conf_block "$2" "$name")
		[[ $block == *"($min..$max"[^0-9]* ]] ||
			{ echo "$2: $name: the comment does not give the range ($min..$max)"; bad=1; }
	done <<<"$FACTS"
	return "$bad"
}
# Read once: each check below, and those that show it can fail, use it.
FACTS=$(key_facts)
[ "$(grep -c . <<<"$FACTS")" -ge 15 ] ||
	err "the defaults of the keys not found in lib/config.c"
out=$(check_defaults "$S/daemon/mftpd.conf.5" "$S/etc/mftpd.conf") ||
	err "$out"
echo "ok: $(grep -c . <<<"$FACTS") keys have the code's default and range in both"

# ------------------------------------------------------- usage messages
# Every option a program takes is named in what -h prints (the usage it
# also prints on a bad option), as -x, inside a group such as [-efht],
# or, for a long option that has a short one, as either; -h, --help
# and --version excepted.  Needs the programs built.

# long_alias SOURCE NAME: the letter of the short option that --NAME
# stands for in SOURCE's table (or a macro's rows), if it has one.
long_alias() {
	local flat c optstring
	flat=$(flat_of "$1")
	c=$(printf '%s' "$flat" |
		grep -oE "\\{ *\"$2\", *[a-z_]+, *NULL, *'[A-Za-z0-9]'" |
		sed "s/.*'\\(.\\)'\$/\\1/" | head -n 1)
	optstring=$(printf '%s' "$flat" |
		grep -oE '(getopt(_long)?|helper_args_parse)\([^,]*,[^,]*, *"[^"]*"' |
		sed 's/.*"\([^"]*\)"$/\1/')
	[ -n "$c" ] && [[ $optstring == *"$c"* ]] && echo "$c"
}

# in_usage TEXT OPT: OPT (-x or --name) is named in the usage TEXT.
in_usage() {
	case $2 in
	--*) grep -qE -- "(^|[[ |])$2([] =,|]|\$)" <<<"$1" ;;
	*) grep -qE -- "(^|[[ |])-[A-Za-z0-9]*${2#-}[A-Za-z0-9]*([] ,|]|\$)" \
	    <<<"$1" ;;
	esac
}

# check_usage PROGRAM SOURCE USAGE: one error per option not in USAGE.
check_usage() {
	local o a bad=0
	for o in $(opts_of "$2"); do
		case $o in -h | --help | --version) continue ;; esac
		in_usage "$3" "$o" && continue
		if [[ $o == --* ]] && a=$(long_alias "$2" "${o#--}") &&
		    in_usage "$3" "-$a"; then
			continue
		fi
		echo "$1: option $o is not in its usage message (-h)"
		bad=1
	done
	return "$bad"
}

if [ -x "$top_builddir/mftp" ]; then
	while read -r prog src page sect; do
		[ -n "$prog" ] || continue
		usage=$("$top_builddir/$prog" -h 2>&1 </dev/null)
		out=$(check_usage "$prog" "$S/$src" "$usage") || err "$out"
	done <<<"$PROGRAMS"
	echo "ok: every option is in its program's usage message"
else
	echo "# the programs are not built: their usage is not checked"
fi

# mftp's -o options: each in mftp(1) (.It Cm NAME) and in its usage.
oopts=$(grep -oE 'strncasecmp\(arg, "[A-Za-z]+"' "$S/client/mftp.c" |
	sed 's/.*"\(.*\)"/\1/' | sort -u)
[ "$(echo "$oopts" | wc -w)" -ge 5 ] || err "mftp's -o options not found"
for o in $oopts; do
	grep -qE "^\\.It Cm $o( |\$)" "$S/client/mftp.1" ||
		err "mftp: -o $o is not described in client/mftp.1"
	if [ -x "$top_builddir/mftp" ]; then
		grep -qF -- "-o $o=" <<<"$("$top_builddir/mftp" -h 2>&1)" ||
			err "mftp: -o $o is not in its usage message"
	fi
done
echo "ok: $(echo "$oopts" | wc -w) -o options of mftp documented"

# ------------------------------------------------------ client commands
# Every command of mftp's tables (client/cmd_*.c: name, argument counts,
# option letters) has an entry in mftp(1)'s COMMANDS (.It Ic NAME, or
# one of several names on one .It line), and each of its option letters
# is named in that entry (Fl x, or in a group such as Fl acr).

# client_cmds: "NAME OPTS" for each row of the tables.
client_cmds() {
	cat "$S"/client/cmd_*.c | tr '\n\t' '  ' |
		grep -oE '\{ *"[^"]+", *-?[0-9]+, *-?[0-9]+, *"[^"]*"' |
		sed -E 's/\{ *"([^"]+)", *-?[0-9]+, *-?[0-9]+, *"([^"]*)"/\1 \2/'
}

# cmd_entry PAGE NAME: the lines of NAME's entry, from its .It Ic line
# to the next one.
cmd_entry() {
	awk -v want="$2" '
		/^\.It Ic / {
			on = 0
			line = $0
			gsub(/\\&/, "", line)
			n = split(line, w, " ")
			for (i = 3; i <= n; i++) {
				if (w[i] == "," || w[i] == "Ic")
					continue
				if (w[i] !~ /^[a-z!?]+$/ ||
				    w[i] ~ /^(Ns|Op|Oo|Oc|Fl|Ar)$/)
					break
				if (w[i] == want)
					on = 1
			}
		}
		on' "$1"
}

# check_cmds PAGE CMDS: one error per command of CMDS (client_cmds's
# lines) or option letter missing in PAGE.
check_cmds() {
	local name opts entry i l bad=0
	while read -r name opts; do
		entry=$(cmd_entry "$1" "$name")
		if [ -z "$entry" ]; then
			echo "mftp: command $name has no entry in $1"
			bad=1
			continue
		fi
		for ((i = 0; i < ${#opts}; i++)); do
			l=${opts:i:1}
			grep -qE "Fl [A-Za-z0-9]*$l" <<<"$entry" && continue
			echo "mftp: $name -$l is not described in $1"
			bad=1
		done
	done <<<"$2"
	return "$bad"
}
[ "$(client_cmds | wc -l)" -ge 30 ] ||
	err "the client's commands not found in client/cmd_*.c"
cmds=$(client_cmds)
out=$(check_cmds "$S/client/mftp.1" "$cmds") || err "$out"
echo "ok: $(client_cmds | wc -l) client commands and their options documented"

# ------------------------------------------------------------ log lines
# Every line mftpd(8) lists under LOGS (.It Li ...) starts a format
# string of the daemon's code, and names its key= fields as that string
# does, in its order: all of them, or the first ones when the entry ends
# in "...".  Administrators write their filters after these entries.

# log_forms PAGE: "LEAD|KEYS|OPEN" for each entry of LOGS: the
# literal words it starts with (up to the first key), its keys, and 1
# when it ends in "...".
log_forms() {
	awk '/^\.Sh / { on = ($0 == ".Sh LOGS") } on && /^\.It Li /' "$1" |
		while IFS= read -r line; do
			line=${line#.It Li }
			line=${line//\\&/}
			awk '{
				lead = ""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^(Ns|No|Ar|Li|Cm|Pq|Ql|\.\.\.)$/)
						break
					lead = lead (lead == "" ? "" : " ") $i
					if ($i ~ /=$/)
						break
				}
				keys = ""
				for (i = 1; i <= NF; i++)
					if ($i ~ /^[a-z_]+=$/)
						keys = keys $i " "
				printf "%s|%s|%d\n", lead, keys, $NF == "..."
			}' <<<"$line"
		done
}

# The string literals of the daemon's code, those split over lines
# joined, one a line.
log_literals() {
	cat "$S"/daemon/*.c "$S"/privsep/*.c "$S"/lib/*.c |
		perl -0pe 's/"\s*\n\s*"//g' |
		grep -oE '"([^"\\]|\\.)*"' | sed 's/^"//; s/"$//'
}

# check_logs PAGE: one line per entry of LOGS that no format string of
# the code (LITS, log_literals's lines) matches.
check_logs() {
	local lead keys open l k ok bad=0
	while IFS="|" read -r lead keys open; do
		ok=0
		while IFS= read -r l; do
			[[ $l == "$lead"* ]] || continue
			k=$(grep -oE '(^| )[a-z_]+=' <<<"$l" | tr -d ' ' |
				tr '\n' ' ')
			if [ "$k" = "$keys" ] ||
			    { [ "$open" = 1 ] && [[ $k == "$keys"* ]]; }; then
				ok=1
				break
			fi
		done <<<"$LITS"
		[ "$ok" = 1 ] && continue
		echo "mftpd(8) LOGS: no log line of the code is '$lead' with the fields ${keys:-(none) }$([ "$open" = 1 ] && echo '...')"
		bad=1
	done < <(log_forms "$1")
	return "$bad"
}
LITS=$(log_literals)
[ "$(log_forms "$S/daemon/mftpd.8" | wc -l)" -ge 15 ] ||
	err "the log lines of mftpd.8 (LOGS, .It Li) not found"
out=$(check_logs "$S/daemon/mftpd.8") || err "$out"
echo "ok: $(log_forms "$S/daemon/mftpd.8" | wc -l) log lines of mftpd(8) are the code's"

# ------------------------------------------- the checks can fail at all
# A shipped configuration, or a page, whose default or range is not the
# code's.
sed 's/^#port = 2121$/#port = 2122/' "$S/etc/mftpd.conf" >"$T/conf-p"
sed 's/^The default is 900\.$/The default is 90./' \
    "$S/daemon/mftpd.conf.5" >"$T/conf-d.5"
sed 's/^The TCP port to listen on, 1 to 65535\.$/The TCP port, 1 to 65534./' \
    "$S/daemon/mftpd.conf.5" >"$T/conf-r.5"
for f in conf-p:etc/mftpd.conf conf-d.5:daemon/mftpd.conf.5 \
    conf-r.5:daemon/mftpd.conf.5; do
	cmp -s "$T/${f%%:*}" "$S/${f#*:}" &&
		err "could not change a default or range in a copy of ${f#*:}"
done
if check_defaults "$S/daemon/mftpd.conf.5" "$T/conf-p" >/dev/null; then
	err "the default check passed on a configuration with #port = 2122"
fi
if check_defaults "$T/conf-d.5" "$S/etc/mftpd.conf" >/dev/null; then
	err "the default check passed on a page whose idle_timeout is 90"
fi
if check_defaults "$T/conf-r.5" "$S/etc/mftpd.conf" >/dev/null; then
	err "the range check passed on a page whose port goes to 65534"
fi
# A transfer line without its size= field, a login failed line under
# another name.
sed '/^\.It Li transfer /s/ Li size= Ns Ar n//' "$S/daemon/mftpd.8" \
    >"$T/mftpd-l.8"
cmp -s "$T/mftpd-l.8" "$S/daemon/mftpd.8" &&
	err "could not take size= out of a copy of mftpd.8"
if check_logs "$T/mftpd-l.8" >/dev/null; then
	err "the log check passed on a transfer line without size="
fi
sed 's/^\.It Li login failed user=/.It Li login failure user=/' \
    "$S/daemon/mftpd.8" >"$T/mftpd-f.8"
cmp -s "$T/mftpd-f.8" "$S/daemon/mftpd.8" &&
	err "could not rename login failed in a copy of mftpd.8"
if check_logs "$T/mftpd-f.8" >/dev/null; then
	err "the log check passed on a 'login failure' line the code never logs"
fi
sed '/^\.It Cm shutdown_timeout/d' "$S/daemon/mftpd.conf.5" >"$T/conf.5"
if check_keys "$T/conf.5" "$S/etc/mftpd.conf" >/dev/null; then
	err "the key check passed on a page without shutdown_timeout"
fi
sed 's/^\.It Fl \\-remove-home$/.It Fl \\-remove-it/' "$S/admin/ftpuser.8" \
    >"$T/ftpuser.8"
cmp -s "$T/ftpuser.8" "$S/admin/ftpuser.8" &&
	err "could not take --remove-home out of a copy of ftpuser.8"
if check_page ftpuser-del "$S/admin/ftpuser_del.c" "$T/ftpuser.8" \
    ftpuser-del >/dev/null; then
	err "the option check passed on a page without --remove-home"
fi
# An option of one tool does not count for another.
if check_page ftpuser-add "$S/admin/ftpuser_del.c" "$S/admin/ftpuser.8" \
    ftpuser-add >/dev/null; then
	err "ftpuser-del's --remove-home counted as documented for ftpuser-add"
fi
# A usage without mftp's -n, a get that takes a -z the page does not
# describe, a page without lumask.
if [ -x "$top_builddir/mftp" ]; then
	usage=$("$top_builddir/mftp" -h 2>&1 | sed 's/\[-hnqrv\]/[-hqrv]/')
	if check_usage mftp "$S/client/mftp.c" "$usage" >/dev/null; then
		err "the usage check passed on a usage without -n"
	fi
fi
if check_cmds "$S/client/mftp.1" "get acrz" >/dev/null; then
	err "the command check passed on a get -z that mftp.1 does not describe"
fi
sed '/^\.It Ic lumask/s/lumask/lumusk/' "$S/client/mftp.1" >"$T/mftp-l.1"
cmp -s "$T/mftp-l.1" "$S/client/mftp.1" &&
	err "could not take lumask out of a copy of mftp.1"
if check_cmds "$T/mftp-l.1" "$cmds" >/dev/null; then
	err "the command check passed on mftp.1 without lumask"
fi
echo "ok: the checks fail on a missing option or key"

# ------------------------------------------------- package descriptions
# Every program a Debian package installs (debian/PKG.install) is named
# in that package's Description in debian/control, as apt show shows it.

# pkg_description PKG: the Description of PKG, its synopsis and text.
pkg_description() {
	awk -v p="$1" '
		/^Package: / { on = ($2 == p) }
		/^[A-Za-z-]+:/ { d = on && /^Description:/ }
		d' "$S/debian/control"
}

# check_descriptions CONTROL-TEXT-OF: one error per program not named.
check_descriptions() {
	local inst pkg desc prog bad=0
	for inst in "$S"/debian/*.install; do
		pkg=$(basename "$inst" .install)
		desc=$("$1" "$pkg")
		if [ -z "$desc" ]; then
			echo "debian/control has no Description of $pkg"
			bad=1
			continue
		fi
		for prog in $(grep -oE '^usr/(s?bin|libexec/[^/ ]+)/[^/ ]+' \
		    "$inst" | sed 's|.*/||'); do
			grep -qE "(^|[^a-z-])$prog([^a-z-]|\$)" <<<"$desc" &&
				continue
			echo "debian/control: $pkg installs $prog, which its Description does not name"
			bad=1
		done
	done
	return "$bad"
}
# ... and fails on a description that does not name mftpd-sign.
no_sign() { pkg_description "$1" | sed 's/mftpd-sign/the signer/g'; }
if [ -f "$S/debian/control" ]; then
	out=$(check_descriptions pkg_description) || err "$out"
	echo "ok: the packages' descriptions name the programs they install"
	if check_descriptions no_sign >/dev/null; then
		err "the description check passed on one without mftpd-sign"
	fi
else
	echo "# no debian/ (a release tarball): descriptions not checked"
fi

# ---------------------------------------------------------- systemd unit
if command -v systemd-analyze >/dev/null 2>&1; then
	if [ -x "$top_builddir/mftpd" ]; then
		# The unit as installed, but with the binary of this build.
		sed "s|/usr/sbin/mftpd|$top_builddir/mftpd|g" \
		    "$S/etc/mftpd.service" >"$T/mftpd.service"
		out=$(cd "$T" && systemd-analyze verify --man=no \
		    "$T/mftpd.service" 2>&1) ||
			err "systemd-analyze verify mftpd.service: $out"
		[ -z "$out" ] ||
			err "systemd-analyze verify mftpd.service says: $out"
		echo "ok: systemd-analyze verify mftpd.service"
	else
		echo "# mftpd is not built: the unit is not verified"
	fi
else
	echo "# no systemd-analyze: the unit is not verified"
fi

if [ "$errors" != 0 ]; then
	echo "FAIL: t_manpages: $errors problems" >&2
	exit 1
fi
echo "ok: t_manpages"
