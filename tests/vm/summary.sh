#!/bin/bash
# Prints one table of the integration results on every kernel the suite ran on:
#
#   tests/vm/summary.sh [--strict] [LABEL=FILE ...]
#
# Default columns: native=build/native-results.txt, vm-v2=build/vm/v2-results.txt and
# vm-v1=build/vm/v1-results.txt. Each file has lines `pass NAME`, `fail NAME` or
# `skip NAME REASON` (what tests/run writes to $CBX_RESULTS). A missing file is shown as a
# column of `n/a`. Tests skipped in every run that has them are listed at the end, with their
# reasons, so a reader sees whether anything is tested nowhere. --strict: exit 1 if there is any.
set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

strict=0
if [[ ${1:-} == --strict ]]; then
	strict=1
	shift
fi
if (($# == 0)); then
	set -- "native=$PROJECT_DIR/build/native-results.txt" \
		"vm-v2=$PROJECT_DIR/build/vm/v2-results.txt" \
		"vm-v1=$PROJECT_DIR/build/vm/v1-results.txt"
fi

labels=()
files=()
for arg in "$@"; do
	[[ $arg == *=* ]] || { echo "usage: $0 [--strict] [LABEL=FILE ...]" >&2; exit 2; }
	labels+=("${arg%%=*}")
	files+=("${arg#*=}")
done

# The awk program gets `label<TAB>file<TAB>present` per column, then each file's contents
# tagged with its column number.
columns() {
	local i present
	for i in "${!labels[@]}"; do
		present=0
		[[ -r ${files[$i]} ]] && present=1
		printf 'C\t%s\t%s\t%s\n' "${labels[$i]}" "${files[$i]}" "$present"
	done
	for i in "${!labels[@]}"; do
		[[ -r ${files[$i]} ]] || continue
		sed "s/^/R\t$i\t/" "${files[$i]}"
	done
}

columns | awk -F'\t' -v strict="$strict" '
	BEGIN { ncol = 0; ntest = 0; nn = 0; nrec = 0 }
	$1 == "C" { label[ncol] = $2; file[ncol] = $3; present[ncol] = $4; ncol++; next }
	$1 == "R" {
		line = $0
		sub(/^R\t[0-9]+\t/, "", line)
		if (!match(line, /^(pass|fail|skip) /)) next
		rcol[nrec] = $2
		rstatus[nrec] = substr(line, 1, 4)
		rrest[nrec] = substr(line, 6)
		nrec++
		next
	}
	# tests/run writes a skip as "skip NAME<TAB>REASON" (NAME may hold spaces).
	function split_skip(rest,    i) {
		if ((i = index(rest, "\t")) == 0) {
			skip_name = rest; skip_reason = ""
			return
		}
		skip_name = substr(rest, 1, i - 1)
		skip_reason = substr(rest, i + 1)
	}
	END {
		for (r = 0; r < nrec; r++) {
			name = rrest[r]
			if (rstatus[r] == "skip") {
				split_skip(name)
				name = skip_name
				why[name, rcol[r]] = skip_reason
			}
			if (!(name in seen)) { seen[name] = 1; order[ntest++] = name }
			status[name, rcol[r]] = rstatus[r]
		}
		width = 4
		for (i = 0; i < ntest; i++) if (length(order[i]) > width) width = length(order[i])
		printf "%-" width "s", "test"
		for (c = 0; c < ncol; c++) printf "  %-7s", label[c]
		printf "\n"
		for (i = 0; i < ntest; i++) {
			name = order[i]
			printf "%-" width "s", name
			ran = 0; skipped = 0
			for (c = 0; c < ncol; c++) {
				s = status[name, c]
				if (!present[c]) s = "n/a"
				else if (s == "") s = "-"
				else if (s == "fail") s = "FAIL"
				if (s == "pass" || s == "FAIL") ran++
				if (s == "skip") skipped++
				printf "  %-7s", s
			}
			if (ran == 0 && skipped > 0) { printf "  <- skipped everywhere"; nowhere[nn++] = name }
			printf "\n"
		}
		printf "\n"
		for (c = 0; c < ncol; c++)
			if (!present[c]) printf "%s: no results (%s missing)\n", label[c], file[c]
		if (ntest == 0) { printf "no results at all\n"; exit 0 }
		if (nn == 0) { printf "nothing is skipped everywhere (%d tests)\n", ntest; exit 0 }
		printf "%d test(s) skipped everywhere, i.e. tested nowhere:\n", nn
		for (i = 0; i < nn; i++) {
			printf "  %s:", nowhere[i]
			for (c = 0; c < ncol; c++)
				if (status[nowhere[i], c] == "skip") printf " [%s] %s", label[c], why[nowhere[i], c]
			printf "\n"
		}
		exit strict ? 1 : 0
	}'
