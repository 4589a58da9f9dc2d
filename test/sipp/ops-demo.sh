#!/usr/bin/env bash
# What an operator sees, in one go, on loopback: drachtio-server and sipcase (the container's
# entrypoint), one SIPp call Kore -> Genesys, /metrics and `promtool check metrics`, a bad save and
# a good save of the rules file, SIGHUP, then SIGTERM with a call still up (a new call gets 503, the
# live call ends normally, exit 0), and sipcase's log lines for all of it. Needs drachtio, sipp,
# promtool, curl and `npm run build`. Uses SIP port 5060 and HTTP port 8080 on 127.0.0.1.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
scenarios=$root/test/sipp/scenarios
cd "$work"
echo '<drachtio><admin port="9022" secret="cymru">127.0.0.1</admin><sip><contacts></contacts></sip><logging><console/><loglevel>notice</loglevel></logging></drachtio>' > drachtio.xml
mkdir rules
node -e '
const r = require(process.argv[1]);
r.peers = { genesys: { sources: ["127.0.0.2"], target: "sip:127.0.0.2:5090;transport=udp" }, kore: { sources: ["127.0.0.3"], target: "sip:127.0.0.3:5090;transport=udp" } };
delete r.$schema;
require("fs").writeFileSync("rules/rules.json", JSON.stringify(r, null, 2));' "$root/config/rules.json"
DRACHTIO_PRESERVE_HEADER_NAMES=User-to-User drachtio -f drachtio.xml --contact "sip:127.0.0.1:5060;transport=udp" > drachtio.log 2>&1 &
drachtio_pid=$!
sleep 0.5
SIPCASE_RULES=$work/rules/rules.json SIPCASE_HTTP_HOST=127.0.0.1 "$root/docker/entrypoint.sh" > sipcase.log 2>&1 &
sipcase_pid=$!
for _ in $(seq 50); do curl -sf 127.0.0.1:8080/readyz >/dev/null && break; sleep 0.2; done

sipp -sf "$scenarios/genesys-answer-uas.xml" -i 127.0.0.2 -p 5090 -m 1 -nostdin -timeout 15s >/dev/null 2>&1 &
sleep 0.3
sipp -sf "$scenarios/kore-call-uac.xml" -i 127.0.0.3 -p 5070 -s +14445556666 -m 1 -nostdin -timeout 15s 127.0.0.1:5060 >/dev/null 2>&1
echo "one call Kore -> Genesys: SIPp exit $?"
sleep 0.5
echo '$ curl -s 127.0.0.1:8080/metrics | grep ^sipcase_   (samples that moved)'
curl -s 127.0.0.1:8080/metrics | grep '^sipcase_' | grep -v ' 0$' | grep -v _bucket
echo '$ curl -s 127.0.0.1:8080/metrics | promtool check metrics'
curl -s 127.0.0.1:8080/metrics | promtool check metrics
echo "promtool exit $?"

cp rules/rules.json good.json
echo '{"peers":' > rules/.new && mv rules/.new rules/rules.json && sleep 1
cp good.json rules/.new && mv rules/.new rules/rules.json && sleep 1
kill -HUP "$sipcase_pid" && sleep 0.5

sipp -sf "$scenarios/hold-uas.xml" -i 127.0.0.3 -p 5090 -m 1 -nostdin -timeout 15s >/dev/null 2>&1 &
sleep 0.3
sipp -sf "$scenarios/hold-uac.xml" -i 127.0.0.2 -p 5070 -s +15557770000 -set hangup caller -d 3000 -m 1 -nostdin -timeout 15s 127.0.0.1:5060 >/dev/null 2>&1 &
held=$!
sleep 1
kill -TERM "$sipcase_pid" && sleep 0.3
echo '$ curl -s 127.0.0.1:8080/readyz   (draining)'
curl -s -w ' (HTTP %{http_code})\n' 127.0.0.1:8080/readyz
sipp -sf "$scenarios/refused-invite-uac.xml" -i 127.0.0.3 -p 5071 -s +15557770000 -m 1 -nostdin -timeout 15s 127.0.0.1:5060 >/dev/null 2>&1
echo "a new call while draining: SIPp exit $? (0: it got 503 with Retry-After)"
wait "$held"; echo "the live call: SIPp exit $? (0: its BYE crossed)"
wait "$sipcase_pid"; echo "sipcase exit $?"
kill "$drachtio_pid"; wait "$drachtio_pid" 2>/dev/null
echo "--- sipcase's log: reload and drain (full log: $work/sipcase.log)"
grep -E 'reload|SIGHUP|stop|drain|refused|stopped|call ended' sipcase.log | sed -E 's/"time":[0-9]+,//'
