#!/usr/bin/env bats
# install.bats: what `make install` at the default prefix gives an ordinary user on a
# stock Debian: bash, zsh and fish complete sockt, and raw-ping works through cap_net_raw.
# Each test installs into a private mount namespace with a tmpfs over /usr/local and a
# copy of /etc/fish, in a network namespace of its own, so the machine's directories
# are never touched; the shells run as uid 65534 under tmux.

load lib/common
bats_require_minimum_version 1.5.0

# The hosts file the shells complete host names from.
HOSTS="127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
192.0.2.9 install-test-peer"

setup() {
	[ "$(id -u)" = 0 ] || {
		echo "# SKIPPED (not root): $BATS_TEST_DESCRIPTION" >&3
		skip "needs root for a private mount namespace over /usr/local"
	}
	local missing=
	for tool in tmux:tmux setcap:libcap2-bin getcap:libcap2-bin zsh:zsh fish:fish \
	    /usr/share/bash-completion/bash_completion:bash-completion; do
		command -v "${tool%%:*}" >/dev/null || [ -f "${tool%%:*}" ] || missing="$missing ${tool#*:}"
	done
	[ -z "$missing" ] || {
		echo "missing Debian packages (bootstrap installs them):$missing"
		false
	}
	# A directory uid 65534 can reach (the bats directory is root's alone).
	WORLD=$(mktemp -d /tmp/sockt-install.XXXXXX)
	chmod 755 "$WORLD"
	mkdir -p "$WORLD/home/.config/fish" "$WORLD/run"
	chown 65534:65534 "$WORLD/run"
	# Prompts the screen checks can find.
	echo "PS1='$ '" >"$WORLD/home/.zshrc"
	echo "function fish_prompt; echo -n '> '; end" >"$WORLD/home/.config/fish/config.fish"
	chown -R 65534:65534 "$WORLD/home"
	printf '%s\n' "$HOSTS" >"$WORLD/hosts"
	INSTALL_ARGS='' INSTALL_USER=''
	export INSTALL_ARGS INSTALL_USER
}

teardown() {
	if [ -S "${WORLD:-}/run/tmux.sock" ]; then
		tmux_do kill-server 2>/dev/null || true
	fi
	common_teardown
	[ -z "${WORLD:-}" ] || rm -rf "$WORLD"
}

# as_user CMD...: CMD as uid 65534 with a user's environment (SHELL=/bin/sh: tmux would
# run commands with that user's login shell, nologin).
as_user() {
	setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$WORLD/home" \
	    PATH=/usr/local/bin:/usr/local/sockt/bin:/usr/bin:/bin LANG=C.UTF-8 SHELL=/bin/sh "$@"
}

# world CMD...: installs sockt at /usr/local in a fresh mount and network namespace, as
# root (uid 65534 if $INSTALL_USER is set; with the make arguments in $INSTALL_ARGS),
# then runs CMD there. The install's output is in $WORLD/install.log.
world() {
	unshare -m -n --propagation private sh -c '
		world=$1 build=$2
		shift 2
		as=
		if [ -n "$INSTALL_USER" ]; then
			mount -t tmpfs -o mode=755,uid=65534,gid=65534 tmpfs /usr/local || exit 100
			as="setpriv --reuid=65534 --regid=65534 --clear-groups"
		else
			mount -t tmpfs -o mode=755 tmpfs /usr/local || exit 100
		fi
		if [ -d /etc/fish ]; then
			rm -rf "$world/etc-fish" && cp -a /etc/fish "$world/etc-fish" &&
			    mount --bind "$world/etc-fish" /etc/fish || exit 100
		fi
		mount --bind "$world/hosts" /etc/hosts || exit 100
		ip link set lo up
		sysctl -qw net.ipv4.ping_group_range="1 0"
		# shellcheck disable=SC2086
		$as env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$build" install prefix=/usr/local \
		    $INSTALL_ARGS >"$world/install.log" 2>&1 || { cat "$world/install.log"; exit 101; }
		exec "$@"' sh "$WORLD" "$SOCKT_BUILDDIR" "$@"
}

# --- the shells, driven through tmux ---------------------------------------------

# start_shell NAME SHELL...: a tmux session NAME running SHELL as uid 65534 in the
# installed world; the first one installs it, and the tmux server keeps the namespaces.
# It becomes the session that keys and screen talk to.
start_shell() {
	SESSION=$1
	shift
	if [ -S "$WORLD/run/tmux.sock" ]; then
		tmux_do new-session -d -x 160 -y 40 -s "$SESSION" "$@"
		return
	fi
	world setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$WORLD/home" \
	    PATH=/usr/local/bin:/usr/local/sockt/bin:/usr/bin:/bin LANG=C.UTF-8 SHELL=/bin/sh \
	    tmux -S "$WORLD/run/tmux.sock" -f /dev/null \
	    new-session -d -x 160 -y 40 -s "$SESSION" "$@"
	tmux_do display -p '#{pid}' >>"$(tmp)/.pids"
}

tmux_do() { as_user tmux -S "$WORLD/run/tmux.sock" "$@"; }

screen() { tmux_do capture-pane -p -t "$SESSION"; }

keys() { tmux_do send-keys -t "$SESSION" "$@"; }

# wait_screen REGEX: until the screen shows REGEX (bounded); the screen in $SCREEN.
wait_screen() {
	local i
	for ((i = 0; i < 500; i++)); do
		SCREEN=$(screen)
		grep -Eq -- "$1" <<<"$SCREEN" && return 0
		sleep 0.02
	done
	echo "timed out waiting for /$1/ on the screen:"
	grep . <<<"$SCREEN"
	return 1
}

# offers LINE REGEX: types LINE, presses $TABS (bash lists the choices at the second
# Tab, zsh and fish at the first), waits for REGEX on the screen, then clears the line.
# capture-pane drops the spaces at the end of a line.
offers() {
	keys C-u C-l
	wait_clear
	keys -l "$1"
	# shellcheck disable=SC2086
	keys $TABS
	wait_screen "$2"
}

# wait_clear: until the screen holds nothing but a prompt, so that nothing left from
# the line before can match.
wait_clear() {
	local i
	for ((i = 0; i < 500; i++)); do
		SCREEN=$(screen)
		[[ "$(grep . <<<"$SCREEN")" =~ ^[$\>]\ *$ ]] && return 0
		sleep 0.02
	done
	echo "the screen did not clear:"
	grep . <<<"$SCREEN"
	return 1
}

# completes LINE REGEX: the same with one Tab, for a completion that is the only one.
completes() {
	TABS=Tab offers "$@"
}

@test "install: bash-completion finds sockt's completion at /usr/local for an ordinary user" {
	cp /etc/skel/.bashrc "$WORLD/home/.bashrc"
	echo "PS1='$ '" >>"$WORLD/home/.bashrc"
	start_shell bash bash -i
	TABS="Tab Tab"
	[ -f "$WORLD/install.log" ]
	completes 'sockt resol' '^\$ sockt resolve *$'
	# An option's value is not an operand: after -w 1 comes the host, not a port.
	offers 'sockt connect -w 1 ' 'install-test-peer'
	! grep -q 'https' <<<"$SCREEN"
	offers 'sockt connect -w 1 install-test-peer http' 'http-alt'
	offers 'sockt connect --source=' '127\.0\.0\.1'
	grep -q '::1' <<<"$SCREEN"
	offers 'sockt state --state ' 'time-wait'
	grep -q 'established' <<<"$SCREEN"
	completes 'sockt state --state=listen,time-' '--state=listen,time-wait *$'
	# An interface (this namespace has only lo) or a local address, not host names.
	offers 'sockt raw-ping -I ' '(^|  )lo( |$)'
	grep -q '127\.0\.0\.1' <<<"$SCREEN"
	! grep -q 'install-test-peer' <<<"$SCREEN"
}

@test "install: zsh with compinit finds _sockt in /usr/local/share/zsh/site-functions" {
	printf '%s\n' 'autoload -Uz compinit' 'compinit' >>"$WORLD/home/.zshrc"
	start_shell zsh zsh -i
	TABS=Tab
	completes 'sockt resol' '^\$ sockt resolve *$'
	offers 'sockt state --state ' 'time-wait'
	grep -q 'established' <<<"$SCREEN"
	offers 'sockt raw-ping -I ' '(^|  )lo( |$)'
	grep -q '127\.0\.0\.1' <<<"$SCREEN"
	offers 'sockt connect -s ' '::1'
	offers 'sockt connect --source=' '::1'
	offers 'sockt state --state=' 'time-wait'
	offers 'sockt connect -w 1 ' 'install-test-peer'
}

@test "install: fish finds sockt.fish although it reads nothing under /usr/local" {
	start_shell fish fish
	TABS=Tab
	completes 'sockt resol' '^> sockt resolve *$'
	grep -q '^sockt: fish .*also installed in /etc/fish/completions$' "$WORLD/install.log"
	offers 'sockt state --state ' 'time-wait'
	grep -q 'established' <<<"$SCREEN"
	offers 'sockt raw-ping -I ' '(^|  )lo( |$)'
	offers 'sockt connect --source=' '--source=::1'
	offers 'sockt connect -w 1 ' 'install-test-peer'
}

@test "install: at a prefix no shell reads, one line per shell says what to add, and it works" {
	INSTALL_ARGS=prefix=/usr/local/sockt
	run -0 world true
	cat "$WORLD/install.log"
	what() { sed -n "s|^sockt: $1 does not read /usr/local/sockt/share/$2; add to $3: ||p" "$WORLD/install.log"; }
	bashrc=$(what bash-completion bash-completion/completions '~/.bashrc')
	[ "$bashrc" = ". /usr/local/sockt/share/bash-completion/completions/sockt" ]
	zshrc=$(what zsh zsh/site-functions '~/.zshrc, before compinit')
	[ "$zshrc" = 'fpath=(/usr/local/sockt/share/zsh/site-functions $fpath)' ]
	{ cat /etc/skel/.bashrc && echo "PS1='$ '" && echo "$bashrc"; } >"$WORLD/home/.bashrc"
	printf '%s\n' "$zshrc" 'autoload -Uz compinit' 'compinit' >>"$WORLD/home/.zshrc"
	fishrc=$(what fish fish/vendor_completions.d '~/.config/fish/config.fish')
	[ "$fishrc" = "set -p fish_complete_path /usr/local/sockt/share/fish/vendor_completions.d" ]
	echo "$fishrc" >>"$WORLD/home/.config/fish/config.fish"
	start_shell bash bash -i
	completes 'sockt resol' '^\$ sockt resolve *$'
	start_shell zsh zsh -i
	completes 'sockt resol' '^\$ sockt resolve *$'
	start_shell fish fish
	completes 'sockt resol' '^> sockt resolve *$'

}

# --- raw-ping through cap_net_raw ------------------------------------------------
# world sets net.ipv4.ping_group_range to "1 0" in its network namespace, so that no
# group may use ping sockets: a raw socket, and so the capability, is the only way.

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

@test "install: as root, make install gives sockt cap_net_raw and uid 65534 pings with it" {
	run -0 world sh -c "getcap /usr/local/bin/sockt && cat /proc/sys/net/ipv4/ping_group_range &&
		$NOBODY /usr/local/bin/sockt raw-ping -c 1 127.0.0.1"
	grep -Fqx 'sockt: cap_net_raw set on /usr/local/bin/sockt: raw-ping works for every user' \
	    "$WORLD/install.log"
	[ "${lines[0]}" = "/usr/local/bin/sockt cap_net_raw=ep" ]
	[ "${lines[1]}" = "$(printf '1\t0')" ]
	[[ "${lines[3]}" == "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time="* ]]
	[[ "$output" == *"1 packets transmitted, 1 received, 0% packet loss"* ]]
}

@test "install: without the capability, raw-ping is status 4 and its hint names the installed file" {
	# Called through a relative symlink in another directory, and through PATH: the hint
	# still names the file that setcap must be given.
	run -4 world sh -c "setcap -r /usr/local/bin/sockt && mkdir /usr/local/lib &&
		ln -s ../bin/sockt /usr/local/lib/sk && cd /usr/local/lib &&
		$NOBODY ./sk raw-ping -c 1 127.0.0.1"
	[ "${lines[0]}" = "sockt raw-ping: raw socket for ICMP: Operation not permitted [EPERM, errno 1]" ]
	[ "${lines[1]}" = "sockt raw-ping: ping socket for ICMP: Permission denied [EACCES, errno 13]" ]
	[[ "${lines[2]}" == "sockt raw-ping: hint: raw sockets need root or CAP_NET_RAW (as root: setcap cap_net_raw+ep /usr/local/bin/sockt), or net.ipv4.ping_group_range"* ]]
	run -4 world sh -c "setcap -r /usr/local/bin/sockt && cd / &&
		$NOBODY env PATH=/usr/local/bin:/usr/bin:/bin sockt raw-ping -c 1 127.0.0.1"
	[[ "$output" == *"setcap cap_net_raw+ep /usr/local/bin/sockt)"* ]]
	# Without /proc, argv[0] resolved through the symlink names the same file (a build
	# with AddressSanitizer cannot run without /proc).
	ldd "$SOCKT" | grep -q libasan && return 0
	run -4 world sh -c "setcap -r /usr/local/bin/sockt && mkdir /usr/local/lib &&
		ln -s ../bin/sockt /usr/local/lib/sk && cd /usr/local/lib && mount -t tmpfs none /proc &&
		$NOBODY ./sk raw-ping -c 1 127.0.0.1"
	[[ "$output" == *"setcap cap_net_raw+ep /usr/local/bin/sockt)"* ]]
	# Found through PATH from a directory that holds another file of that name.
	run -4 world sh -c "setcap -r /usr/local/bin/sockt && mkdir /usr/local/lib &&
		touch /usr/local/lib/sockt && cd /usr/local/lib && mount -t tmpfs none /proc &&
		$NOBODY env PATH=/usr/local/bin:/usr/bin:/bin sockt raw-ping -c 1 127.0.0.1"
	[[ "$output" == *"setcap cap_net_raw+ep /usr/local/bin/sockt)"* ]]
}

@test "install: where setcap cannot be used, one line says why and the install succeeds" {
	INSTALL_ARGS=SETCAP=
	run -0 world getcap /usr/local/bin/sockt
	[ -z "$output" ]
	grep -Fqx "sockt: cap_net_raw not set on /usr/local/bin/sockt: no setcap (Debian package libcap2-bin); raw-ping needs root until 'setcap cap_net_raw+ep /usr/local/bin/sockt' is run as root" \
	    "$WORLD/install.log"
	INSTALL_ARGS=SETCAP=false
	run -0 world getcap /usr/local/bin/sockt
	[ -z "$output" ]
	grep -Eqx "sockt: cap_net_raw not set on /usr/local/bin/sockt: setcap failed \(.*\), perhaps a file system without extended attributes; raw-ping needs root until .*" \
	    "$WORLD/install.log"
	# Not root: /usr/local belongs to uid 65534 here, as it may to group staff on Debian.
	INSTALL_ARGS= INSTALL_USER=65534
	run -0 world sh -c 'ls -l /usr/local/bin/sockt && getcap /usr/local/bin/sockt'
	[[ "$output" == *" 65534 "*"/usr/local/bin/sockt" ]] || [[ "$output" == *" nobody "*"/usr/local/bin/sockt" ]]
	grep -Fq "sockt: cap_net_raw not set on /usr/local/bin/sockt: not root;" "$WORLD/install.log"
	# And fish's directory for the administrator is root's: the line says what to run.
	grep -Fqx "sockt: fish $(fish --version | sed 's/.* //') reads no completions under /usr/local; as root: install -m 644 /usr/local/share/fish/vendor_completions.d/sockt.fish /etc/fish/completions/" \
	    "$WORLD/install.log"
	# One line each, nothing else said.
	[ "$(grep -c '^sockt: ' "$WORLD/install.log")" -eq 2 ]
}
