/**
 * End-to-end: SIPp peers through sipcase and a real drachtio-server on loopback.
 * 127.0.0.2 plays Genesys, 127.0.0.3 plays Kore, 127.0.0.9 a stranger. Each flow is one call
 * (or one request) and fails on SIPp's exit code; the scenarios assert exact bytes.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callFlow, NET, sipp, startDrachtio, startSipcase, which, writeRules, type Proc, type SippRun } from './stack.js';

const drachtio = which('drachtio');
const sippBin = which('sipp');
if (drachtio === undefined) process.stdout.write('skipped: no drachtio-server\n');
else if (sippBin === undefined) process.stdout.write('skipped: no sipp\n');
const ready = drachtio !== undefined && sippBin !== undefined;

const drachtioAt = `${NET.drachtio}:${NET.sipPort}`;
const genesysUas = { ip: NET.genesys, port: NET.uasPort };
const genesysUac = { ip: NET.genesys, port: NET.uacPort, remote: drachtioAt };
const koreUas = { ip: NET.kore, port: NET.uasPort };
const koreUac = { ip: NET.kore, port: NET.uacPort, remote: drachtioAt };

function passed(runs: Record<string, SippRun>): void {
  for (const [who, run] of Object.entries(runs)) {
    expect(run.code, `${who} SIPp exit code; its errors:\n${run.errors}`).toBe(0);
  }
}

describe.skipIf(!ready)('SIPp through sipcase and drachtio-server', () => {
  let server: Proc;
  let sipcase: Proc;

  beforeAll(async () => {
    server = await startDrachtio('drachtio', 'User-to-User');
    const app = startSipcase('sipcase', writeRules());
    sipcase = app;
    const state = await app.ready;
    if (state !== 'ready') throw new Error(`sipcase exited with ${state} before it was ready: see test/sipp/logs/sipcase.log`);
  }, 30_000);

  afterAll(async () => {
    await sipcase?.stop();
    await server?.stop();
  });

  it.each(['caller', 'callee'])('1. Genesys -> Kore: INVITE / 180 / 200 / ACK, BYE from the %s', async (hangup) => {
    const r = await callFlow(
      { label: `f1-${hangup}-kore`, scenario: 'kore-answer-uas.xml', ...koreUas, vars: { hangup } },
      { label: `f1-${hangup}-genesys`, scenario: 'genesys-call-uac.xml', ...genesysUac, service: '+15557770000', vars: { hangup } },
    );
    passed(r);
  });

  it('2. Kore -> Genesys: INVITE with User-To-User arrives with exactly one User-to-User', async () => {
    passed(
      await callFlow(
        { label: 'f2-genesys', scenario: 'genesys-answer-uas.xml', ...genesysUas },
        { label: 'f2-kore', scenario: 'kore-call-uac.xml', ...koreUac, service: '+14445556666' },
      ),
    );
  });

  const transfer = (label: string, referTo: string, uuiLine: string) =>
    callFlow(
      { label: `${label}-kore`, scenario: 'kore-transfer-uas.xml', ...koreUas, keys: { refer_to: referTo, uui_line: uuiLine } },
      { label: `${label}-genesys`, scenario: 'genesys-transfer-uac.xml', ...genesysUac, service: '+15557770000' },
    );

  it('3. REFER with UUI as a header: Genesys gets it in the Refer-To URI, exact case, no UUI header; 202 and NOTIFYs relayed', async () => {
    passed(await transfer('f3', '<sip:+14445556666@byoc.example.pure.cloud>', 'User-To-User: XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii'));
  });

  it('4. REFER with UUI already embedded, mis-cased: Genesys gets it spelled User-to-User', async () => {
    passed(await transfer('f4', '<sip:+14445556666@byoc.example.pure.cloud?User-To-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>', 'X-Flow: uui-in-uri'));
  });
});
