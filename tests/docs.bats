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
	run grep -rnIw --exclude-dir=.git --exclude-dir=autom4te.cache --exclude='config.*' \
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

@test "docs: the completions in the tree are what completions/generate writes from --help" {
	python3 "$SOCKT_SRCDIR/completions/generate" "$SOCKT" "$(tmp)"
	for f in sockt.bash _sockt sockt.fish; do
		diff -u "$SOCKT_SRCDIR/completions/$f" "$(tmp)/$f"
	done
}

@test "docs: bash completes commands, options and their arguments" {
	comp() { # WORDS...: the completions for the last word
		bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sockt; printf "%s\n" "${COMPREPLY[@]}"' \
		    "$SOCKT_SRCDIR/completions/sockt.bash" "$@"
	}
	[ "$(comp sockt res)" = resolve ]
	[[ "$(comp sockt '')" == *raw-ping* ]]
	[[ "$(comp sockt -4 resolve --can)" == --canonical ]]
	[[ "$(comp sockt resolve --service htt)" == *https* ]]
	[[ "$(comp sockt resolve --js)" == --json ]]
	[[ "$(comp sockt help ud)" == *udp-send*udp-recv* ]]
	for c in $(commands); do
		for o in $(long_options "$c"); do
			[[ "$(comp sockt "$c" "$o")" == *"$o"* ]]
		done
	done
}

@test "docs: the zsh and fish completions parse, and fish offers the options" {
	zsh -n "$SOCKT_SRCDIR/completions/_sockt"
	fish -n "$SOCKT_SRCDIR/completions/sockt.fish"
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt resolve --can'"
	[[ "$output" == --canonical* ]]
	run fish -c "source '$SOCKT_SRCDIR/completions/sockt.fish'; complete -C 'sockt '"
	[[ "$output" == *udp-recv* ]]
}

@test "docs: make install puts the binary, pages and completions in their places" {
	dest="$(tmp)/dest"
	make -s -C "$SOCKT_BUILDDIR" install DESTDIR="$dest" >/dev/null
	prefix=$(sed -n 's/^prefix = //p' "$SOCKT_BUILDDIR/Makefile")
	[ -x "$dest$prefix/bin/sockt" ]
	"$dest$prefix/bin/sockt" --version
	for c in $(commands); do
		[ -f "$dest$prefix/share/man/man1/sockt-$c.1" ]
	done
	grep -q "sockt $("$SOCKT" --version | cut -d' ' -f2)" "$dest$prefix/share/man/man1/sockt.1"
	find "$dest" -path '*bash-completion/completions/sockt' | grep -q .
	[ -f "$dest$prefix/share/zsh/site-functions/_sockt" ]
	[ -f "$dest$prefix/share/fish/vendor_completions.d/sockt.fish" ]
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
