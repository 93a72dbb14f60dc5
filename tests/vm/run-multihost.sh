#!/bin/bash
# make test-multihost: a lab over two hosts, each a qemu guest booting Debian's stock kernel
# with the test-VM machinery (tests/vm/run-vm.sh: the host's / read-only over 9p), joined by
# one virtual Ethernet (qemu's socket netdev over loopback TCP: guest a listens, guest b
# connects). Each guest runs tests/vm/multihost-guest.sh for its part of
# tests/vm/multihost.json: up --host, ping, TCP and a partition across, down leaving nothing.
#
#   tests/vm/run-multihost.sh     (as root; run it under the integration lock, like make check:
#                                  flock /tmp/cbx-integration.lock make test-multihost)
#
# Results: build/vm-multihost/{a,b}/v2-results.txt and .../v2-console.log (each guest's);
# exit status 0 when both guests reported rc=0. Under tcg both guests share this machine's
# CPUs: expect minutes. Settings: those of run-vm.sh (CBX_VM_MEM defaults to 1024 here,
# CBX_VM_TIMEOUT to 1500, CBX_VM_SMOKE to 0; the cgroup layout is v2).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PROJECT_DIR=$(cd "$SCRIPT_DIR/../.." && pwd -P)
out=${CBX_VM_OUT:-$PROJECT_DIR/build/vm-multihost}
port=$((20000 + RANDOM % 20000))
export CBX_VM_SMOKE=${CBX_VM_SMOKE:-0} CBX_VM_MEM=${CBX_VM_MEM:-1024}
export CBX_VM_TIMEOUT=${CBX_VM_TIMEOUT:-1500} CBX_VM_EXTRA_MODULES="virtio_net"

log() { printf 'run-multihost: %s\n' "$*" >&2; }

# romfile=: no option ROM (the guest boots from -kernel; the ROM may not be installed).
nic() { # mac socket-option
	echo "-netdev socket,id=ul,$2 -device virtio-net-pci,netdev=ul,mac=$1,romfile="
}

guest() { # role socket-option
	mkdir -p "$out/$1"
	CBX_VM_OUT=$out/$1 CBX_VM_NIC=$(nic "52:54:00:cb:00:0$1" "$2") \
		CBX_VM_SUITE="tests/vm/multihost-guest.sh $1" \
		"$SCRIPT_DIR/run-vm.sh" v2 >"$out/$1.log" 2>&1
}

rm -rf "$out"
mkdir -p "$out"
t0=$SECONDS
guest a "listen=127.0.0.1:$port" &
pid_a=$!
# b connects once a's qemu listens (a builds its initramfs first).
for _ in $(seq 1 600); do
	ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
	kill -0 "$pid_a" 2>/dev/null || break
	sleep 0.5
done
guest b "connect=127.0.0.1:$port" &
pid_b=$!
rc_a=0 rc_b=0
wait "$pid_a" || rc_a=$?
wait "$pid_b" || rc_b=$?
log "both guests done in $((SECONDS - t0)) s: a rc=$rc_a, b rc=$rc_b"
for r in a b; do
	echo "== guest $r ($out/$r.log, console $out/$r/v2-console.log)"
	cat "$out/$r/v2-results.txt" 2>/dev/null || echo "(no results)"
done
[ "$rc_a" = 0 ] && [ "$rc_b" = 0 ]
