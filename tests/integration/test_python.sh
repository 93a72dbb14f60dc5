# The Python package (python/) against real labs: its own pytest suite and
# the examples' (`python3 -m pytest python/tests examples -q`: examples/
# redis-sentinel shows Redis losing acknowledged writes; skipped without
# Debian's redis-server), each pytest test one TAP result here
# (so the runner's summary counts them), then every lab it made checked for
# leftovers. Needs python3-pytest (make deps).
source "$(dirname "$0")/lib.sh"

# The labs python/tests make (named "tp*"): brought down by lib.sh's cleanup
# if pytest dies half-way, and checked below.
labs=(tpcm tpsigint tpsigterm tpbad tpmeth tpfixf tpfixg tpfixd tpclock tpdisk tpvol tpredis)
_labs+=("${labs[@]}")

py=""
for cand in python3 /usr/bin/python3; do
	if command -v "$cand" >/dev/null && "$cand" -c 'import pytest' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -z "$py" ]; then
	skip "python/tests" "python3-pytest is not installed (make deps)"
	finish
	exit 0
fi

export CBOXLAB
cd "$TOP" || exit 1
# Its output as TAP comments; its results from the JUnit XML it writes.
# An installed package's plugin is left out: this checkout's is tested.
"$py" -m pytest python/tests examples -q -p no:cacheprovider -p no:cboxlab --junitxml="$TMP/python.xml" 2>&1 |
	sed 's/^/# /'
rc=${PIPESTATUS[0]}

# One TAP line per test case: "R NAME<TAB>REASON", R one of p f s.
results=$("$py" - "$TMP/python.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    sys.exit(f"no results: {e}")
for case in root.iter("testcase"):
    name = f"{case.get('classname', '')}::{case.get('name')}".replace("python.tests.", "").replace("examples.", "")
    bad = case.find("failure") if case.find("failure") is not None else case.find("error")
    skipped = case.find("skipped")
    if bad is not None:
        print(f"f {name}\t{(bad.get('message') or '').splitlines()[0][:200] if bad.get('message') else ''}")
    elif skipped is not None:
        print(f"s {name}\t{(skipped.get('message') or 'skipped').splitlines()[0][:200]}")
    else:
        print(f"p {name}\t")
PY
)
n_results=0
while IFS=$'\t' read -r head reason; do
	[ -z "$head" ] && continue
	n_results=$((n_results + 1))
	case ${head%% *} in
	p) ok "python: ${head#* }" ;;
	s) skip "python: ${head#* }" "$reason" ;;
	*) not_ok "python: ${head#* }" "$reason" ;;
	esac
done <<<"$results"
# pytest's own verdict counts too: an error outside any test (a conftest
# that does not import, no test collected) is a failure.
if [ "$rc" = 0 ] && [ "$n_results" -gt 0 ]; then
	ok "python: pytest exits 0 with $n_results tests"
else
	not_ok "python: pytest exits 0 with $n_results tests" "exit status $rc"
fi

for lab in "${labs[@]}"; do
	left=$(leftovers "$lab")
	if [ -z "$left" ]; then
		ok "python: lab $lab left nothing behind"
	else
		not_ok "python: lab $lab left nothing behind" "left behind:$left"
	fi
done
finish
