#!/bin/sh
# drachtio-server as compose runs it, with this folder's drachtio.conf.xml and flags from the
# environment (the same names as docker/compose.yml documents):
#   SIP_ADDRESS          address SIP binds and advertises ("*": every interface)         default *
#   SIP_PORT             SIP port, UDP and TCP                                           default 5060
#   SIP_TLS_PORT         when set: SIP over TLS (1.2 at least) on this port, with the key, certificate
#                        and chain in TLS_DIR (default /etc/drachtio/tls): privkey.pem, cert.pem, fullchain.pem
#   PUBLIC_ADDRESS       when set: the address peers reach this host on (1:1 NAT), used in
#                        Via, Contact and Record-Route instead of SIP_ADDRESS (--external-ip)
#   DRACHTIO_ADMIN_PORT  admin port for sipcase, on 127.0.0.1 only                       default 9022
#   DRACHTIO_SECRET      admin secret                                                    default cymru
#   HOMER_ADDRESS        when set: HEP copies of every SIP message to this host:port, HOMER_ID the agent id
# DRACHTIO_PRESERVE_HEADER_NAMES and drachtio-server's own DRACHTIO_* variables pass through.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
address=${SIP_ADDRESS:-*}
[ -n "$address" ] || address='*'

# --external-ip applies to the contact before it.
set -- --contact "sip:$address:${SIP_PORT:-5060};transport=udp,tcp"
[ -z "${PUBLIC_ADDRESS:-}" ] || set -- "$@" --external-ip "$PUBLIC_ADDRESS"
if [ -n "${SIP_TLS_PORT:-}" ]; then
  # drachtio-server v0.9.10 binds TLS only for a sips: contact.
  set -- "$@" --contact "sips:$address:$SIP_TLS_PORT;transport=tls"
  [ -z "${PUBLIC_ADDRESS:-}" ] || set -- "$@" --external-ip "$PUBLIC_ADDRESS"
  tls=${TLS_DIR:-/etc/drachtio/tls}
  # The chain is required: it is the CA list drachtio-server sets TLS up with.
  set -- "$@" --key-file "$tls/privkey.pem" --cert-file "$tls/cert.pem" --chain-file "$tls/fullchain.pem" --min-tls-version 1.2
fi
[ -z "${HOMER_ADDRESS:-}" ] || set -- "$@" --homer "$HOMER_ADDRESS" --homer-id "${HOMER_ID:-10}"

exec drachtio -f "$here/drachtio.conf.xml" "$@" \
  --address 127.0.0.1 --port "${DRACHTIO_ADMIN_PORT:-9022}" --secret "${DRACHTIO_SECRET:-cymru}"
