#!/usr/bin/env bats
# docs.bats: the man pages, doc/contract.md and the completions are complete, true to the binary,
# self-contained and installed.

load lib/common

commands() { "$SOCKT" help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^$/ && on {on = 0}'; }
long_options() { "$SOCKT" "$1" --help | sed -n '/^Options:/,/^$/p' | grep -o -- '--[a-z0-9-]*' | sort -u; }
global_options() { "$SOCKT" resolve --help | sed -n '/^Global options:/,/^$/p' | grep -o -- '--[a-z0-9-]*' | sort -u; }
page_text() { mandoc -Tascii "$SOCKT_MANDIR/$1.1" | col -b; }

@test "docs: every man page is lint-clean under mandoc -Tlint -Wwarning" {
	n=0
	for page in "$SOCKT_MANDIR"/*.1; do
		run mandoc -Tlint -Wwarning "$page"
		echo "$output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done
	[ "$n" -eq $(($(commands | wc -l) + 1)) ]
}

@test "docs: every command has its own page, listed in sockt(1)" {
	main=$(page_text sockt)
	for c in $(commands); do
		[ -f "$SOCKT_MANDIR/sockt-$c.1" ]
		[[ "$main" == *"sockt-$c(1)"* ]]
		[[ "$("$SOCKT" help "$c")" == *"sockt-$c(1)"* ]]
	done
}

@test "docs: every long option of every command is in that command's page" {
	missing=
	for c in $(commands); do
		text=$(page_text "sockt-$c")
		for o in $(long_options "$c"); do
			[[ "$text" == *"$o"* ]] || missing="$missing sockt-$c:$o"
		done
	done
	echo "missing:$missing"
	[ -z "$missing" ]
}

@test "docs: the global options, exit statuses and diagnostics are in sockt(1)" {
	text=$(page_text sockt)
	for o in $(global_options); do
		[[ "$text" == *"$o"* ]]
	done
	[[ "$text" == *"EXIT STATUS"* ]]
	[[ "$text" == *"DIAGNOSTICS"* ]]
	[[ "$text" == *"[ECONNREFUSED, errno 111]"* ]]
	[[ "$text" == *"[EAI_NONAME]"* ]]
	[[ "$text" == *"hint:"* ]]
}

@test "docs: doc/contract.md names every command, global option and exit status" {
	text=$(cat "$SOCKT_SRCDIR/doc/contract.md")
	for c in $(commands); do
		[[ "$text" == *"**$c** (sockt-$c(1))"* ]] || { echo "no $c"; false; }
	done
	for o in $(global_options); do
		[[ "$text" == *"\`$o"* ]] || { echo "no $o"; false; }
	done
	for s in 0 1 2 3 4 128+N; do
		[[ "$text" == *"| $s | "* ]] || { echo "no status $s"; false; }
	done
	[[ "$text" == *"[ECONNREFUSED, errno 111]"* && "$text" == *"[EAI_NONAME]"* ]]
}

@test "docs: nothing in the tree cites a contract kept outside it" {
	cd "$SOCKT_SRCDIR"
	# The word is put together here, so that this file does not match itself.
	word=SPE
	word=${word}C
	run grep -rnIw --exclude-dir=.git --exclude-dir=autom4te.cache --exclude='config.*' --exclude='*.log' --exclude='*.trs' \
	    -e "$word" -e 'STYLE\.md' .
	echo "$output" | head -20
	[ "$status" -eq 1 ]
	# The places that comments cite instead exist.
	[ -f doc/contract.md ]
	grep -q '^\.Sh EXIT STATUS' man/sockt.1.in
	grep -q '^\.Sh DIAGNOSTICS' man/sockt.1.in
	grep -q '^\.Sh ADDRESSES' man/sockt.1.in
	grep -q '^\.Sh GLOBAL OPTIONS' man/sockt.1.in
}

@test "docs: every man page section and contract section that the tree cites exists" {
	cd "$SOCKT_SRCDIR"
	files=(--include='*.[ch]' --include='*.bats' --include='*.bash' --include='*.py' --include='*.sh')
	grep -rhoE "${files[@]}" 'sockt(-[a-z-]+)?\(1\), ([A-Z][A-Z ]*[A-Z]|[A-Z][a-z]+( [a-z]+)*)' \
	    src compat tests fuzz bench | sort -u >"$(tmp)/pages"
	[ "$(wc -l <"$(tmp)/pages")" -ge 4 ]
	while IFS= read -r cited; do
		page=${cited%%(1)*} section=${cited#*(1), }
		grep -qE "^\.S[hs] $section\$" "man/$page.1.in" || { echo "$page(1) has no '$section'"; false; }
	done <"$(tmp)/pages"
	grep -rhoE "${files[@]}" 'doc/contract\.md, [A-Z][a-z]+( [a-z]+)*' src compat tests fuzz bench |
	    sort -u >"$(tmp)/contract"
	while IFS= read -r cited; do
		grep -qx "## ${cited#*, }" doc/contract.md || { echo "doc/contract.md has no '${cited#*, }'"; false; }
	done <"$(tmp)/contract"
}

@test "docs: the completions in the tree are what completions/generate writes from --help" {
	python3 "$SOCKT_SRCDIR/completions/generate" "$SOCKT" "$(tmp)"
	for f in sockt.bash _sockt sockt.fish; do
		diff -u "$SOCKT_SRCDIR/completions/$f" "$(tmp)/$f"
	done
}

# bash_complete LINE: what sockt's bash completion offers at the end of LINE, one a
# line. The words are split as bash splits them (at '=' and ':' too), and it runs under
# bash-completion, which loads it.
bash_complete() {
	[ -f /usr/share/bash-completion/bash_completion ] ||
	    { echo "bash-completion is not installed (bootstrap installs it)"; return 1; }
	bash --norc --noprofile -c '
		set -f
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS=()
		for w in $1; do COMP_WORDS+=($(grep -oE "[=:]+|[^=:]+" <<<"$w")); done
		[[ $1 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_sockt sockt "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$SOCKT_SRCDIR/completions/sockt.bash" "$1"
}

@test "docs: bash completes commands, options and their arguments" {
	[ "$(bash_complete 'sockt res')" = resolve ]
	[[ "$(bash_complete 'sockt ')" == *raw-ping* ]]
	[ "$(bash_complete 'sockt -4 resolve --can')" = --canonical ]
	[[ "$(bash_complete 'sockt resolve --service htt')" == *https* ]]
	[ "$(bash_complete 'sockt resolve --js')" = --json ]
	[[ "$(bash_complete 'sockt help ud')" == *udp-send*udp-recv* ]]
	for c in $(commands); do
		for o in $(long_options "$c"); do
			[[ "$(bash_complete "sockt $c $o")" == *"$o"* ]]
		done
	done
}

# The operands and values bash offers, from a hosts file of the test's own.
bash_complete_hosts() {
	printf '127.0.0.1 localhost\n192.0.2.9 docs-test-peer\n' >"$(tmp)/hosts"
	HOSTFILE="$(tmp)/hosts" bash_complete "$1"
}

@test "docs: bash counts an option's value as the option's, not as an operand" {
	# After -w 1 comes HOST: host names, not the services of the PORT operand.
	run bash_complete_hosts 'sockt connect -w 1 '
	[[ "$output" == *docs-test-peer* ]]
	[[ "$output" != *https* ]]
	run bash_complete_hosts 'sockt connect -w 1 docs-test-peer htt'
	[[ "$output" == *https* ]]
	# In a cluster the last letter takes the next word; -w1 holds its value itself.
	run bash_complete_hosts 'sockt connect -zw 1 '
	[[ "$output" == *docs-test-peer* ]]
	run bash_complete_hosts 'sockt connect -w1 docs-test-peer htt'
	[[ "$output" == *https* ]]
	run bash_complete_hosts 'sockt connect --timeout=1 docs-test-peer htt'
	[[ "$output" == *https* ]]
	run bash_complete_hosts 'sockt udp-send -c 2 --ttl 3 -p 4000 docs-test-peer htt'
	[[ "$output" == *https* ]]
}

@test "docs: bash completes --opt=VALUE as --opt VALUE" {
	run bash_complete 'sockt connect --source='
	[[ "$output" == *127.0.0.1* ]]
	run bash_complete 'sockt connect --source=127.0'
	[ "$output" = 127.0.0.1 ]
	run bash_complete 'sockt connect --source-port=htt'
	[[ "$output" == *https* ]]
	run bash_complete 'sockt state --state=time-'
	[ "$output" = time-wait ]
}

@test "docs: --state offers the state names the binary takes, in bash, zsh and fish" {
	# Every name offered is accepted, and every name the binary lists is offered.
	offered=$(bash_complete 'sockt state --state ')
	[[ "$offered" == *time-wait* ]]
	for s in $offered; do
		"$SOCKT" state -H --state "$s" >/dev/null 2>&1 || "$SOCKT" state -u -H --state "$s" >/dev/null
	done
	listed=$("$SOCKT" state --state '?' 2>&1 | sed -n 's/.*must be one of //p' | grep -oE '\b[a-z][a-z0-9-]*\b')
	[ "$(sort <<<"$listed")" = "$(sort <<<"$offered")" ]
	# A list: the last word is completed, the ones before are kept.
	[ "$(bash_complete 'sockt state --state listen,time-')" = listen,time-wait ]
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt state --state '"
	[ "$(cut -f1 <<<"$output" | sort)" = "$(sort <<<"$offered")" ]
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt state --state=listen,time-'"
	[ "$(cut -f1 <<<"$output")" = --state=listen,time-wait ]
	grep -q "^	_values -s , state $(tr '\n' ' ' <<<"$offered" | sed 's/ $//')\$" "$SOCKT_SRCDIR/completions/_sockt"
	grep -q "'--state=\[.*\]:state:_sockt_states'" "$SOCKT_SRCDIR/completions/_sockt"
}

@test "docs: raw-ping -I offers interfaces and local addresses, not host names" {
	run bash_complete_hosts 'sockt raw-ping -I '
	[[ "$output" == *$'\nlo\n'* || "$output" == lo$'\n'* ]]
	[[ "$output" == *127.0.0.1* ]]
	[[ "$output" != *docs-test-peer* ]]
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt raw-ping -I '"
	[[ "$output" == *$'\nlo\t'* || "$output" == lo$'\t'* ]]
	[[ "$output" == *127.0.0.1* ]]
	# Hosts remain what raw-ping's operands are.
	run bash_complete_hosts 'sockt raw-ping -I lo '
	[[ "$output" == *docs-test-peer* ]]
}

@test "docs: the zsh and fish completions parse, and fish offers the options" {
	zsh -n "$SOCKT_SRCDIR/completions/_sockt"
	fish -n "$SOCKT_SRCDIR/completions/sockt.fish"
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt resolve --can'"
	[[ "$output" == --canonical* ]]
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt '"
	[[ "$output" == *udp-recv* ]]
	# A value is no file name unless it is one.
	run fish -c "cd '$SOCKT_SRCDIR'; source completions/sockt.fish; complete -C 'sockt connect -w '"
	[ -z "$output" ]
}

@test "docs: make install puts the binary, pages and completions in their places" {
	dest="$(tmp)/dest"
	make -s -C "$SOCKT_BUILDDIR" install DESTDIR="$dest" >"$(tmp)/install.log"
	prefix=$(sed -n 's/^prefix = //p' "$SOCKT_BUILDDIR/Makefile")
	[ -x "$dest$prefix/bin/sockt" ]
	"$dest$prefix/bin/sockt" --version
	for c in $(commands); do
		[ -f "$dest$prefix/share/man/man1/sockt-$c.1" ]
	done
	grep -q "sockt $("$SOCKT" --version | cut -d' ' -f2)" "$dest$prefix/share/man/man1/sockt.1"
	find "$dest" -path '*bash-completion/completions/sockt' | grep -q .
	# site-functions, or vendor-completions where zsh reads only that (Debian, under /usr).
	find "$dest$prefix/share/zsh" -path '*/zsh/*/_sockt' | grep -q .
	[ -f "$dest$prefix/share/fish/vendor_completions.d/sockt.fish" ]
	# Staged: the capability is left to the package, in one line.
	grep -Fq "sockt: cap_net_raw not set on $dest$prefix/bin/sockt: a staged install (DESTDIR)" \
	    "$(tmp)/install.log"
	# fish 3.6 reads nothing under /usr/local: its administrator's directory gets a copy.
	if [ "$prefix" = /usr/local ] && command -v fish >/dev/null &&
	    ! env -u XDG_DATA_DIRS HOME="$(tmp)" fish -c 'contains /usr/local/share/fish/vendor_completions.d $fish_complete_path'; then
		cmp "$SOCKT_SRCDIR/completions/sockt.fish" "$dest/etc/fish/completions/sockt.fish"
	fi
	make -s -C "$SOCKT_BUILDDIR" uninstall DESTDIR="$dest" >/dev/null
	[ -z "$(find "$dest" -type f)" ]
}

@test "docs: every C file matches the repository's .clang-format" {
	command -v clang-format >/dev/null || fail_missing=clang-format
	[ -z "${fail_missing:-}" ] || { echo "clang-format is not installed (bootstrap installs it)"; false; }
	cd "$SOCKT_SRCDIR"
	run clang-format --dry-run --Werror src/*.[ch] compat/*.[ch] tests/*.c fuzz/*.[ch]
	echo "$output" | head -20
	[ "$status" -eq 0 ]
}
