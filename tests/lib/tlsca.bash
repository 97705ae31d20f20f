# tlsca.bash: a CA of the suite's own and the certificates tls.bats speaks with, made by
# openssl in the directory given: ca (the trusted CA), good (localhost, 127.0.0.1, ::1),
# expired, wrongname (other.test), soon (expires in 3 days), and rogue (a CA nobody
# trusts) with roguesrv, the certificate it signed for localhost.

# mkcert DIR NAME CA SANS [x509 date options...]: a P-256 key and a certificate signed by CA.
mkcert() {
	local dir=$1 name=$2 ca=$3 sans=$4
	shift 4
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/$name.key" -subj "/CN=${sans%%,*}" -out "$dir/$name.csr" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$(echo "$sans" |
		sed 's/\([^,]*\)/\1/g; s/^/DNS:/; s/,/,DNS:/g; s/DNS:\([0-9][0-9.]*\)/IP:\1/g; s/DNS:\(::1\)/IP:\1/g')" \
		>"$dir/$name.ext"
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
		-CAcreateserial -extfile "$dir/$name.ext" -out "$dir/$name.crt" "$@" 2>/dev/null
}

# mkca DIR NAME CN: a self-signed CA.
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$1/$2.key" -subj "/CN=$3" -days 30 -out "$1/$2.crt" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign 2>/dev/null
}

# tlsca_make DIR: everything above, in DIR.
tlsca_make() {
	local dir=$1
	mkca "$dir" ca "sockt test CA"
	mkca "$dir" rogue "rogue test CA"
	mkcert "$dir" good ca "localhost,127.0.0.1,::1" -days 30
	mkcert "$dir" soon ca "localhost,127.0.0.1,::1" -days 3
	mkcert "$dir" wrongname ca "other.test" -days 30
	mkcert "$dir" roguesrv rogue "localhost,127.0.0.1,::1" -days 30
	mkexpired "$dir"
}

# mkexpired DIR: a certificate for localhost that expired 2026-11-01 12:00 UTC. openssl 3.0's
# x509 cannot date one in the past: openssl ca can (-startdate, -enddate).
mkexpired() {
	local dir=$1
	mkcert "$dir" expired ca "localhost,127.0.0.1,::1" -days 1
	mkdir -p "$dir/db"
	: >"$dir/db/index"
	cat >"$dir/db/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $dir/db/index
new_certs_dir = $dir/db
serial = $dir/ca.srl
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
	openssl ca -batch -config "$dir/db/ca.cnf" -cert "$dir/ca.crt" -keyfile "$dir/ca.key" \
		-in "$dir/expired.csr" -extfile "$dir/expired.ext" -notext \
		-startdate 20261001120000Z -enddate 20261101120000Z -out "$dir/expired.crt" 2>/dev/null
}
