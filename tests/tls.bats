#!/usr/bin/env bats
# tls.bats: connect, send and listen --tls against a CA of the suite's own (lib/tlsca.bash):
# the relay through TLS (sha256 both ways) with sockt, openssl s_server/s_client and socat's
# OPENSSL as peers; each handshake failure's error line and hint; --no-verify, --tls-min,
# --alpn, the -v and --json reports; connect -z --tls --warn-days. In a build without TLS
# (./configure --without-tls) the file checks that --tls says so, and skips the rest loudly.

load lib/common
source "$BATS_TEST_DIRNAME/lib/tlsca.bash"
bats_require_minimum_version 1.5.0

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	mkdir -p "$CA"
	TLS_BUILT=0
	grep -q '^#define HAVE_TLS 1' "${SOCKT_BUILDDIR:?}/config.h" && TLS_BUILT=1
	export TLS_BUILT
	if [ "$TLS_BUILT" = 1 ]; then tlsca_make "$CA"; fi
}

# require_tls: every test but the build's own needs TLS built in; skipped loudly otherwise.
require_tls() {
	if [ "$TLS_BUILT" != 1 ]; then
		echo "# SKIPPED (built --without-tls): $BATS_TEST_DESCRIPTION" >&3
		skip "built without TLS"
	fi
}

# s_server NAME CERT [ARGS...]: openssl s_server on 127.0.0.1 with CERT from the CA
# directory, as NAME, sending each line back reversed (-rev); its port in $PORT once it
# listens.
s_server() {
	local name=$1 cert=$2 addr=127.0.0.1
	shift 2
	PORT=$(free_port)
	spawn "$name" openssl s_server -quiet -rev -accept "$addr:$PORT" -cert "$CA/$cert.crt" \
		-key "$CA/$cert.key" "$@"
	wait_listening "$PORT"
}

# tls_listen NAME [ARGS...]: sockt listen --tls with the good certificate on 127.0.0.1, port in
# $PORT once its "listening on" line is out.
tls_listen() {
	local name=$1
	shift
	spawn "$name" "$SOCKT" -v listen --tls --cert "$CA/good.crt" --key "$CA/good.key" "$@" \
		127.0.0.1 0
	wait_for_line "$(tmp)/$name.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/$name.err")
}

# sha FILE: its sha256 in hex.
sha() { sha256sum <"$1" | cut -d' ' -f1; }

@test "the build says whether TLS is built in: without it --tls is refused with status 4" {
	run --separate-stderr "$SOCKT" connect --tls 127.0.0.1 "$(free_port)"
	if [ "$TLS_BUILT" = 1 ]; then
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"[ECONNREFUSED, errno 111]"* ]]
	else
		[ "$status" -eq 4 ]
		[ "$stderr" = "sockt connect: --tls: this sockt was built without TLS (configure found no OpenSSL 3, or was given --without-tls)" ]
	fi
}

@test "TLS options are usage errors without --tls, and listen --tls needs --cert" {
	run --separate-stderr "$SOCKT" connect --ca /dev/null 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: --ca applies with --tls" ]
	run --separate-stderr "$SOCKT" listen --tls 127.0.0.1 0
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt listen: --tls needs --cert FILE (and --key FILE) to listen" ]
	run --separate-stderr "$SOCKT" connect --tls --tls-min 1.4 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: invalid --tls-min '1.4': must be 1.0, 1.1, 1.2 or 1.3" ]
	run --separate-stderr "$SOCKT" connect --tls --warn-days 3 127.0.0.1 1
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: --warn-days applies to -z --tls only" ]
	run --separate-stderr "$SOCKT" listen -k --tls --cert x 127.0.0.1 0
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt listen: --tls serves one connection: not with -k" ]
}

@test "sockt connect --tls and sockt listen --tls move 4 MB each way, sha256 intact" {
	require_tls
	big_file "$(tmp)/up" 4M
	big_file "$(tmp)/down" 4M
	STDIN_FILE="$(tmp)/down" tls_listen l
	timeout 20 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" <"$(tmp)/up" \
		>"$(tmp)/got"
	wait_exit "$(cat "$(tmp)/l.pid")" 20
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(sha "$(tmp)/got")" = "$(cat "$(tmp)/down.sha")" ]
	[ "$(sha "$(tmp)/l.out")" = "$(cat "$(tmp)/up.sha")" ]
	grep -Eq '^sockt listen: TLS handshake in [0-9]+\.[0-9]{2} ms: TLSv1\.3, ' "$(tmp)/l.err"
}

@test "over ::1 too: the certificate's IP SAN ::1 verifies" {
	require_tls
	spawn l "$SOCKT" -v listen --tls --cert "$CA/good.crt" --key "$CA/good.key" ::1 0
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on ::1 port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l.err")
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/ca.crt" ::1 "$PORT" <<<"over six"
	[ "$status" -eq 0 ]
	wait_exit "$(cat "$(tmp)/l.pid")" 10
	[ "$(cat "$(tmp)/l.out")" = "over six" ]
}

@test "connect -v --tls against openssl s_server reports version, cipher, handshake time and the chain" {
	require_tls
	s_server s good
	run --separate-stderr timeout 10 "$SOCKT" -v connect --tls --ca "$CA/ca.crt" localhost "$PORT" <<<"hello"
	[ "$status" -eq 0 ]
	fp=$(openssl x509 -in "$CA/good.crt" -noout -fingerprint -sha256 | cut -d= -f2)
	[[ "$stderr" =~ "sockt connect: connected to 127.0.0.1 port $PORT (tcp) in "[0-9.]+" ms" ]]
	[[ "$stderr" =~ "sockt connect: TLS handshake in "[0-9]+\.[0-9]{2}" ms: TLSv1.3, TLS_"[A-Z0-9_]+", ALPN none" ]]
	[[ "$stderr" == *"sockt connect: certificate 0: CN = localhost"* ]]
	[[ "$stderr" == *"sockt connect:   names: DNS:localhost, IP:127.0.0.1, IP:::1"* ]]
	[[ "$stderr" == *"sockt connect:   issuer: CN = sockt test CA"* ]]
	[[ "$stderr" =~ "sockt connect:   valid: "[0-9-]+" "[0-9:]+" UTC to "[0-9-]+" "[0-9:]+" UTC ("(29|30)" days left)" ]]
	[[ "$stderr" == *"sockt connect:   key: EC 256 bits (prime256v1)"* ]]
	[[ "$stderr" == *"sockt connect:   SHA-256: $fp"* ]]
	[[ "$stderr" == *"sockt connect: OCSP: no response stapled"* ]]
	[[ "$stderr" == *"sockt connect: certificate verified for localhost"* ]]
	[ "$output" = "olleh" ]
}

@test "an expired certificate: X509_V_ERR_CERT_HAS_EXPIRED, and when it expired" {
	require_tls
	s_server s expired
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" </dev/null
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: TLS handshake with localhost (127.0.0.1 port $PORT): certificate verify failed: certificate has expired [X509_V_ERR_CERT_HAS_EXPIRED]" ]
	days=$(( ($(date +%s) - $(date -d '2026-11-01 12:00 UTC' +%s)) / 86400 ))
	[ "${stderr_lines[1]}" = "sockt connect: hint: it expired 2026-11-01 12:00 UTC, $days days ago" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
}

@test "a certificate for another name: the hint names the names it covers" {
	require_tls
	s_server s wrongname
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" </dev/null
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: TLS handshake with localhost (127.0.0.1 port $PORT): certificate verify failed: hostname mismatch [X509_V_ERR_HOSTNAME_MISMATCH]" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: the certificate covers DNS:other.test, not localhost; connect by one of those names, or check that one with --sni NAME" ]
	# The name the certificate has, through --sni, verifies.
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --sni other.test --ca "$CA/ca.crt" 127.0.0.1 "$PORT" <<<"by sni"
	[ "$status" -eq 0 ]
	[ "$output" = "ins yb" ]
}

@test "an unknown CA: the hint names the issuer and --ca; --no-verify goes on with one warning" {
	require_tls
	s_server s roguesrv
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" </dev/null
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: TLS handshake with localhost (127.0.0.1 port $PORT): certificate verify failed: unable to get local issuer certificate [X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY]" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: its issuer CN = rogue test CA is not among the trusted CAs; --ca FILE with that CA's certificate trusts it" ]
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --no-verify localhost "$PORT" <<<"unverified"
	[ "$status" -eq 0 ]
	[ "$stderr" = "sockt connect: warning: --no-verify: the certificate of localhost was not verified" ]
	[ "$output" = "deifirevnu" ]
	# The rogue CA given with --ca is trusted.
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/rogue.crt" localhost "$PORT" <<<"trusted"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "--tls-min 1.3 against a TLS 1.2-only server names what each side offered" {
	require_tls
	s_server s good -tls1_2
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --tls-min 1.3 --ca "$CA/ca.crt" localhost "$PORT" </dev/null
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: TLS handshake with localhost (127.0.0.1 port $PORT): tlsv1 alert protocol version [SSL_R_TLSV1_ALERT_PROTOCOL_VERSION]" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: this side offered TLS 1.3 only (--tls-min 1.3); the server offered TLS 1.2 (a second handshake found it), which --tls-min 1.2 would accept" ]
	run --separate-stderr timeout 10 "$SOCKT" -v connect --tls --ca "$CA/ca.crt" localhost "$PORT" <<<"twelve"
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ "TLS handshake in "[0-9.]+" ms: TLSv1.2, " ]]
}

@test "listen --tls-min 1.3: a TLS 1.2 client is refused, the hint names its version" {
	require_tls
	tls_listen l --tls-min 1.3
	run timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$PORT" </dev/null
	[ "$status" -ne 0 ]
	wait_exit "$(cat "$(tmp)/l.pid")" 10
	[ "$EXIT_STATUS" -eq 1 ]
	grep -Eq "^sockt listen: TLS handshake with 127\.0\.0\.1 port [0-9]+: unsupported protocol \[SSL_R_UNSUPPORTED_PROTOCOL\]$" "$(tmp)/l.err"
	grep -qx "sockt listen: hint: the client offered TLS 1.2 at most; this side accepts TLS 1.3 only (--tls-min 1.3)" "$(tmp)/l.err"
}

@test "ALPN: the protocol the server chose is shown, in -v and --json" {
	require_tls
	s_server s good -alpn h2,http/1.1
	run --separate-stderr timeout 10 "$SOCKT" -v connect --tls --alpn http/1.1 --ca "$CA/ca.crt" localhost "$PORT" <<<"a"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *", ALPN http/1.1"* ]]
	run --separate-stderr timeout 10 "$SOCKT" --json connect --tls --alpn h2 --ca "$CA/ca.crt" localhost "$PORT" <<<"b"
	[ "$status" -eq 0 ]
	[ "$(jq -r .alpn <<<"${stderr_lines[0]}")" = h2 ]
	# sockt on both sides: the server's list, the client's offer.
	tls_listen l --alpn foo,bar
	run --separate-stderr timeout 10 "$SOCKT" -v connect --tls --alpn bar --ca "$CA/ca.crt" localhost "$PORT" <<<"c"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *", ALPN bar"* ]]
}

@test "--json gives the report as one object on stderr: version, chain, days left, fingerprint" {
	require_tls
	s_server s good
	run --separate-stderr timeout 10 "$SOCKT" --json connect --tls --ca "$CA/ca.crt" localhost "$PORT" <<<"j"
	[ "$status" -eq 0 ]
	# The TLS report first, then the close and timing objects of every connection.
	[ "${#stderr_lines[@]}" -eq 3 ]
	[ "$(jq -r .type <<<"${stderr_lines[0]}")" = tls ]
	[ "$(jq -r .tls_version <<<"${stderr_lines[0]}")" = TLSv1.3 ]
	[ "$(jq -r .verified <<<"${stderr_lines[0]}")" = true ]
	[ "$(jq -r .ocsp_stapled <<<"${stderr_lines[0]}")" = false ]
	[ "$(jq -r '.chain[0].days_left' <<<"${stderr_lines[0]}")" = 29 ]
	[ "$(jq -r '.chain[0].key_type' <<<"${stderr_lines[0]}")" = EC ]
	[ "$(jq -r '.chain[0].sha256' <<<"${stderr_lines[0]}")" = "$(openssl x509 -in "$CA/good.crt" -noout -fingerprint -sha256 | cut -d= -f2)" ]
	jq -e '.handshake_ms > 0' <<<"${stderr_lines[0]}"
}

@test "connect -z --tls: status 1 when a certificate expires within --warn-days, 0 when none does" {
	require_tls
	s_server soon soon
	soon=$PORT
	s_server good good
	good=$PORT
	run --separate-stderr timeout 20 "$SOCKT" connect -z --tls --ca "$CA/ca.crt" --warn-days 7 127.0.0.1 "$soon" "$good"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" =~ "127.0.0.1 port $soon (tcp) open "[0-9.]+" ms, tls TLSv1.3, certificate expires "[0-9-]+" "[0-9:]+" UTC ("(2|3)" days left)" ]]
	[[ "$output" =~ "127.0.0.1 port $good (tcp) open "[0-9.]+" ms, tls TLSv1.3, certificate expires "[0-9-]+" "[0-9:]+" UTC ("(29|30)" days left)" ]]
	run --separate-stderr timeout 20 "$SOCKT" connect -z --tls --ca "$CA/ca.crt" --warn-days 2 127.0.0.1 "$soon" "$good"
	[ "$status" -eq 1 ]
	run --separate-stderr timeout 20 "$SOCKT" connect -z --tls --ca "$CA/ca.crt" --warn-days 1 127.0.0.1 "$soon" "$good"
	[ "$status" -eq 0 ]
	run --separate-stderr timeout 20 "$SOCKT" connect -z --tls --ca "$CA/ca.crt" 127.0.0.1 "$good"
	[ "$status" -eq 0 ]
}

@test "connect -z --tls says an expired certificate's days and verify error, in --json too" {
	require_tls
	s_server s expired
	run --separate-stderr timeout 20 "$SOCKT" --json connect -z --tls --ca "$CA/ca.crt" 127.0.0.1 "$PORT"
	[ "$status" -eq 1 ]
	days=$(( ($(date +%s) - $(date -d '2026-11-01 12:00 UTC' +%s)) / 86400 ))
	[ "$(jq -r .days_left <<<"$output")" = "-$days" ]
	[ "$(jq -r .verify_error <<<"$output")" = X509_V_ERR_CERT_HAS_EXPIRED ]
	[ "$(jq -r .not_after <<<"$output")" = "2026-11-01 12:00 UTC" ]
}

@test "openssl s_client speaks with listen --tls both ways" {
	require_tls
	STDIN_FILE=<(echo "from sockt") tls_listen l --no-shutdown
	run timeout 10 sh -c "{ echo from s_client; sleep 1; } | openssl s_client -quiet -verify_return_error -CAfile '$CA/ca.crt' -connect 127.0.0.1:$PORT"
	[[ "$output" == *"from sockt"* ]]
	wait_for_line "$(tmp)/l.out" '^from s_client$'
}

@test "socat OPENSSL as client and as server: 4 MB through TLS each way, sha256 intact" {
	require_tls
	big_file "$(tmp)/up" 4M
	tls_listen l --recv-only
	run timeout 20 socat -u "FILE:$(tmp)/up" "OPENSSL:127.0.0.1:$PORT,cafile=$CA/ca.crt"
	[ "$status" -eq 0 ]
	wait_exit "$(cat "$(tmp)/l.pid")" 20
	[ "$(sha "$(tmp)/l.out")" = "$(cat "$(tmp)/up.sha")" ]
	# socat serves TLS and echoes: what comes back is what went.
	PORT=$(free_port)
	spawn echo socat "OPENSSL-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,cert=$CA/good.crt,key=$CA/good.key,verify=0" EXEC:cat
	wait_listening "$PORT"
	timeout 20 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" <"$(tmp)/up" >"$(tmp)/back"
	[ "$(sha "$(tmp)/back")" = "$(cat "$(tmp)/up.sha")" ]
}

@test "send --tls sends the request and prints the reply" {
	require_tls
	PORT=$(free_port)
	spawn echo socat "OPENSSL-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,cert=$CA/good.crt,key=$CA/good.key,verify=0" EXEC:cat
	wait_listening "$PORT"
	run --separate-stderr timeout 10 "$SOCKT" send -w 5 --tls --ca "$CA/ca.crt" localhost "$PORT" 'ping over tls'
	[ "$status" -eq 0 ]
	[ "$output" = "ping over tls" ]
}

@test "connect --tls to a port that does not speak TLS says so" {
	require_tls
	# A plain-text server that greets first ("hello").
	tcp_server plain greet 127.0.0.1 0 "$(tmp)/greet"
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" </dev/null
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: TLS handshake with localhost (127.0.0.1 port $PORT): wrong version number [SSL_R_WRONG_VERSION_NUMBER]" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: the peer does not speak TLS on this port (a plain-text service?)" ]
}

@test "a peer that closes during the handshake is said as such" {
	require_tls
	PORT=$(free_port)
	spawn plain socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" SYSTEM:'head -c 10 >/dev/null'
	wait_listening "$PORT"
	run --separate-stderr timeout 10 "$SOCKT" connect --tls --ca "$CA/ca.crt" localhost "$PORT" </dev/null
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: TLS handshake with localhost (127.0.0.1 port $PORT): the peer closed the connection" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: the peer ended the handshake: it may not speak TLS on this port, or refused what this side offered" ]
}

@test "listen --tls reads --cert and --key before it binds: a missing file, a key of another certificate" {
	require_tls
	run --separate-stderr timeout 5 "$SOCKT" listen --tls --cert "$CA/none.crt" 127.0.0.1 0
	[ "$status" -eq 4 ]
	[ "$stderr" = "sockt listen: read certificate $CA/none.crt: No such file or directory [ENOENT, errno 2]" ]
	run --separate-stderr timeout 5 "$SOCKT" listen --tls --cert "$CA/good.crt" --key "$CA/soon.key" 127.0.0.1 0
	[ "$status" -eq 4 ]
	[ "${stderr_lines[0]}" = "sockt listen: read private key $CA/soon.key: key values mismatch [x509 certificate routines error 116]" ]
	[ "${stderr_lines[1]}" = "sockt listen: hint: --key must hold the private key of the certificate in --cert, in PEM (without --key: in the --cert file)" ]
}

@test "OCSP stapling: a response the server staples is reported, in -v and --json" {
	require_tls
	: >"$(tmp)/index"
	openssl ocsp -index "$(tmp)/index" -rsigner "$CA/ca.crt" -rkey "$CA/ca.key" -CA "$CA/ca.crt" \
		-issuer "$CA/ca.crt" -cert "$CA/good.crt" -respout "$(tmp)/ocsp.der" -ndays 1 >/dev/null 2>&1
	s_server s good -status_file "$(tmp)/ocsp.der"
	run --separate-stderr timeout 10 "$SOCKT" -v connect --tls --ca "$CA/ca.crt" localhost "$PORT" <<<"o"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"sockt connect: OCSP: a response was stapled"* ]]
	run --separate-stderr timeout 10 "$SOCKT" --json connect --tls --ca "$CA/ca.crt" localhost "$PORT" <<<"o"
	[ "$status" -eq 0 ]
	[ "$(jq -r .ocsp_stapled <<<"${stderr_lines[0]}")" = true ]
}
