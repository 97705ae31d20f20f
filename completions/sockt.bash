# bash completion for sockt(1). Written by completions/generate from the
# binary's --help: change the options there, then run it again.

_sockt_services() {
	awk '!/^#/ && NF { print $1 }' /etc/services 2>/dev/null | sort -u
}

_sockt_complete_kind() { # KIND CUR
	case $1 in
	port) COMPREPLY=($(compgen -W "$(_sockt_services)" -- "$2")) ;;
	host) COMPREPLY=($(compgen -A hostname -- "$2")) ;;
	file) COMPREPLY=($(compgen -f -- "$2")) ;;
	*) COMPREPLY=() ;;
	esac
}

_sockt() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd= i w n=0 opts= kinds= operands= kind
	local global='-4 --ipv4 -6 --ipv6 -n --numeric -v --verbose -q --quiet --json -h --help -V --version'
	local commands='listen connect send udp-send udp-recv resolve raw-ping state help'
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-*) ;;
		*) if [ -z "$cmd" ]; then cmd=$w; else n=$((n + 1)); fi ;;
		esac
	done
	case $cmd in
	listen)
		opts='-k --keep-open --max-conns --echo --reuseaddr --backlog -w --timeout -i --idle-timeout --linger --recv-only --send-only --no-shutdown -I --interface'
		kinds='--max-conns=value --backlog=value -w=value --timeout=value -i=value --idle-timeout=value --linger=value -I=value --interface=value'
		operands='host port' ;;
	connect)
		opts='-s --source -p --source-port -w --timeout -i --idle-timeout --linger --no-shutdown --recv-only --send-only -z --scan --parallel --tos -I --interface'
		kinds='-s=host --source=host -p=port --source-port=port -w=value --timeout=value -i=value --idle-timeout=value --linger=value --parallel=value --tos=value -I=value --interface=value'
		operands='host port' ;;
	send)
		opts='-e --escapes -f --file --crlf --no-recv -w --timeout -I --interface'
		kinds='-f=file --file=file -w=value --timeout=value -I=value --interface=value'
		operands='host port none' ;;
	udp-send)
		opts='-e --escapes --whole -c --count --interval --reply --hex --broadcast --ttl --tos -I --interface -s --source -p --source-port'
		kinds='-c=value --count=value --interval=value --reply=value --ttl=value --tos=value -I=value --interface=value -s=host --source=host -p=port --source-port=port'
		operands='host port none' ;;
	udp-recv)
		opts='-c --count -w --timeout --echo --hex --buffer --reuseaddr --multicast -I --interface'
		kinds='-c=value --count=value -w=value --timeout=value --buffer=value --multicast=value -I=value --interface=value'
		operands='host port' ;;
	resolve)
		opts='-r --reverse --canonical --service -l --long'
		kinds='--service=port'
		operands='host' ;;
	raw-ping)
		opts='-c --count -i --interval -W --timeout -w --deadline -s --size -t --ttl --tos -I --source'
		kinds='-c=value --count=value -i=value --interval=value -W=value --timeout=value -w=value --deadline=value -s=value --size=value -t=value --ttl=value --tos=value -I=value --source=value'
		operands='host' ;;
	state)
		opts='-u --udp --state -H --no-header'
		kinds='--state=value'
		operands='port none' ;;
	help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	'') COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return ;;
	esac
	for w in $kinds; do
		if [ "${w%%=*}" = "$prev" ]; then
			_sockt_complete_kind "${w#*=}" "$cur"
			return
		fi
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
		return
	fi
	set -- $operands
	shift $((n < $# ? n : $# - 1))
	_sockt_complete_kind "$1" "$cur"
}

complete -F _sockt sockt
