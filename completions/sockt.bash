# bash completion for sockt(1). Written by completions/generate from the
# binary's --help: change the options there, then run it again.
# bash-completion loads it, and its helpers (_init_completion, _ip_addresses, ...) are used.

_sockt_services() {
	awk '!/^#/ && NF { print $1 }' /etc/services 2>/dev/null | sort -u
}

# _sockt_value KIND: the completions for $cur, a value of that kind.
_sockt_value() {
	local prefix=
	case $1 in
	port) COMPREPLY=($(compgen -W "$(_sockt_services)" -- "$cur")) ;;
	host) COMPREPLY=($(compgen -A hostname -- "$cur")) ;;
	local) COMPREPLY=() && _ip_addresses -a ;;
	source) _available_interfaces && _ip_addresses -a ;;
	iface) _available_interfaces ;;
	file) _filedir ;;
	states)
		# A comma-separated list: complete its last word, keeping the ones before.
		[[ $cur == *,* ]] && prefix=${cur%,*},
		COMPREPLY=($(compgen -P "$prefix" -W "$_sockt_states" -- "${cur##*,}")) ;;
	*) COMPREPLY=() ;;
	esac
	__ltrim_colon_completions "$cur"
}

# _sockt_waits WORD: whether WORD, an option typed on its own, takes the next word as
# its value; the value's kind is then in $kind. In a cluster such as -zw, each letter is
# a flag until one takes a value, and the rest of the word is that value.
_sockt_waits() {
	local w=$1 e j
	if [[ $w == --* ]]; then
		for e in $values; do
			[[ ${e%%=*} == "$w" ]] && kind=${e#*=} && return 0
		done
		return 1
	fi
	for ((j = 1; j < ${#w}; j++)); do
		for e in $values; do
			if [[ ${e%%=*} == "-${w:j:1}" ]]; then
				kind=${e#*=}
				((j == ${#w} - 1))
				return
			fi
		done
	done
	return 1
}

_sockt_states='established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait close close-wait last-ack listen closing unconnected connected'

_sockt() {
	local cur prev words cword split
	_init_completion -s -n : || return
	local cmd= at=0 i w n=0 opts= values= operands= kind=
	local global='-4 --ipv4 -6 --ipv6 -n --numeric -v --verbose -q --quiet --json -h --help -V --version'
	local commands='listen connect send udp-send udp-recv resolve raw-ping state trace help'
	# Global options take no value: the first other word is the command.
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} == -* ]] && continue
		cmd=${words[i]} at=$i
		break
	done
	case $cmd in
	listen)
		opts='-k --keep-open --max-conns --max-queue --max-time --echo --no-reuseaddr --reuseaddr --backlog -w --timeout -i --idle-timeout --linger --recv-only --send-only --no-shutdown -C --crlf --dump -I --interface --tls --cert --key --alpn --tls-min -U --unix --seqpacket'
		values='--max-conns=value --max-queue=value --max-time=value --backlog=value -w=value --timeout=value -i=value --idle-timeout=value --linger=value --dump=file -I=iface --interface=iface --cert=file --key=file --alpn=value --tls-min=value'
		operands='host port' ;;
	connect)
		opts='-s --source -p --source-port -w --timeout -i --idle-timeout --linger --no-shutdown --recv-only --send-only -C --crlf --dump -z --scan --parallel --tos -I --interface --proxy --proxy-type --proxy-auth --tls --no-verify --ca --sni --alpn --tls-min --warn-days -U --unix --seqpacket'
		values='-s=local --source=local -p=port --source-port=port -w=value --timeout=value -i=value --idle-timeout=value --linger=value --dump=file --parallel=value --tos=value -I=iface --interface=iface --proxy=value --proxy-type=value --proxy-auth=value --ca=file --sni=value --alpn=value --tls-min=value --warn-days=value'
		operands='host port' ;;
	send)
		opts='-e --escapes -f --file --crlf --no-recv --expect -w --timeout --dump -I --interface --proxy --proxy-type --proxy-auth --tls --no-verify --ca --sni --alpn --tls-min -U --unix --seqpacket'
		values='-f=file --file=file --expect=value -w=value --timeout=value --dump=file -I=iface --interface=iface --proxy=value --proxy-type=value --proxy-auth=value --ca=file --sni=value --alpn=value --tls-min=value'
		operands='host port none' ;;
	udp-send)
		opts='-e --escapes --whole -c --count --interval --reply --hex --broadcast --ttl --tos -I --interface -s --source -p --source-port -U --dgram'
		values='-c=value --count=value --interval=value --reply=value --ttl=value --tos=value -I=iface --interface=iface -s=local --source=local -p=port --source-port=port'
		operands='host port none' ;;
	udp-recv)
		opts='-c --count -w --timeout --echo --hex --buffer --no-reuseaddr --reuseaddr --multicast -I --interface -U --dgram'
		values='-c=value --count=value -w=value --timeout=value --buffer=value --multicast=host -I=iface --interface=iface'
		operands='host port' ;;
	resolve)
		opts='-r --reverse --canonical --service -l --long'
		values='--service=port'
		operands='host' ;;
	raw-ping)
		opts='-c --count -i --interval -W --timeout -w --deadline -s --size -t --ttl --tos -I --source'
		values='-c=value --count=value -i=value --interval=value -W=value --timeout=value -w=value --deadline=value -s=value --size=value -t=value --ttl=value --tos=value -I=source --source=source'
		operands='host' ;;
	state)
		opts='-u --udp --state --summary -H --no-header -x --unix'
		values='--state=states'
		operands='port none' ;;
	trace)
		opts='-U --udp -T --tcp -I --icmp -m --max-hops -f --first-hop -Q --queries -w --wait -N --parallel --mtu'
		values='-m=value --max-hops=value -f=value --first-hop=value -Q=value --queries=value -w=value --wait=value -N=value --parallel=value'
		operands='host port' ;;
	help) COMPREPLY=($(compgen -W "$commands" -- "$cur")) && return ;;
	'') COMPREPLY=($(compgen -W "$commands $global" -- "$cur")) && return ;;
	*) return ;;
	esac
	# The value of the option before (--opt VALUE, or --opt=VALUE split by _init_completion).
	if _sockt_waits "$prev" && [[ $prev == -* ]]; then
		_sockt_value "$kind"
		return
	fi
	$split && return
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
		return
	fi
	# Which operand this is: count those before it, skipping options and their values.
	for ((i = at + 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--) n=$((n + cword - i - 1)) && break ;;
		--*=*) ;;
		-?*) _sockt_waits "$w" && i=$((i + 1)) ;;
		*) n=$((n + 1)) ;;
		esac
	done
	set -- $operands
	shift $((n < $# ? n : $# - 1))
	_sockt_value "$1"
}

complete -F _sockt sockt
