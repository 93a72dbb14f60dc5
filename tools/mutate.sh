#!/usr/bin/env bash
# Mutation testing: do the tests notice when a behaviour breaks? Each mutant
# of tools/mutants.txt (a one-line source change) is applied, alone, to a
# scratch copy of this tree (never the tree itself), built, and the tests it
# names are run until one fails: the mutant is killed. One that no test
# kills survived: a behaviour can break unnoticed. Prints a table; exits
# non-zero when a mutant survived, did not build, or its line was not found.
#
#   tools/mutate.sh [ID...]          (make mutation: all of them)
#   tools/mutate.sh --build-only [ID...]
#                                    only apply and compile each (a minute):
#                                    a list gone stale fails at once
#
# Integration tests need root and run under the shared lock
# (/tmp/cbx-integration.lock), one test at a time, with the scratch copy's
# plain CLI; after each, the labs it may have left (a teardown mutant leaves
# them) are brought down with the CLI built before any mutant. Before the
# mutants, every test named is run once on the unchanged copy: a test that
# fails there would "kill" every mutant.
#
# MUTATION_LIST=FILE     another list (default tools/mutants.txt)
# MUTATION_KEEP=1        keep the scratch copy (its path is printed), with
#                        the output of the test that killed each mutant in
#                        logs/ID.log
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
list=${MUTATION_LIST:-$top/tools/mutants.txt}
lock=/tmp/cbx-integration.lock
test_timeout=900

die() { echo "mutate: $*" >&2; exit 2; }
[ -r "$list" ] || die "no mutant list $list"

# --- the list ------------------------------------------------------------------
ids=()
declare -A m_file=() m_find=() m_replace=() m_tests=() m_requires=()
parse_list() {
	local line key value id=""
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		[[ $line =~ ^([a-z]+):[[:space:]]*(.*)$ ]] || die "$list: cannot read: $line"
		key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
		case $key in
		id)
			id=$value
			[ -n "${m_file[$id]+x}" ] && die "$list: mutant $id is there twice"
			ids+=("$id") m_file[$id]="" m_find[$id]="" m_replace[$id]="" m_tests[$id]="" m_requires[$id]=""
			;;
		file | find | replace | tests | requires)
			[ -n "$id" ] || die "$list: \"$key\" before any \"id\""
			declare -n field=m_$key
			field[$id]=$value
			unset -n field
			;;
		*) die "$list: unknown key \"$key\" (mutant $id)" ;;
		esac
	done <"$list"
	for id in "${ids[@]}"; do
		[ -n "${m_file[$id]}" ] && [ -n "${m_find[$id]}" ] && [ -n "${m_tests[$id]}" ] ||
			die "$list: mutant $id needs file, find, replace and tests"
	done
}
parse_list

build_only=no
if [ "${1:-}" = --build-only ]; then
	build_only=yes
	shift
fi
selected=("$@")
[ ${#selected[@]} = 0 ] && selected=("${ids[@]}")
for id in "${selected[@]}"; do
	[ -n "${m_file[$id]+x}" ] || die "no mutant \"$id\" in $list"
done

# --- where they run ----------------------------------------------------------------
layout=v1
[ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && layout=v2
netem=no
if [ "$(id -u)" = 0 ] && ip netns add cbxt-mutnetem 2>/dev/null; then
	ip -n cbxt-mutnetem link set lo up
	tc -n cbxt-mutnetem qdisc add dev lo root netem delay 1ms 2>/dev/null && netem=yes
	ip netns del cbxt-mutnetem
fi
vlan_filtering=no
if [ "$(id -u)" = 0 ] && ip link add cbxt-mutvlan type bridge vlan_filtering 1 2>/dev/null; then
	ip link del cbxt-mutvlan
	vlan_filtering=yes
fi
applies() { # id: "" when it applies here, else why not
	case ${m_requires[$1]} in
	"") ;;
	cgroup-v1 | cgroup-v2) [ "cgroup-$layout" = "${m_requires[$1]}" ] || echo "cgroup $layout here" ;;
	netem) [ $netem = yes ] || echo "no netem here" ;;
	no-netem) [ $netem = no ] || echo "netem here" ;;
	frr) [ -x /usr/lib/frr/zebra ] || echo "FRR is not installed" ;;
	vlan-filtering) [ $vlan_filtering = yes ] || echo "no bridge VLAN filtering here" ;;
	no-vlan-filtering) [ $vlan_filtering = no ] || echo "bridge VLAN filtering here" ;;
	*) die "mutant $1: unknown requirement \"${m_requires[$1]}\"" ;;
	esac
}

scratch=$(mktemp -d /tmp/cbxt-mutation.XXXXXX)
# test_cli runs the copy's CLI as nobody too (commands that need no root):
# the copy is readable, as the tree it is a copy of.
chmod 755 "$scratch"
cleanup() {
	if [ -n "${MUTATION_KEEP:-}" ]; then echo "mutate: scratch copy kept in $scratch"
	else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The tree as it is (committed or not, without what git ignores) and its
# build, so that a mutant rebuilds only what it touches.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 cp -a --parents -t "$scratch") || die "copy the tree to $scratch"
	[ -d "$top/build" ] && cp -a "$top/build" "$scratch/build"
else
	cp -a "$top/." "$scratch/" || die "copy the tree to $scratch"
fi
cd "$scratch" || die "cd $scratch"

unit_targets() { # the unit programs the selected mutants name
	local id t
	for id in "${selected[@]}"; do
		for t in ${m_tests[$id]}; do
			[[ $t == unit:* ]] && echo "build/tests/${t#unit:}"
		done
	done | sort -u
}
compile_one() { # file: only its object, with the build's flags (-Werror)
	case $1 in
	*.c) make -s "build/obj/${1%.c}.o" >"$scratch/build.log" 2>&1 ;;
	*) build ;;
	esac
}
build() { # quietly: all, and the unit programs named
	make -s -j2 all $(unit_targets) >"$scratch/build.log" 2>&1
}

# Test labs the integration tests make, to bring down after each run.
lab_names=$( (grep -ohE '"name": *"[a-z0-9_]+"' tests/integration/*.sh topologies/*.json |
	sed -E 's/.*"([a-z0-9_]+)"$/\1/'; grep -ohE '\bstar t[a-z0-9_]+' tests/integration/*.sh |
	awk '{ print $2 }') | sort -u)
# shellcheck source=tests/integration/lab_tables.sh
source "$top/tests/integration/lab_tables.sh"
has_traces() { # lab: anything of it on this machine?
	[ -e "/run/cboxlab/$1" ] || ls /run/netns 2>/dev/null | grep -q "^$1-" ||
		ip -o link 2>/dev/null | grep -q ": $1-" ||
		[ -n "$(lab_tables "$1")" ] ||
		find /sys/fs/cgroup -maxdepth 4 -type d -name "cboxlab-$1" 2>/dev/null | grep -q .
}
# What a test left (a teardown mutant leaves it), of the labs that left no
# trace before it ran (anything else is not ours): down with the CLI built
# before any mutant, and the netns pins `down` leaves to their owners.
sweep_labs() { # labs that were clean before
	local lab ns
	for lab in "$@"; do
		has_traces "$lab" || continue
		"$scratch/pristine/cboxlab" down "$lab" >/dev/null 2>&1
		for ns in $(ls /run/netns 2>/dev/null | grep "^$lab-"); do
			ip netns del "$ns"
		done
		# Tables of a lab whose state is gone (a loss table at a port):
		# `down` finds nothing to go by.
		lab_tables_delete "$lab"
	done
}

# Time spent in tests, in ms: unit and schema tests whole, integration tests
# while they held the lock.
test_ms=0
run_test() { # test: 0 passes, else fails; its output in $scratch/test.log
	local t=$1 t0 rc
	t0=$(date +%s%N)
	rm -f "$scratch/held_ms"
	run_test_once "$t"
	rc=$?
	if [ -s "$scratch/held_ms" ]; then
		test_ms=$((test_ms + $(cat "$scratch/held_ms")))
	else
		test_ms=$((test_ms + ($(date +%s%N) - t0) / 1000000))
	fi
	return $rc
}

run_test_once() {
	local t=$1
	case $t in
	unit:*) timeout "$test_timeout" "build/tests/${t#unit:}" >"$scratch/test.log" 2>&1 ;;
	schema) CBOXLAB=$scratch/build/cboxlab timeout "$test_timeout" python3 tests/check_schema.py \
		>"$scratch/test.log" 2>&1 ;;
	integration:*)
		if [ "$(id -u)" != 0 ]; then
			echo "needs root" >"$scratch/test.log"
			return 77
		fi
		flock -n "$lock" true || echo "mutate: $t waits for $lock (another run holds it)" >&2
		# The time it held the lock, apart from the time it waited for it
		# (other developers' runs): what it costs on a machine of its own.
		# shellcheck disable=SC2016
		flock "$lock" bash -c 'held=$(date +%s%N) clean=()
			for lab in $lab_names; do has_traces "$lab" || clean+=("$lab"); done
			CBOXLAB=$1/build/cboxlab timeout '"$test_timeout"' tests/run integration "$2"
			rc=$?; sweep_labs "${clean[@]}"
			echo $(( ($(date +%s%N) - held) / 1000000 )) >"$1/held_ms"; exit $rc' \
			_ "$scratch" "${t#integration:}" >"$scratch/test.log" 2>&1 ;;
	*) die "unknown test \"$t\"" ;;
	esac
}
export -f sweep_labs has_traces lab_tables lab_tables_delete
export scratch lab_names

apply() { # id: put the mutant in; prints why not when it cannot
	python3 - "$scratch/${m_file[$1]}" "${m_find[$1]}" "${m_replace[$1]}" <<'EOF'
import re, sys
path, find, replace = sys.argv[1:]
try:
    lines = open(path).read().split("\n")
except OSError as e:
    sys.exit(f"cannot read {path}: {e.strerror}")
hits = [i for i, l in enumerate(lines) if re.search(find, l)]
if len(hits) != 1:
    sys.exit(f"/{find}/ matches {len(hits)} lines of {path}, not 1")
i = hits[0]
lines[i] = re.sub(find, lambda m: replace, lines[i], count=1)
open(path, "w").write("\n".join(lines))
EOF
}

# --- the unchanged copy builds, and so does each mutant -----------------------------------
start=$(date +%s)
echo "mutate: $list, ${#selected[@]} mutant(s), cgroup $layout, netem: $netem; scratch copy $scratch"
build || { cat "$scratch/build.log"; die "the unchanged tree does not build"; }
mkdir -p pristine logs && cp build/cboxlab pristine/cboxlab
# First every mutant is applied and compiled, without tests: a list gone stale
# (a line rewritten, a mutant that no longer compiles) shows in a minute or
# two, not after an hour of tests.
declare -A broken=()
for id in "${selected[@]}"; do
	file=${m_file[$id]}
	cp -p "$file" "$scratch/original"
	if ! msg=$(apply "$id" 2>&1); then
		broken[$id]=$msg
	elif ! compile_one "$file"; then
		broken[$id]="does not build: $(grep -m1 'error' "$scratch/build.log")"
	fi
	cp "$scratch/original" "$file" && touch "$file"
	[ -n "${broken[$id]+x}" ] && echo "mutate: $id: ERROR - ${broken[$id]}"
done
build || { cat "$scratch/build.log"; die "the tree does not build again after the mutants"; }
if [ $build_only = yes ]; then
	echo "mutate: $(( ${#selected[@]} - ${#broken[@]} )) of ${#selected[@]} mutants apply and build ($(( $(date +%s) - start )) s)"
	[ ${#broken[@]} = 0 ]
	exit
fi

# --- the unchanged copy passes every test named ----------------------------------------
declare -A baseline_done
for id in "${selected[@]}"; do
	[ -z "$(applies "$id")" ] || continue
	for t in ${m_tests[$id]}; do
		[ -n "${baseline_done[$t]+x}" ] && continue
		baseline_done[$t]=1
		ms0=$test_ms
		run_test "$t"
		rc=$?
		if [ $rc = 77 ]; then
			echo "mutate: baseline $t: skipped (needs root)"
		elif [ $rc != 0 ]; then
			tail -40 "$scratch/test.log"
			die "$t fails without any mutant: fix it first"
		else
			echo "mutate: baseline $t passes ($(( (test_ms - ms0) / 1000 )) s)"
		fi
	done
done

# --- each mutant, alone --------------------------------------------------------------
results=() bad=0
for id in "${selected[@]}"; do
	file=${m_file[$id]}
	why=$(applies "$id")
	if [ -n "$why" ]; then
		results+=("$(printf '%-28s %-10s %-24s %s' "$id" "n/a" "-" "$why")")
		continue
	fi
	if [ -n "${broken[$id]+x}" ]; then
		results+=("$(printf '%-28s %-10s %-24s %s' "$id" "ERROR" "-" "${broken[$id]}")")
		bad=1
		continue
	fi
	cp -p "$file" "$scratch/original"
	apply "$id" || die "mutant $id applied in the first pass but not now"
	verdict=SURVIVED by="-" note="" ms0=$test_ms b0=$(date +%s%N)
	build
	built=$?
	build_ms=$(( ($(date +%s%N) - b0) / 1000000 ))
	if [ $built != 0 ]; then
		verdict=ERROR note="does not build: $(grep -m1 'error' "$scratch/build.log")"
	else
		for t in ${m_tests[$id]}; do
			run_test "$t"
			rc=$?
			if [ $rc = 77 ]; then
				note="$t skipped (needs root)"
			elif [ $rc != 0 ]; then
				verdict=killed by=$t
				more=$(($(grep -c '^not ok' "$scratch/test.log") - 1))
				note="$(grep -m1 '^not ok' "$scratch/test.log" | cut -c1-64)"
				[ $more -gt 0 ] && note+=" (+$more more)"
				cp "$scratch/test.log" "$scratch/logs/$id.log"
				break
			fi
		done
	fi
	# Back as it was, newer than what the mutant built, for the next build.
	cp "$scratch/original" "$file" && touch "$file"
	[ $verdict = killed ] || bad=1
	results+=("$(printf '%-28s %-10s %-24s %4ss  %s' "$id" "$verdict" "$by" \
		"$(( (build_ms + test_ms - ms0) / 1000 ))" "$note")")
	echo "mutate: $id: $verdict $by $note"
done

echo
printf '%-28s %-10s %-24s %s\n' MUTANT RESULT "KILLED BY" "TIME  FIRST FAILURE (TIME: build and tests, not lock waits)"
printf '%s\n' "${results[@]}"
killed=$(printf '%s\n' "${results[@]}" | awk '$2 == "killed"' | wc -l)
na=$(printf '%s\n' "${results[@]}" | awk '$2 == "n/a"' | wc -l)
total=$(($(date +%s) - start))
echo "$killed of $((${#selected[@]} - na)) applicable mutants killed ($na not applicable here);" \
	"$total s in all, $((test_ms / 1000)) s of them in tests (the rest: builds, and waiting for" \
	"the integration lock)"
exit $bad
