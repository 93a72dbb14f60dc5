# Installed like a Debian tool: man pages that render, shell completion that
# loads and completes commands, labs, nodes and NODE:IFACE, and `make install
# DESTDIR=...` then `make uninstall` leaving no file behind; the installed
# CLI finds its init and rootfs and brings a lab up.
source "$(dirname "$0")/lib.sh"

version=$(sed -n 's/^#define CBOXLAB_VERSION "\(.*\)"/\1/p' "$TOP/src/cli/version.h")
# Every command, as `cboxlab help` lists them.
commands=$(cbx help | sed -n 's/^  \([a-z]\+\)\( .*\)\?$/\1/p' | sort -u)

# --- man pages --------------------------------------------------------------
if ! command -v scdoc >/dev/null; then
	skip "man pages render" "no scdoc (make deps installs it)"
else
	check_ok "make man builds cboxlab.1 and cboxlab-topology.5" '^ok$' bash -c \
		"make -s -C '$TOP' man && test -s '$TOP/build/man/cboxlab.1' && test -s '$TOP/build/man/cboxlab-topology.5' && echo ok"
	for page in cboxlab.1 cboxlab-topology.5; do
		check_ok "man -l $page renders without a warning" '^$' bash -c \
			"MANWIDTH=80 man --warnings -E UTF-8 -l '$TOP/build/man/$page' 2>&1 >/dev/null"
		check_ok "$page says the version of src/cli/version.h" "cboxlab $version" bash -c \
			"MANWIDTH=80 man -l '$TOP/build/man/$page' 2>/dev/null | tail -1"
	done
	missing=""
	for c in $commands; do
		grep -q "^\*$c\* " "$TOP/docs/man/cboxlab.1.scd" || missing+=" $c"
	done
	check_ok "cboxlab(1) has every command" '^ok$' bash -c \
		"[ $(wc -w <<<"$commands") -ge 20 ] && [ -z '$missing' ] && echo ok || echo 'missing:$missing'"
fi

# --- completion -------------------------------------------------------------
check_ok "the bash completion script loads" '^complete -F _cboxlab cboxlab$' \
	bash -c "source '$TOP/completion/cboxlab.bash'; complete -p cboxlab"
# complete WORD...: what bash would offer for the last word (split as bash
# splits it: at ':' and '=' too).
complete_words() {
	bash -c 'source "$1/completion/cboxlab.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cboxlab
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$TOP" "$CBOXLAB" "$@"
}
check_ok "it completes commands" '^start status stop $' complete_words st
check_ok "and a command's options" '^--timeout $' complete_words stop --ti
check_ok "and the words a command takes (link LAB down|up)" '^down $' complete_words link x d
check_ok "and file names where a file goes" 'lan\.json' complete_words validate "$TOP/topologies/la"
f=$(topo tinst <<'EOF2'
{ "name": "tinst", "networks": { "n": { "subnet": "10.119.0.0/24" } },
  "links": [ { "endpoints": ["a:eth1", "b:eth1"], "subnet": "10.119.1.0/30" } ],
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } } },
             "b": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
check_ok "tinst comes up" 'is up' lab_up "$f"
check_ok "it completes a running lab's name" '(^| )tinst ' complete_words status t
check_ok "its node names" '^a b $' complete_words stop tinst ''
check_ok "after the command's options too" '^a b $' complete_words stop --timeout 3 tinst ''
check_ok "NODE:IFACE, past the colon bash splits at" '^eth0 eth1 $' complete_words capture tinst a : ''
check_ok "every NODE:IFACE and network" '^a:eth0 a:eth1 b:eth0 b:eth1 n $' complete_words capture tinst ''
check_ok "a node after a comma (partition's groups)" '^a,a a,b $' complete_words partition tinst a,
# zsh: _cboxlab run with zsh's words and CURRENT, compadd and _files
# stubbed to print what they are given.
zsh_complete() {
	zsh -fc 'compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; shift; print -l -- "$@"; }
		_files() { print FILES; }
		words=("$@"); CURRENT=$#; source "$TOP_/completion/_cboxlab"' _ "$CBOXLAB" "$@" | sort | tr '\n' ' '
}
if command -v zsh >/dev/null; then
	export TOP_=$TOP
	check_ok "the zsh completion script parses" '^ok$' bash -c "zsh -n '$TOP/completion/_cboxlab' && echo ok"
	check_ok "zsh: it completes commands" '^start status stop $' zsh_complete st
	check_ok "zsh: a running lab's nodes" '^a b $' zsh_complete stop tinst ''
	check_ok "zsh: NODE:IFACE" '^a:eth0 a:eth1 $' zsh_complete capture tinst a:
	check_ok "zsh: files where a file goes" '^FILES $' zsh_complete validate ''
else
	skip "the zsh completion script" "no zsh (make deps installs it)"
fi
check_ok "tinst goes down" 'is down' cbx down tinst
check_ok "and leaves nothing" '^$' leftovers tinst

# --- make install / uninstall ----------------------------------------------
stage=$TMP/stage
check_ok "make install DESTDIR= stages every part" '^ok$' bash -c "
	make -s -C '$TOP' install DESTDIR='$stage' >/dev/null &&
	cd '$stage/usr/local' && test -x bin/cboxlab && test -x lib/cboxlab/cboxlab-init &&
	test -x lib/cboxlab/rootfs/bin/busybox && ls lib/cboxlab/seccomp/*.bpf >/dev/null &&
	test -f share/bash-completion/completions/cboxlab && test -f share/zsh/site-functions/_cboxlab &&
	test -f share/cboxlab/topologies/schema.json && test -f share/cboxlab/topologies/lan.json &&
	test -f share/doc/cboxlab/json.md && test -f share/doc/cboxlab/README.md &&
	ls lib/python3*/dist-packages/cboxlab/lab.py >/dev/null &&
	{ ! command -v scdoc >/dev/null || { test -f share/man/man1/cboxlab.1 && test -f share/man/man5/cboxlab-topology.5; }; } &&
	echo ok"
check_ok "the installed cboxlab -V" "^cboxlab $version\$" "$stage/usr/local/bin/cboxlab" -V
printf '{ "name": "tinst2", "nodes": { "a": {} } }\n' >"$TMP/tinst2.json"
_labs+=(tinst2)
check_ok "the installed cboxlab finds its init and rootfs and brings a lab up" 'lab tinst2 is up' \
	"$stage/usr/local/bin/cboxlab" up "$TMP/tinst2.json"
check_ok "and down" 'is down' "$stage/usr/local/bin/cboxlab" down tinst2
check_ok "leaving nothing" '^$' leftovers tinst2
check_ok "make uninstall DESTDIR= leaves no file in the staging tree" '^none$' bash -c "
	make -s -C '$TOP' uninstall DESTDIR='$stage' >/dev/null && left=\$(find '$stage' ! -type d) &&
	if [ -z \"\$left\" ]; then echo none; else echo \"\$left\"; fi"
check_ok "the Python package's version is cboxlab's" "^$version\$" \
	sed -n 's/^version = "\(.*\)"/\1/p' "$TOP/python/pyproject.toml"
finish
