#!/usr/bin/env bash
# Test PKI for the broker's SSL listener: a CA, a broker certificate (SAN IP:127.0.0.1, DNS:localhost),
# a client certificate (for kafkajs `ssl: {ca, cert, key}`), and an unrelated CA (for the failure test).
# Usage: certs.sh DIR STORE_PASSWORD. Idempotent: does nothing when every file is already there.
set -euo pipefail
dir="$1"
store_password="$2"
files=(ca.pem ca-key.pem broker.pem broker-key.pem broker.p12 client.pem client-key.pem other-ca.pem)
missing=0
for f in "${files[@]}"; do [ -s "$dir/$f" ] || missing=1; done
[ "$missing" = 0 ] && exit 0
command -v openssl >/dev/null || { echo "certs.sh: openssl is needed to make the test certificates" >&2; exit 1; }

tmp="$(mktemp -d "${dir%/}.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
days=3650
ca() { # name CN
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$1-key.pem" -out "$1.pem" 2>/dev/null
}
leaf() { # name CN extensions
	openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$2" -keyout "$1-key.pem" -out "$1.csr" 2>/dev/null
	printf '%b' "$3" >"$1.ext"
	openssl x509 -req -sha256 -days "$days" -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
		-extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ca ca "doris-sinker test CA"
ca other-ca "doris-sinker unrelated CA"
leaf broker localhost 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
leaf client sinker 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
openssl pkcs12 -export -name broker -in broker.pem -inkey broker-key.pem -certfile ca.pem \
	-passout "pass:$store_password" -out broker.p12
rm -f ./*.csr ./*.ext ./*.srl other-ca-key.pem
mkdir -p "$dir"
for f in "${files[@]}"; do mv -f "$f" "$dir/$f"; done
chmod 600 "$dir"/*-key.pem "$dir/broker.p12"
