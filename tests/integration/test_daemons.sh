#!/bin/bash
# Daemons that just run (issue 16): the startup command's fate in `status`
# (exited N, killed by SIG, OOM-killed, restarts), `up` failing when a
# command dies before the lab is up, "restart", and "ready" checks that
# `up` waits for. And what a node could try through them: init's fate file
# and the console log are the node's only ways to the host's state, and
# neither gives it anything.
source "$(dirname "$0")/lib.sh"

# Labs whose `up` should fail: brought down at the end should it not.
_labs+=(tdexit tdoomup tdnotready tdnoport tdflood)
# "storage": "disk" layers go under the test's own folder, not /var/lib.
export CBOXLAB_DISK_ROOT=$TMP/disk

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# command_of LAB NODE: "NODE: " and the command line status shows under the
# node ("command: exited 3 at ..."), or "NODE: no command line"; fails as
# status does.
command_of() {
	local out rc
	out=$(cbx status "$1" 2>&1)
	rc=$?
	awk -v n="$2" '$1 == n { found = 1; if ((getline line) > 0 && line ~ /^    command: /) {
		sub(/^    /, "", line); print n ": " line } else print n ": no command line" }
		END { if (!found) print n ": not in status" }' <<<"$out"
	return $rc
}

# wait_command NAME PATTERN LAB NODE: the node's command line matches
# PATTERN within 10 s (scaled); polled, a command's end being the node's
# business.
wait_command() {
	local name=$1 pattern=$2 lab=$3 node=$4 out rc i
	for i in $(seq $((100 * TIME_SCALE))); do
		out=$(command_of "$lab" "$node")
		rc=$?
		[ $rc = 0 ] && grep -Eq -- "$pattern" <<<"$out" && break
		sleep 0.1
	done
	check_ok "$name" "$pattern" replay "$out" $rc
}

# check_logs NAME PATTERN LAB NODE: the node's log has a line matching
# PATTERN within a bound. What the node writes (its syslog relayed by its
# init, its command's next run) may land a moment after the step that
# caused it has returned.
check_logs() {
	for _ in $(seq $((50 * TIME_SCALE))); do
		"$CBOXLAB" logs "$3" "$4" 2>/dev/null | grep -Eq -- "$2" && break
		sleep 0.1
	done
	check_ok "$1" "$2" cbx logs "$3" "$4"
}

# --- a command that dies before the lab is up fails `up` ----------------------

f=$(topo tdexit <<'EOF2'
{
  "name": "tdexit",
  "nodes": {
    "a": { "cmd": "echo boom; echo second words >&2; exit 3",
           "ready": { "cmd": "test -e /never", "timeout": "20s" } },
    "b": { "cmd": "sleep 600" }
  }
}
EOF2
)
t0=$(date +%s%N)
out=$(cbx up "$f" 2>&1)
rc=$?
ms=$(ms_since "$t0")
check_fails_with "up fails when a's command exits 3, naming the node, the status and its last output" \
	'node a: its startup command exited 3 before the lab was up; its last output: "boom" \| "second words"' \
	replay "$out" $rc
if [ $rc != 0 ] && [ "$ms" -lt "$(scaled 5000)" ]; then ok "it fails at once, not at the ready timeout (${ms} ms)"
else not_ok "it fails at once, not at the ready timeout" "took ${ms} ms"; fi
left=$(leftovers tdexit)
if [ -z "$left" ]; then ok "the failed up leaves nothing"; else not_ok "the failed up leaves nothing" "$left"; fi

f=$(topo tdoomup <<'EOF2'
{
  "name": "tdoomup",
  "nodes": { "m": { "cmd": "exec tail /dev/zero", "limits": { "memory": "16M" },
                    "ready": { "cmd": "false", "timeout": "20s" } } }
}
EOF2
)
check_fails_with "up fails when the command is OOM-killed before the lab is up" \
	'node m: its startup command was OOM-killed \(limits.memory\) before the lab was up' cbx up "$f"

# --- the command's fate in status ---------------------------------------------

# Each command waits for a go from the test, so that it ends after `up`.
f=$(topo tdfate <<'EOF2'
{
  "name": "tdfate",
  "defaults": { "limits": { "memory": "24M" } },
  "nodes": {
    "ex": { "cmd": "until [ -e /tmp/go ]; do sleep 0.05; done; echo bye; exit 3" },
    "sig": { "cmd": "exec sleep 600" },
    "oom": { "cmd": "until [ -e /tmp/go ]; do sleep 0.05; done; exec tail /dev/zero" },
    "run": { "cmd": "sleep 600" },
    "none": { }
  }
}
EOF2
)
lab_up "$f" >/dev/null
check_ok "status: a command that runs shows running, with its start time" \
	'^run: command: running since 20[0-9-]+T[0-9:.]+Z$' command_of tdfate run
check_ok "status: a node without a command shows no command line" \
	'^none: no command line$' command_of tdfate none
in_node tdfate ex touch /tmp/go
wait_command "status: a command that exits 3 shows exited 3, with the time" \
	'^ex: command: exited 3 at 20[0-9-]+T[0-9:.]+Z$' tdfate ex
check_ok "status --json: state exited, exit_code 3" '"state": "exited",.*"exit_code": 3' \
	sh -c "'$CBOXLAB' status tdfate --json | python3 -c 'import json,sys; print(json.dumps(next(n for n in json.load(sys.stdin)[\"nodes\"] if n[\"name\"] == \"ex\")[\"command\"]))'"
in_node tdfate sig sh -c 'kill -SEGV $(pidof sleep)'
wait_command "status: a command killed by a signal shows killed by SIGSEGV" \
	'^sig: command: killed by SIGSEGV at ' tdfate sig
in_node tdfate oom touch /tmp/go
wait_command "status: a command the OOM killer takes shows OOM-killed" \
	'^oom: command: OOM-killed at ' tdfate oom
check_ok "status --json: OOM-killed with its signal" '"state": "OOM-killed".*"signal": "SIGKILL"' \
	sh -c "'$CBOXLAB' status tdfate --json | python3 -c 'import json,sys; print(json.dumps(next(n for n in json.load(sys.stdin)[\"nodes\"] if n[\"name\"] == \"oom\")[\"command\"]))'"

# Attacks. The fate file is init's: opened before it pivots, a file (never
# a directory of the host's), close-on-exec. A process of the node may see
# it in /proc/1/fd (it has SYS_PTRACE) and reopen it: it can then forge its
# own node's command line and nothing more, and status reads one fate line
# at most and refuses anything else.
check_ok "PID 1's descriptors lead to nothing but its log and fate file" '^$' \
	in_node tdfate run sh -c 'for f in /proc/1/fd/*; do readlink $f; done | grep -v -e "^/dev/null$" -e "^anon_inode" -e "^socket:" -e "/console.log$" -e "/fate$" || true'
check_fails_with "the fate file is no way to its directory" 'Not a directory' \
	in_node tdfate run ls /proc/1/fd/4/../
check_ok_without "the node's command does not inherit the fate file" 'fate' \
	in_node tdfate run sh -c 'ls -l /proc/$(pidof sleep)/fd/'
in_node tdfate run sh -c 'printf "exited 3 1 0\n\033[2Jgarbage" >/proc/1/fd/4'
check_ok "status survives a node writing garbage to its fate file (no command shown for it)" \
	'^run: no command line$' command_of tdfate run
check_ok_without "and prints none of the garbage" $'\033' cbx status tdfate
in_node tdfate run sh -c 'dd if=/dev/zero of=/proc/1/fd/4 bs=1M count=64 2>/dev/null; exit 0'
check_ok "status survives a node writing 64 MB to its fate file" '^ex: command: exited 3' \
	command_of tdfate ex
size=$(stat -c %s /run/cboxlab/tdfate/nodes/run/fate)
if [ "$size" -lt $((30 << 20)) ]; then ok "the fate file stays within the node's memory limit (${size} bytes)"
else not_ok "the fate file stays within the node's memory limit" "${size} bytes"; fi
# The console log is on the lab's tmpfs, charged to the node's memory: a
# node cannot fill the host's memory with it past its limit.
in_node tdfate run sh -c 'dd if=/dev/zero of=/proc/1/fd/1 bs=1M count=64 2>/dev/null; exit 0'
size=$(stat -c %s /run/cboxlab/tdfate/nodes/run/console.log)
if [ "$size" -lt $((30 << 20)) ]; then ok "a node's console stays within its memory limit (${size} bytes)"
else not_ok "a node's console stays within its memory limit" "${size} bytes"; fi
check_down_clean "tdfate: nothing left after down" tdfate

# --- restart ------------------------------------------------------------------

f=$(topo tdrestart <<'EOF2'
{
  "name": "tdrestart",
  "nodes": {
    "crash": { "cmd": "echo run; exit 2", "restart": "on-failure" },
    "fine": { "cmd": "echo done; exit 0", "restart": "on-failure" },
    "again": { "cmd": "echo again; exit 0", "restart": "always" }
  }
}
EOF2
)
check_ok "up succeeds with crashing commands that restart" 'lab tdrestart is up' lab_up "$f"
wait_command "restart on-failure brings a crashing command back, counted in status" \
	'^crash: command: (running since|exited 2 at) .* \(restarted [2-9] times\)$' tdrestart crash
# Status counts a restart once the command starts again; its "run" may
# come a moment later.
count_runs() { "$CBOXLAB" logs tdrestart crash | grep -c '^run$'; }
for _ in $(seq $((50 * TIME_SCALE))); do [ "$(count_runs)" -ge 3 ] && break; sleep 0.1; done
check_ok "the command ran again each time (its log)" '^[3-9]$' count_runs
check_ok "with a growing backoff (its log)" 'restarting it in 100 ms' cbx logs tdrestart crash
check_ok "with a growing backoff (its log)" 'restarting it in 200 ms' cbx logs tdrestart crash
wait_command "restart always restarts a command that exited 0" \
	'^again: command: .*\(restarted [1-9] times\)$' tdrestart again
check_ok "on-failure leaves a command that exited 0 alone" '^fine: command: exited 0 at [^(]*$' \
	command_of tdrestart fine
check_down_clean "tdrestart: nothing left after down" tdrestart

# --- ready --------------------------------------------------------------------

f=$(topo tdready <<'EOF2'
{
  "name": "tdready",
  "nodes": {
    "web": { "cmd": "sleep 0.8; exec httpd -f -p 8080", "ready": "tcp:8080" },
    "file": { "cmd": "sleep 0.5; touch /tmp/ok; exec sleep 600",
              "ready": { "cmd": "test -e /tmp/ok", "timeout": "10s" } }
  }
}
EOF2
)
t0=$(date +%s%N)
out=$(lab_up "$f" 2>&1)
rc=$?
ms=$(ms_since "$t0")
check_ok "up with ready checks succeeds" 'lab tdready is up' replay "$out" $rc
if [ $rc = 0 ] && [ "$ms" -ge 800 ] && [ "$ms" -lt "$(scaled 5000)" ]; then
	ok "up waited for the server that listens after 0.8 s (${ms} ms)"
else not_ok "up waited for the server that listens after 0.8 s" "took ${ms} ms"; fi
check_ok "web listens on 8080 once up has returned" ':8080 ' in_node tdready web netstat -ltn
check_ok "file's check passes once up has returned" '^$' in_node tdready file test -e /tmp/ok
check_down_clean "tdready: nothing left after down" tdready

f=$(topo tdnotready <<'EOF2'
{
  "name": "tdnotready",
  "nodes": {
    "slow": { "cmd": "sleep 600", "ready": { "cmd": "echo still starting; false", "timeout": "1s" } },
    "ok": { "cmd": "sleep 600" }
  }
}
EOF2
)
t0=$(date +%s%N)
out=$(cbx up "$f" 2>&1)
rc=$?
ms=$(ms_since "$t0")
check_fails_with "a ready timeout fails up, naming the node and the check's last output" \
	'node slow is not ready: its check \(echo still starting; false\) did not pass within 1 s; it last said: "still starting"' \
	replay "$out" $rc
if [ $rc != 0 ] && [ "$ms" -ge 1000 ] && [ "$ms" -lt "$(scaled 4000)" ]; then ok "it waited its timeout, no more (${ms} ms)"
else not_ok "it waited its timeout, no more" "took ${ms} ms"; fi
left=$(leftovers tdnotready)
if [ -z "$left" ]; then ok "the failed up leaves nothing"; else not_ok "the failed up leaves nothing" "$left"; fi

f=$(topo tdnoport <<'EOF2'
{ "name": "tdnoport", "nodes": { "b": { "cmd": "sleep 600", "ready": { "tcp": 9, "timeout": "500ms" } } } }
EOF2
)
check_fails_with "a tcp ready check that times out names the port" \
	'node b is not ready: nothing listens on TCP port 9 after 0.5 s' cbx up "$f"
left=$(leftovers tdnoport)
if [ -z "$left" ]; then ok "the failed up leaves nothing"; else not_ok "the failed up leaves nothing" "$left"; fi

# A check that writes without end: up's message stays short.
f=$(topo tdflood <<'EOF2'
{ "name": "tdflood", "nodes": { "a": { "cmd": "sleep 600",
  "ready": { "cmd": "head -c 20000000 /dev/zero | tr '\\0' x; false", "timeout": "300ms" } } } }
EOF2
)
out=$(cbx up "$f" 2>&1)
rc=$?
if [ $rc != 0 ] && [ ${#out} -lt 3000 ] && grep -q 'node a is not ready' <<<"$out"; then
	ok "a check flooding its output cannot flood up's message (${#out} bytes)"
else not_ok "a check flooding its output cannot flood up's message" "exit $rc, ${#out} bytes"; fi

# --- logs -f and the node's syslog socket --------------------------------------

f=$(topo tdlogs <<'EOF2'
{
  "name": "tdlogs",
  "nodes": { "a": { "cmd": "echo first; until [ -e /tmp/go ]; do sleep 0.05; done; echo second-line; exec sleep 600" },
             "h": { "base": "host", "cmd": "sleep 600" } }
}
EOF2
)
lab_up "$f" >/dev/null
"$CBOXLAB" logs -f tdlogs a >"$TMP/follow.out" 2>&1 &
follower=$!
for i in $(seq $((50 * TIME_SCALE))); do grep -q first "$TMP/follow.out" && break; sleep 0.1; done
in_node tdlogs a touch /tmp/go
for i in $(seq $((50 * TIME_SCALE))); do grep -q second-line "$TMP/follow.out" && break; sleep 0.1; done
check_ok "logs -f shows what the node writes after it started" '^second-line$' cat "$TMP/follow.out"
if kill -0 "$follower" 2>/dev/null; then ok "logs -f keeps following"; else not_ok "logs -f keeps following" "it ended"; fi
check "logger in a node" in_node tdlogs a logger -t tdtag "hello from syslog"
check_logs "a syslog message from logger in a node appears in cboxlab logs" \
	'^syslog: .*tdtag.*: hello from syslog$' tdlogs a
check "logger in a host-base node" in_node tdlogs h logger -t tdhost "host base says hi"
check_logs "and in a host-base node" '^syslog: .*tdhost.*host base says hi$' tdlogs h
# What a node sends its syslog socket is one bounded line of its log: no
# control bytes (a terminal's escapes), no line longer than a message.
in_node tdlogs a sh -c 'logger -t tdesc "$(printf "a\033[2Jb\nc")"; logger -t tdbig "$(head -c 9000 /dev/zero | tr "\0" y)"'
check_logs "both messages are in the log" 'tdbig' tdlogs a
check_ok_without "syslog messages carry no control bytes into the log" $'\033' cbx logs tdlogs a
check_ok "a huge syslog message is cut to one line of at most 2 KiB" '^1$' \
	sh -c "'$CBOXLAB' logs tdlogs a | grep tdbig | awk 'length(\$0) <= 2100' | wc -l"
check_ok "the syslog socket is a socket of the node's own /dev" '^srw-rw-rw-.* /dev/log$' \
	in_node tdlogs a ls -l /dev/log
check_ok "PID 1's descriptors still lead to nothing but its log and fate file" '^$' \
	in_node tdlogs a sh -c 'for f in /proc/1/fd/*; do readlink $f; done | grep -v -e "^/dev/null$" -e "^anon_inode" -e "^socket:" -e "/console.log$" -e "/fate$" || true'

# --- /run in a host-base node, as the host's tmpfiles.d makes it ---------------

# A folder the host declares (d, under /run, an owner that exists here).
want=$(cat /usr/lib/tmpfiles.d/*.conf /etc/tmpfiles.d/*.conf 2>/dev/null |
	awk '$1 == "d" && $2 ~ /^\/run\/[a-z]+$/ && $3 ~ /^[0-7]+$/ && $4 ~ /^[a-z]/ { print $2, $3, $4 }' |
	while read -r path mode user; do getent passwd "$user" >/dev/null && echo "$path $((8#$mode)) $user" && break; done)
if [ -n "$want" ]; then
	read -r path mode user <<<"$want"
	check_ok "/run in a host-base node holds the host's tmpfiles.d folder $path (mode, owner)" \
		"^$(printf %o "$mode") $user\$" in_node tdlogs h stat -c '%a %U' "$path"
	check_ok "and /var/run leads there too" "^$(printf %o "$mode") $user\$" in_node tdlogs h stat -c '%a %U' "/var$path"
	check_fails_with "a busybox node's /run has none of the host's folders" 'No such file' \
		in_node tdlogs a stat "$path"
else
	skip "/run in a host-base node holds the host's tmpfiles.d folders" "the host declares no d /run/NAME line with a known owner"
fi
check_down_clean "tdlogs: nothing left after down" tdlogs
for i in $(seq $((30 * TIME_SCALE))); do kill -0 "$follower" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$follower" 2>/dev/null; then
	not_ok "logs -f ends when the lab goes down" "still running"
	kill "$follower"
else ok "logs -f ends when the lab goes down"; fi

# --- storage: disk ------------------------------------------------------------

f=$(topo tdisk <<'EOF2'
{
  "name": "tdisk",
  "defaults": { "limits": { "memory": "32M" } },
  "nodes": { "d": { "storage": "disk", "cmd": "sleep 600" }, "m": { "cmd": "sleep 600" } }
}
EOF2
)
lab_up "$f" >/dev/null
# Where the test's disk root is itself in memory (the stock-kernel VM's /tmp),
# "disk" is RAM too and a write past the limit is the OOM killer's.
fs=$(stat -f -c %T "$TMP")
if [ "$fs" = tmpfs ] || [ "$fs" = ramfs ]; then
	for t in "storage disk: a node writes 64 MB past its 32M memory limit" "the file is whole" \
		"it is on disk, in the lab's folder there"; do
		skip "$t" "the disk root $TMP is on $fs, in memory"
	done
else
	check "storage disk: a node writes 64 MB past its 32M memory limit" \
		in_node tdisk d dd if=/dev/zero of=/big bs=1M count=64
	check_ok "the file is whole" '^67108864$' in_node tdisk d stat -c %s /big
	check_ok "it is on disk, in the lab's folder there" '^67108864$' stat -c %s "$TMP/disk/tdisk/d/upper/big"
fi
check_ok "the lab's folder on disk is root's alone" '^700$' stat -c %a "$TMP/disk/tdisk"
if in_node tdisk m dd if=/dev/zero of=/big bs=1M count=64 >/dev/null 2>&1; then
	not_ok "the same write in a memory-storage node fails" "dd succeeded"
else ok "the same write in a memory-storage node fails"; fi
check_down_clean "tdisk: nothing left after down" tdisk
if [ -e "$TMP/disk/tdisk" ]; then not_ok "down removes the lab's folder on disk" "$(ls -la "$TMP/disk")"
else ok "down removes the lab's folder on disk"; fi

finish
