/**
 * End-to-end: SIPp peers through sipcase and a real drachtio-server on loopback.
 * 127.0.0.2 plays Genesys, 127.0.0.3 plays Kore, 127.0.0.9 a stranger. Each flow is one call
 * (or one request) and fails on SIPp's exit code; the scenarios assert exact bytes.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callFlow, listenOnPeers, NET, peerEnds, ROOT, sipp, startDrachtio, startSipcase, untilLogged, which, writeRules, type Proc, passed } from './stack.js';

const drachtio = which('drachtio');
const sippBin = which('sipp');
if (drachtio === undefined) process.stdout.write('skipped: no drachtio-server\n');
else if (sippBin === undefined) process.stdout.write('skipped: no sipp\n');
const ready = drachtio !== undefined && sippBin !== undefined;

const drachtioAt = `${NET.drachtio}:${NET.sipPort}`;
const { genesysUas, koreUas, genesysUac, koreUac } = peerEnds(NET);

/** A call Genesys places toward Kore: Kore's UAS scenario, Genesys' UAC scenario. */
const genesysCallsKore = (label: string, kore: string, genesys: string, vars: Record<string, string> = {}, koreKeys: Record<string, string> = {}) =>
  callFlow(
    { label: `${label}-kore`, scenario: kore, ...koreUas, vars, keys: koreKeys },
    { label: `${label}-genesys`, scenario: genesys, ...genesysUac, service: '+15557770000', vars },
  );

/** A call Kore places toward Genesys. */
const koreCallsGenesys = (label: string, genesys: string, kore: string) =>
  callFlow({ label: `${label}-genesys`, scenario: genesys, ...genesysUas }, { label: `${label}-kore`, scenario: kore, ...koreUac, service: '+14445556666' });

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
    passed(await genesysCallsKore(`f1-${hangup}`, 'kore-answer-uas.xml', 'genesys-call-uac.xml', { hangup }));
  });

  it('2. Kore -> Genesys: INVITE with User-To-User arrives with exactly one User-to-User', async () => {
    passed(await koreCallsGenesys('f2', 'genesys-answer-uas.xml', 'kore-call-uac.xml'));
  });

  /** Genesys calls Kore, and Kore hands the call back with a REFER (Refer-To value, one more header line). */
  const transfer = (label: string, referTo: string, uuiLine: string) =>
    genesysCallsKore(label, 'kore-transfer-uas.xml', 'genesys-transfer-uac.xml', {}, { refer_to: referTo, uui_line: uuiLine });

  it('3. REFER with UUI as a header: Genesys gets it in the Refer-To URI, exact case, no UUI header; 202 and NOTIFYs relayed', async () => {
    passed(await transfer('f3', '<sip:+14445556666@byoc.example.pure.cloud>', 'User-To-User: XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii'));
  });

  it('4. REFER with UUI already embedded, mis-cased: Genesys gets it spelled User-to-User', async () => {
    passed(
      await transfer('f4', '<sip:+14445556666@byoc.example.pure.cloud?User-To-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>', 'X-Flow: uui-in-uri'),
    );
  });

  it('4b. header injection: a Refer-To whose embedded UUI decodes to CRLF "X-Injected: evil" reaches Genesys still escaped, with no new header line', async () => {
    passed(
      await genesysCallsKore(
        'f4b',
        'kore-transfer-uas.xml',
        'genesys-refer-injection-uac.xml',
        {},
        {
          refer_to: '<sip:+14445556666@byoc.example.pure.cloud?user-to-user=XX%0D%0AX-Injected%3A%20evil>',
          uui_line: 'X-Flow: injection',
        },
      ),
    );
  });

  it('5. re-INVITE and INFO in both directions; UPDATE, MESSAGE and in-dialog OPTIONS; answers relayed with status, headers and bodies', async () => {
    passed(await genesysCallsKore('f5', 'kore-midcall-uas.xml', 'genesys-midcall-uac.xml'));
  });

  it('6. CANCEL before answer reaches the other peer; the caller gets 200 and 487', async () => {
    passed(await genesysCallsKore('f6', 'kore-cancel-uas.xml', 'genesys-cancel-uac.xml'));
  });

  it('7. 486 Busy Here relayed with its reason and headers, rewritten', async () => {
    passed(await genesysCallsKore('f7', 'kore-busy-uas.xml', 'genesys-busy-uac.xml'));
  });

  it("5b. late offer: INVITE without SDP; the caller's answer in its ACK reaches the far end's ACK", async () => {
    passed(await koreCallsGenesys('f5b', 'genesys-late-offer-uas.xml', 'kore-late-offer-uac.xml'));
  });

  it('5c. reliable 183 (100rel): each leg PRACKs on its own, early SDP crosses', async () => {
    passed(await genesysCallsKore('f5c', 'kore-prack-uas.xml', 'genesys-prack-uac.xml'));
  });

  it('8. an unknown source gets 403 and neither peer receives anything', async () => {
    const peers = await listenOnPeers(NET);
    try {
      const run = await sipp({
        label: 'f8-stranger',
        scenario: join(ROOT, 'src/regress/flows/stranger-uac.xml'),
        ip: NET.stranger,
        port: NET.uacPort,
        remote: drachtioAt,
        service: '+15557770000',
      }).done;
      await new Promise((r) => setTimeout(r, 500));
      passed({ stranger: run });
      expect(peers.heard).toEqual([]);
      await untilLogged(sipcase, `"source":"${NET.stranger}:${NET.uacPort}"`);
    } finally {
      peers.close();
    }
  });

  it.each([
    ['Genesys', NET.genesys],
    ['Kore', NET.kore],
  ])('9. out-of-dialog OPTIONS keep-alive from %s is answered 200', async (who, ip) => {
    passed({ [who]: await sipp({ label: `f9-${who}`, scenario: 'options-uac.xml', ip, port: NET.uacPort, remote: drachtioAt }).done });
  });
});

describe.skipIf(!ready)('start-up', () => {
  it("waits for a drachtio-server that starts after sipcase (a sidecar's start order is not guaranteed)", async () => {
    const app = startSipcase('sipcase-early', writeRules());
    await new Promise((r) => setTimeout(r, 1500));
    const server = await startDrachtio('drachtio-late', 'User-to-User');
    try {
      expect(await app.ready).toBe('ready');
      await untilLogged(app, 'not connected yet, retrying');
    } finally {
      await app.stop();
      await server.stop();
    }
  }, 30_000);

  it("refuses to start when drachtio-server re-cases the rules' names, and says what to set", async () => {
    const server = await startDrachtio('drachtio-unpreserved', undefined);
    try {
      const app = startSipcase('sipcase-unpreserved', writeRules());
      const state = await app.ready;
      await app.stop();
      expect(state).toBe(1);
      const log = readFileSync(app.log, 'utf8');
      expect(log).toContain('User-to-User arrived as User-To-User');
      expect(log).toContain('start drachtio-server with DRACHTIO_PRESERVE_HEADER_NAMES=User-to-User');
    } finally {
      await server.stop();
    }
  }, 30_000);
});
