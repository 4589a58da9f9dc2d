/**
 * The benchmark's baseline: the smallest drachtio-srf B2BUA that passes the same check as sipcase
 * (exactly one `User-to-User`, value unchanged, toward the far peer). It copies the UUI by hand
 * under the exact name and nothing else; no rules, no source guard, no metrics, no logs.
 *   BASELINE_DRACHTIO=127.0.0.1:9022 BASELINE_SECRET=cymru BASELINE_TARGET=127.0.0.2:5090 node dist/bench/baseline.js
 * drachtio-server must be started with DRACHTIO_PRESERVE_HEADER_NAMES=User-to-User (DESIGN §2).
 */
import Srf from 'drachtio-srf';
import { lo } from '../harness/loopback-addresses.js';

interface Dialog {
  on(event: 'destroy', listener: () => void): void;
  destroy(): void;
}
interface Request {
  readonly uri: string;
  get(name: string): string | undefined;
}
interface BareSrf {
  connect(opts: { host: string; port: number; secret: string }): void;
  on(event: 'connect', listener: (err: unknown, hostport: string) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  invite(handler: (req: Request, res: unknown) => void): void;
  createB2BUA(req: Request, res: unknown, uri: string, opts: { headers: Record<string, string> }): Promise<{ uas: Dialog; uac: Dialog }>;
}

const [host = '127.0.0.1', port = '9022'] = (process.env['BASELINE_DRACHTIO'] ?? '').split(':').filter((s) => s !== '');
const target = process.env['BASELINE_TARGET'] ?? `${lo('bench:call-rate', 2)}:5090`;
const srf = new Srf() as unknown as BareSrf;

srf.on('connect', (err, hostport) => {
  if (!err) process.stdout.write(`baseline B2BUA connected to drachtio-server (${hostport})\n`);
});
srf.on('error', () => undefined); // drachtio-srf retries by itself
srf.invite((req, res) => {
  const user = /^sips?:([^@;]+)@/.exec(req.uri)?.[1] ?? '';
  const uui = req.get('User-to-User');
  srf
    .createB2BUA(req, res, `sip:${user}@${target}`, { headers: uui === undefined ? {} : { 'User-to-User': uui } })
    .then(({ uas, uac }) => {
      uas.on('destroy', () => uac.destroy());
      uac.on('destroy', () => uas.destroy());
    })
    .catch(() => undefined); // the failure was answered to the caller by drachtio-srf
});
srf.connect({ host, port: Number(port), secret: process.env['BASELINE_SECRET'] ?? 'cymru' });
process.on('SIGTERM', () => process.exit(0));
