/**
 * End-to-end hostile input: what a carrier edge sees from misbehaving peers and strangers. Each
 * malformed message gets its answer (from sipcase, or from drachtio-server before sipcase sees it,
 * as the test says), reaches neither peer when it must not, and is followed by a good call that
 * must succeed. A real drachtio-server, SIPp peers and SIPVicious on loopback, on this file's own
 * addresses (127.0.3.x), so it can run beside the other suites.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { track, untilListening } from '../../src/harness/processes.js';
import {
  callFlow,
  listenOnPeers,
  LOGS,
  metric,
  peerEnds,
  ROOT,
  sipp,
  startSipcase,
  startStack,
  until,
  untilLogged,
  which,
  writeRules,
  type Net,
  type Proc,
  type Sipcase,
  passed,
  suiteNet,
} from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const HOSTILE: Net = suiteNet('hostile', 'sipcase-hostile');
const { genesysUas, koreUas, genesysUac, koreUac } = peerEnds(HOSTILE);
/** This suite's per-source limit, low enough for a short flood to cross it. */
const RATE = { perSecond: 20, burst: 20 };

/** The good call after each bad one: flow 2 of the main suite (Kore calls Genesys, exact UUI). */
const goodCall = async (label: string) =>
  passed(
    await callFlow(
      { label: `${label}-good-genesys`, scenario: 'genesys-answer-uas.xml', ...genesysUas },
      { label: `${label}-good-kore`, scenario: 'kore-call-uac.xml', ...koreUac, service: '+14445556666' },
    ),
  );

/** Status lines of the responses a SIPp instance received, from its message trace. */
function statusesReceived(label: string): string[] {
  const trace = readFileSync(join(LOGS, `${label}.messages.log`), 'latin1');
  return [...trace.matchAll(/message received \[\d+\] bytes :\r?\n\r?\n(SIP\/2\.0 \d{3}[^\r\n]*)/g)].map((m) => m[1] as string);
}

/** The UUI header lines of the first INVITE a SIPp instance received. */
function uuiLinesReceived(label: string): string[] {
  const trace = readFileSync(join(LOGS, `${label}.messages.log`), 'latin1');
  const invite = /\n(INVITE [\s\S]*?)\r?\n\r?\n/.exec(trace)?.[1] ?? '';
  return invite.split(/\r?\n/).filter((l) => /^(x-)?user-to-user\s*:/i.test(l));
}

describe.skipIf(!ready)('hostile input from peers and strangers', () => {
  let server: Proc;
  let app: Sipcase;
  const rejected = (reason: string) => metric(app, 'sipcase_requests_rejected_total', { reason });

  beforeAll(async () => {
    ({ server, app } = await startStack('hostile', HOSTILE, writeRules(HOSTILE, join(LOGS, 'hostile', 'rules.json')), {
      SIPCASE_SOURCE_RATE: String(RATE.perSecond),
      SIPCASE_SOURCE_BURST: String(RATE.burst),
    }));
  }, 40_000);

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it.each([
    ['invalid hex', 'User-To-User: 04ZZ12;encoding=hex', 'User-to-User: 04ZZ12;encoding=hex', 'sipcase_uui_findings_total', { kind: 'encoding-mismatch' }],
    [
      'an encoding nobody registered',
      'User-To-User: 0048656C6C6F;encoding=base64',
      'User-to-User: 0048656C6C6F;encoding=base64',
      'sipcase_uui_findings_total',
      { kind: 'unknown-encoding' },
    ],
    // The preset keeps the first UUI toward Genesys (which drops them all when there are several).
    [
      'two UUIs that disagree',
      'User-To-User: 00AA;encoding=hex\r\nuser-to-user: 00BB;encoding=hex',
      'User-to-User: 00AA;encoding=hex',
      'sipcase_rewrites_total',
      { rule: 'uui-exactly-one', action: 'single' },
    ],
  ])(
    'UUI with %s: relayed (lint warns, never blocks), Genesys gets exactly one User-to-User, value untouched; counted; a good call follows',
    async (what, lines, arrives, counter, labels) => {
      const label = `h-uui-${what.split(' ').join('-')}`;
      const before = await metric(app, counter, labels);
      passed(
        await callFlow(
          { label: `${label}-genesys`, scenario: 'genesys-one-uui-uas.xml', ...genesysUas },
          { label: `${label}-kore`, scenario: 'kore-lines-uac.xml', ...koreUac, service: '+14445556666', keys: { lines } },
        ),
      );
      expect(uuiLinesReceived(`${label}-genesys`)).toEqual([arrives]);
      expect(await metric(app, counter, labels)).toBe(before + 1);
      await goodCall(label);
    },
  );

  const uui10k = `User-To-User: ${'41'.repeat(5000)};encoding=hex`;
  const headerLines = (count: number, width: number) => Array.from({ length: count }, (_, i) => `X-Pad-${i}: ${'v'.repeat(width)}`).join('\r\n');
  it.each([
    ['a 10 KB UUI value', 400, 'drachtio-server (a header line over 8 KB), before sipcase sees it', 'hk-uui10k', uui10k],
    ['1,000 header lines (15 KB)', 513, 'sipcase: over limits.maxMessageBytes', 'hk-lines', headerLines(1000, 4)],
    ['a 60 KB message, near the largest UDP datagram', 513, 'sipcase: over limits.maxMessageBytes', 'hk-60k', headerLines(1500, 30)],
  ])('an INVITE with %s is answered %i by %s; Genesys hears nothing; a good call follows', async (_what, status, by, label, lines) => {
    const relayed = await metric(app, 'sipcase_requests_relayed_total', { method: 'INVITE' });
    const tooLarge = await rejected('too_large');
    const peers = await listenOnPeers(HOSTILE);
    try {
      passed({ kore: await sipp({ label, scenario: 'kore-refused-uac.xml', ...koreUac, service: '+14445556666', keys: { lines } }).done });
      await new Promise((r) => setTimeout(r, 300));
      expect(statusesReceived(label).at(-1)).toMatch(new RegExp(`^SIP/2\\.0 ${status} `));
      expect(peers.heard).toEqual([]);
    } finally {
      peers.close();
    }
    expect(await metric(app, 'sipcase_requests_relayed_total', { method: 'INVITE' })).toBe(relayed);
    expect(await rejected('too_large')).toBe(tooLarge + (by.startsWith('sipcase') ? 1 : 0));
    await goodCall(label);
  });

  it('inside a call: REFER without Refer-To and with a garbage one get 400, an unknown method 501, an oversized INFO 513; none reaches Kore, and the call goes on', async () => {
    const malformed = await rejected('malformed');
    const tooLarge = await rejected('too_large');
    passed(
      await callFlow(
        { label: 'hd-kore', scenario: 'kore-plain-uas.xml', ...koreUas },
        {
          label: 'hd-genesys',
          scenario: 'genesys-hostile-dialog-uac.xml',
          ...genesysUac,
          service: '+15557770000',
          vars: { big: Array.from({ length: 120 }, () => 'b'.repeat(98)).join('\r\n') },
        },
      ),
    );
    expect(statusesReceived('hd-genesys').filter((s) => !/^SIP\/2\.0 (100|200)/.test(s))).toEqual([
      'SIP/2.0 400 Missing Refer-To',
      'SIP/2.0 400 Bad Refer-To',
      'SIP/2.0 501 Not Implemented',
      'SIP/2.0 513 Message Too Large',
    ]);
    expect(await rejected('malformed')).toBe(malformed + 2);
    expect(await rejected('too_large')).toBe(tooLarge + 1);
    await goodCall('hd');
  });

  it('inside a call, an answer too large for drachtio-server (a 12 KB INFO 200) crosses with its status only, and the next call still works', async () => {
    const big = Array.from({ length: 120 }, () => 'b'.repeat(98)).join('\r\n');
    passed(
      await callFlow(
        { label: 'hb-kore', scenario: 'kore-big-answer-uas.xml', ...koreUas, keys: { hdrs: '' }, vars: { big } },
        { label: 'hb-genesys', scenario: join(ROOT, 'src/regress/flows/basic-uac.xml'), ...genesysUac, service: '+15557770000', keys: { hdrs: '' } },
      ),
    );
    const infoAnswer =
      readFileSync(join(LOGS, 'hb-genesys.messages.log'), 'latin1')
        .split(/-{20,}/)
        .find((m) => /received[\s\S]*\r\nCSeq: 3 INFO\r\n/.test(m)) ?? '';
    expect(infoAnswer).toMatch(/SIP\/2\.0 200 OK/);
    expect(infoAnswer).not.toContain('bbbbbbbb');
    // Had the 12 KB answer reached drachtio-server, its connection would carry no further call.
    await goodCall('hb');
  });

  it(`a flood of OPTIONS from one peer address: within ${RATE.burst} at once and ${RATE.perSecond}/s 200, over it 503 + Retry-After; the other peer is unaffected, and the flooding address is served again once it slows down`, async () => {
    const before = await rejected('rate');
    const started = Date.now();
    const flood = await sipp({ label: 'flood-genesys', scenario: 'options-flood-uac.xml', ...genesysUac, calls: 300, rate: 300, timeoutS: 20 }).done;
    const seconds = (Date.now() - started) / 1000;
    passed({ flood });
    const refused = (await rejected('rate')) - before;
    const served = 300 - refused;
    // Everything over the bucket is refused: what was served fits the burst plus the refill.
    expect(refused).toBeGreaterThan(0);
    expect(served).toBeGreaterThanOrEqual(RATE.burst);
    expect(served).toBeLessThanOrEqual(RATE.burst + Math.ceil(RATE.perSecond * seconds) + 1);
    await untilLogged(app, `"source":"${HOSTILE.genesys}","msg":"source over limits.sourceRate`);
    // Kore's own bucket is full: its call goes through at once.
    await goodCall('flood-kore');
    await new Promise((r) => setTimeout(r, 1000));
    passed(
      await callFlow(
        { label: 'flood-after-kore', scenario: 'kore-answer-uas.xml', ...koreUas },
        { label: 'flood-after-genesys', scenario: 'genesys-call-uac.xml', ...genesysUac, service: '+15557770000', vars: { hangup: 'caller' } },
      ),
    );
  });

  /** A scanner the project did not write, from the stranger's address, bounded in time. */
  async function scan(label: string, cmd: string, args: string[]): Promise<{ code: number; out: string }> {
    const proc = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }), join(LOGS, `${label}.log`));
    const timer = setTimeout(() => void proc.stop(), 60_000);
    const code = await proc.exited;
    clearTimeout(timer);
    await new Promise((r) => setTimeout(r, 200));
    return { code, out: readFileSync(proc.log, 'utf8') };
  }

  it('SIPVicious svmap and svwar from strangers: every probe refused alike, no fingerprint, nothing reaches either peer, and the next real call succeeds', async () => {
    const strangers = await rejected('unknown_source');
    const peers = await listenOnPeers(HOSTILE);
    try {
      const map = await scan('svmap', 'svmap', ['-b', HOSTILE.stranger, '-p', String(HOSTILE.sipPort), '-t', '0.05', HOSTILE.drachtio]);
      const war = await scan('svwar', 'svwar', [
        '-b',
        HOSTILE.stranger,
        '-p',
        String(HOSTILE.sipPort),
        '-m',
        'INVITE',
        '-e',
        '100-199',
        '-t',
        '0.05',
        '--force',
        HOSTILE.drachtio,
      ]);
      expect(map.code, map.out).toBe(0);
      // svmap finds a SIP device but no fingerprint: sipcase's answers carry no User-Agent or Server.
      expect(map.out).toMatch(new RegExp(`\\| ${HOSTILE.drachtio}:${HOSTILE.sipPort} +\\| unknown +\\|`));
      // svwar gives up: every probe gets the same 403, so no extension stands out.
      expect(war.code, war.out).toBe(0);
      expect(war.out).toContain('403 Forbidden');
      expect(war.out).toContain('found nothing');
      expect(peers.heard).toEqual([]);
    } finally {
      peers.close();
    }
    expect((await rejected('unknown_source')) - strangers).toBeGreaterThanOrEqual(2);
    await goodCall('scanned');
  }, 150_000);

  it("sipcase killed mid-call (SIGKILL): the caller's BYE gets 481 from drachtio-server, the callee hears nothing; a restarted sipcase serves the next call", async () => {
    // Answered calls counted before this one: the call is up when that count has grown by one (a live
    // call alone may still be setting up, and killing sipcase then proves nothing about a dialog).
    const answered0 = await metric(app, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' });
    const uas = sipp({ label: 'killed-kore', scenario: 'hold-uas.xml', ...koreUas, timeoutS: 8 });
    await untilListening(uas.proc, 'udp', koreUas.ip, koreUas.port);
    const uac = sipp({
      label: 'killed-genesys',
      scenario: 'hold-uac.xml',
      ...genesysUac,
      service: '+15557770000',
      vars: { hangup: 'caller' },
      pauseMs: 2500,
      timeoutS: 8,
    });
    await until(
      'the call to be answered',
      async () =>
        (await metric(app, 'sipcase_live_calls', {})) === 1 &&
        (await metric(app, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' })) === answered0 + 1,
      5000,
    );
    process.kill(app.pid, 'SIGKILL');
    const [kore, genesys] = await Promise.all([uas.done, uac.done]);
    // The dialogs live on in drachtio-server, but the app that owned them is gone.
    expect(genesys.code).not.toBe(0);
    expect(statusesReceived('killed-genesys').at(-1)).toBe('SIP/2.0 481 Call/Transaction Does Not Exist');
    // Kore's side waits for a BYE that never comes: its own timers must end the call.
    expect(kore.code).not.toBe(0);
    expect(readFileSync(join(LOGS, 'killed-kore.messages.log'), 'latin1')).not.toMatch(/\nBYE /);
    app = startSipcase('hostile-sipcase-restarted', join(LOGS, 'hostile', 'rules.json'), {}, HOSTILE);
    expect(await app.ready).toBe('ready');
    await goodCall('restarted');
  }, 40_000);
});
