# shellcheck shell=bash
# The host's nftables tables named for a lab: its own (cboxlab-LAB), its
# VLANs' (cboxlab-vlan-LAB-*) and the loss tables at its ports
# (cboxlab-loss-LAB-*). Sourced by lib.sh (the tests' cleanup) and
# tools/mutate.sh (its sweep after each test): a `down` that failed, or a
# run killed midway, can leave them, and a later run would find a port of
# the same name losing frames.

lab_tables() { # lab: prints "FAMILY TABLE" per table
	nft list tables 2>/dev/null | awk -v lab="$1" '$3 == "cboxlab-" lab ||
		index($3, "cboxlab-vlan-" lab "-") == 1 || index($3, "cboxlab-loss-" lab "-") == 1 {
		print $2, $3 }'
}

lab_tables_delete() { # lab
	lab_tables "$1" | while read -r family table; do
		nft delete table "$family" "$table"
	done
}
