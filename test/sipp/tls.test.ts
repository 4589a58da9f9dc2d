/**
 * TLS toward a peer, end to end on loopback: Kore (SIPp, UDP) calls through drachtio-server and
 * sipcase toward a Genesys whose target is `;transport=tls`; drachtio-server's TLS contact reaches
 * Kamailio (a TLS edge the project did not write, certificate made by the test), which hands the
 * call to a SIPp UAS that asserts it arrived over TLS 1.2+ with exact-case UUI. Addresses 127.0.2.x.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned, startKamailio } from './kamailio.js';
import { callFlow, LOGS, startDrachtio, startSipcase, which, writeRules, presetRuleList, type Net, type Proc, type Sipcase, suiteNet } from './stack.js';

const tools = ['drachtio', 'sipp', 'kamailio', 'openssl'].filter((t) => which(t) === undefined);
if (tools.length > 0) process.stdout.write(`skipped: no ${tools.join(', ')}${tools.includes('drachtio') ? ' (no drachtio-server)' : ''}\n`);

const TLS_NET: Net = suiteNet('tls', 'sipcase-tls');
const EDGE_TLS_PORT = 25061;
const DRACHTIO_TLS_PORT = 27061;

describe.skipIf(tools.length > 0)('TLS toward Genesys', () => {
  const procs: Proc[] = [];
  let app: Sipcase;

  beforeAll(async () => {
    const dir = join(LOGS, 'tls');
    const edgeCert = selfSigned(join(dir, 'edge'), TLS_NET.genesys);
    const drachtioCert = selfSigned(join(dir, 'drachtio'), TLS_NET.drachtio);
    procs.push(
      await startKamailio('tls-kamailio', {
        ip: TLS_NET.genesys,
        tlsPort: EDGE_TLS_PORT,
        udpPort: 25062,
        uas: `${TLS_NET.genesys}:${TLS_NET.uasPort}`,
        certificate: edgeCert,
      }),
    );
    procs.push(await startDrachtio('tls-drachtio', 'User-to-User', TLS_NET, { port: DRACHTIO_TLS_PORT, ...drachtioCert }));
    const rules = writeRules(TLS_NET, join(dir, 'rules.json'), presetRuleList(), `sip:${TLS_NET.genesys}:${EDGE_TLS_PORT};transport=tls`);
    app = startSipcase('tls-sipcase', rules, {}, TLS_NET);
    procs.push(app);
    const state = await app.ready;
    if (state !== 'ready') throw new Error(`sipcase exited with ${state} before it was ready: see ${app.log}`);
  }, 40_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
  });

  it('Kore -> Genesys over TLS: the edge sees TLS 1.2+, Genesys exactly one User-to-User; the whole dialog crosses', async () => {
    const runs = await callFlow(
      { label: 'tls-genesys', scenario: 'genesys-tls-uas.xml', ip: TLS_NET.genesys, port: TLS_NET.uasPort },
      {
        label: 'tls-kore',
        scenario: 'kore-call-uac.xml',
        ip: TLS_NET.kore,
        port: TLS_NET.uacPort,
        remote: `${TLS_NET.drachtio}:${TLS_NET.sipPort}`,
        service: '+14445556666',
      },
    );
    for (const [who, run] of Object.entries(runs)) expect(run.code, `${who} SIPp exit code; its errors:\n${run.errors}`).toBe(0);
  }, 30_000);
});
