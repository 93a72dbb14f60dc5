# The labs' state root is the caller's: CBOXLAB_STATE_ROOT puts a lab's
# state (its tmpfs, its lock) somewhere else than /run/cboxlab, every
# command finds the lab there, and the default root never sees it.
source "$(dirname "$0")/lib.sh"

root=$TMP/state
sr() { CBOXLAB_STATE_ROOT=$root "$CBOXLAB" "$@"; }
trap 'sr down troot >/dev/null 2>&1; _cleanup' EXIT

f=$(topo troot <<'EOF2'
{ "name": "troot", "networks": { "n": { "subnet": "10.97.0.0/24" } },
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } } },
             "b": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
check_ok "up with another state root" 'lab troot is up' sr up "$f"
check_ok "the lab's state and lock are under it" '^yes$' \
	bash -c "[ -d '$root/troot/nodes' ] && [ -e '$root/troot.lock' ] && echo yes"
check_ok "and not in /run/cboxlab" '^absent$' bash -c "[ -e /run/cboxlab/troot ] || echo absent"
check_ok "ls with that root lists it" '^troot +up +2$' sr ls
check_ok_without "ls with the default root does not" '^troot ' cbx ls
check_ok "status finds its nodes" 'b +running' sr status troot
check_ok "exec reaches a node, which reaches the other by name" '1 packets received' \
	sr exec troot a ping -c 1 -W 2 b
check_ok "a fault finds the lab's lock and record there" '^node b paused$' sr pause troot b
check_ok "status shows it from the record" 'fault: paused: b' sr status troot
check_ok "and resume" '^node b resumed$' sr resume troot b
check_exit "a relative state root is refused" 2 'CBOXLAB_STATE_ROOT: the state root "rel" is not an absolute path' \
	env CBOXLAB_STATE_ROOT=rel "$CBOXLAB" ls
check_ok "down with that root" '^lab troot is down$' sr down troot
check_ok "leaves nothing under it, the root itself gone with the last lab" '^gone$' \
	bash -c "[ -e '$root' ] || echo gone"
left="$(grep "$root" /proc/mounts)$(leftovers troot)"
if [ -z "$left" ]; then ok "nor anywhere else"; else not_ok "nor anywhere else" "left behind: $left"; fi
finish
