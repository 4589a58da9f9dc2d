/**
 * Kamailio (Debian's build, with its tls module) as a TLS peer the project did not write: it plays
 * Genesys BYOC's TLS edge. It accepts SIP over TLS from drachtio-server, stamps each request with the
 * transport and TLS version it arrived on, and relays it over UDP to a SIPp UAS; it Record-Routes
 * so the whole dialog (ACK, BYE, either way) crosses the TLS hop. Also: a throw-away certificate.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { portOpen, track, until, type Proc } from '../../src/harness/processes.js';
import { LOGS } from './stack.js';

export interface Certificate {
  readonly key: string;
  readonly cert: string;
}

/** A self-signed certificate for an IP address, valid one day, made with openssl. */
export function selfSigned(dir: string, ip: string): Certificate {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${ip}`, '-addext', `subjectAltName=IP:${ip}`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { key, cert };
}

export interface TlsEdge {
  /** Where Kamailio listens for SIP over TLS. */
  readonly ip: string;
  readonly tlsPort: number;
  /** Its UDP side, toward the SIPp UAS. */
  readonly udpPort: number;
  /** The SIPp UAS it relays to (UDP). */
  readonly uas: string;
  readonly certificate: Certificate;
}

function config(edge: TlsEdge, tlsCfg: string): string {
  return `#!KAMAILIO
# Test TLS edge: TLS in from drachtio-server, UDP out to a SIPp UAS.
debug=2
log_stderror=yes
children=2
tcp_children=2
enable_tls=yes
listen=tls:${edge.ip}:${edge.tlsPort}
listen=udp:${edge.ip}:${edge.udpPort}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tls.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
modparam("tls", "config", "${tlsCfg}")
modparam("rr", "enable_double_rr", 1)

request_route {
  xlog("L_INFO", "$rm from $proto:$si:$sp\\n");
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { t_relay(); exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { t_relay(); exit; }
  if ($proto != "tls") {
    sl_send_reply("403", "TLS only");
    exit;
  }
  # Witnesses for the UAS: which transport and TLS version the request arrived on.
  append_hf("X-Arrived-Over: $proto\\r\\n");
  append_hf("X-Tls-Version: $tls_version\\r\\n");
  record_route();
  $du = "sip:${edge.uas};transport=udp";
  $fs = "udp:${edge.ip}:${edge.udpPort}";
  t_relay();
}
`;
}

export async function startKamailio(name: string, edge: TlsEdge): Promise<Proc> {
  const dir = join(LOGS, name);
  mkdirSync(dir, { recursive: true });
  const tlsCfg = join(dir, 'tls.cfg');
  writeFileSync(
    tlsCfg,
    `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = ${edge.certificate.key}
certificate = ${edge.certificate.cert}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`,
  );
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, config(edge, tlsCfg));
  const args = ['-f', cfg, '-DD', '-E', '-m', '64', '-M', '8', '-Y', dir, '-P', join(dir, 'kamailio.pid')];
  const proc = track(spawn('kamailio', args, { stdio: ['ignore', 'pipe', 'pipe'] }), join(LOGS, `${name}.log`));
  await until('Kamailio TLS port', async () => proc.child.exitCode === null && (await portOpen(edge.ip, edge.tlsPort)), 10_000);
  return proc;
}
