# bash completion for cboxlab: commands, options, labs, nodes, NODE:IFACE.
# The candidates come from cboxlab itself (`cboxlab __complete`, made from
# its command table), so this file knows no command. Needs nothing from the
# bash-completion package; installed where that package looks
# (share/bash-completion/completions/cboxlab), or source it.

_cboxlab() {
	local i w words=() cur prefix out cand files=""

	# bash splits "r1:eth0" and "--timeout=3" at ':' and '=' (COMP_WORDBREAKS):
	# glue them back, so cboxlab sees the words the command will.
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((${#words[@]} > 1)) && [[ $w == [:=] || ${words[-1]} == *[:=] ]] &&
			[[ ${words[-1]} != "" ]]; then
			words[-1]+=$w
		else
			words+=("$w")
		fi
	done
	cur=${words[-1]}
	# What bash replaces is only the part after the last ':' or '='.
	prefix=${cur%"${cur##*[:=]}"}
	out=$("${COMP_WORDS[0]}" __complete $((${#words[@]} - 1)) "${words[@]}" 2>/dev/null) || return 0
	COMPREPLY=()
	while IFS= read -r cand; do
		if [[ $cand == :files ]]; then
			files=1
		elif [[ -n $cand ]]; then
			COMPREPLY+=("${cand#"$prefix"}")
		fi
	done <<<"$out"
	if [[ -n $files ]]; then
		compopt -o filenames 2>/dev/null
		while IFS= read -r cand; do
			COMPREPLY+=("$cand")
		done < <(compgen -f -- "$cur")
	fi
	return 0
}

complete -F _cboxlab cboxlab
