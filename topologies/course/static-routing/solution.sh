#!/bin/sh
# The teacher's solution of the static routing lab, applied to the running
# lab: ./solution.sh [LAB] (default "static"). Then `cboxlab check LAB`
# passes. r1 and r3 are stubs (one way out): a default route each; r2 is in
# the middle and needs a route per side.
set -e
lab=${1:-static}
cbx=${CBOXLAB:-cboxlab}
$cbx exec "$lab" r1 -- ip route add default via 10.41.12.2
$cbx exec "$lab" r3 -- ip route add default via 10.41.23.1
$cbx exec "$lab" r2 -- ip route add 10.41.1.0/24 via 10.41.12.1
$cbx exec "$lab" r2 -- ip route add 10.41.3.0/24 via 10.41.23.2
