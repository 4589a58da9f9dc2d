/**
 * End-to-end: no call lives for ever. Real drachtio-server, SIPp peers that answer sipcase's
 * in-dialog OPTIONS (-aa) unless they are gone. Peers killed mid-call (no BYE will ever come), a
 * peer that lost the dialog (481), a call past its age, a call never answered, and a drain after a
 * fault: each call ends on both sides by itself, counted by outcome.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { untilListening } from '../../src/harness/processes.js';
import {
  LOGS,
  metric,
  passed,
  peerEnds,
  sipp,
  startDrachtio,
  startSipcase,
  until,
  which,
  writeRules,
  type Net,
  type Proc,
  type Sipcase,
  suiteNet,
} from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const LIVENESS: Net = suiteNet('liveness', 'sipcase-liveness');
const RULES = join(LOGS, 'liveness-rules.json');
const { koreUas, genesysUac } = peerEnds(LIVENESS);
/** The default liveness bound: a probe every 30 s, and drachtio-server gives up on one after 32 s. */
const DEFAULT_BOUND_MS = 30_000 + 32_000;

const ended = (app: Sipcase, outcome: string) => metric(app, 'sipcase_calls_ended_total', { from: 'genesys', to: 'kore', outcome });
const live = (app: Sipcase) => metric(app, 'sipcase_live_calls');

/** Genesys places `calls` calls to Kore (both answer sipcase's OPTIONS); resolves once all are answered. */
async function callsUp(app: Sipcase, label: string, calls: number, kore = 'live-callee-uas.xml') {
  const answered0 = await metric(app, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' });
  const uas = sippHere({ label: `${label}-kore`, scenario: kore, ...koreUas, calls, timeoutS: 200 });
  await untilListening(uas.proc, 'udp', koreUas.ip, koreUas.port);
  const uac = sippHere({
    label: `${label}-genesys`,
    scenario: 'live-caller-uac.xml',
    ...genesysUac,
    service: '+15557770000',
    calls,
    rate: 20,
    timeoutS: 200,
  });
  await until(
    `${calls} calls answered`,
    async () => (await metric(app, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' })) >= answered0 + calls,
    10_000,
  );
  return { uas, uac };
}

const kill = (p: { proc: Proc }) => process.kill(p.proc.child.pid as number, 'SIGKILL');

/** Every SIPp this suite started: a failed test must not leave one holding a peer's port. */
const started: { proc: Proc }[] = [];
const sippHere = (spec: Parameters<typeof sipp>[0]) => {
  const run = sipp(spec);
  started.push(run);
  return run;
};
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.proc.stop()));
});

describe.skipIf(!ready)('no call lives for ever: liveness, ceilings, and a drain after a fault', () => {
  let server: Proc;

  beforeAll(async () => {
    server = await startDrachtio('liveness-drachtio', 'User-to-User', LIVENESS);
    writeRules(LIVENESS, RULES);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  describe('default settings', () => {
    let app: Sipcase;
    beforeAll(async () => {
      app = startSipcase('liveness-default', RULES, {}, LIVENESS);
      expect(await app.ready).toBe('ready');
    }, 30_000);
    afterAll(async () => {
      await app?.stop();
    });

    it('both peers killed mid-call (no BYE will ever come): live calls return to 0 within the default bound, ended as unreachable', async () => {
      const calls = 10;
      const unreachable0 = await ended(app, 'unreachable');
      const peers = await callsUp(app, 'vanish', calls);
      const killedAt = Date.now();
      kill(peers.uac);
      kill(peers.uas);
      await until('live calls back to 0', async () => (await live(app)) === 0, DEFAULT_BOUND_MS + 10_000);
      const tookMs = Date.now() - killedAt;
      process.stdout.write(
        `liveness: ${calls} calls whose peers vanished ended ${(tookMs / 1000).toFixed(1)} s after (default bound ${DEFAULT_BOUND_MS / 1000} s)\n`,
      );
      expect(await ended(app, 'unreachable')).toBe(unreachable0 + calls);
      expect(tookMs).toBeLessThanOrEqual(DEFAULT_BOUND_MS + 10_000);
    }, 120_000);
  });

  describe('short timers (liveness every 2 s, 2 s to answer)', () => {
    let app: Sipcase;
    beforeAll(async () => {
      app = startSipcase('liveness-short', RULES, { SIPCASE_LIVENESS_INTERVAL_S: '2', SIPCASE_MAX_SETUP_SECONDS: '2' }, LIVENESS);
      expect(await app.ready).toBe('ready');
    }, 30_000);
    afterAll(async () => {
      await app?.stop();
    });

    it('the callee killed mid-call: the caller, still there, gets a BYE; the call is unreachable', async () => {
      const unreachable0 = await ended(app, 'unreachable');
      const peers = await callsUp(app, 'one-gone', 1);
      kill(peers.uas);
      passed({ caller: await peers.uac.done }); // its scenario ends with the BYE sipcase sent
      expect(await ended(app, 'unreachable')).toBe(unreachable0 + 1);
    }, 60_000);

    it('the callee answers OPTIONS with 481 (it lost the dialog): both legs get BYE, the caller included', async () => {
      const unreachable0 = await ended(app, 'unreachable');
      const peers = await callsUp(app, 'lost', 1, 'lost-dialog-uas.xml');
      passed({ caller: await peers.uac.done, callee: await peers.uas.done });
      expect(await ended(app, 'unreachable')).toBe(unreachable0 + 1);
      expect(await live(app)).toBe(0);
    }, 60_000);

    it('a call not answered within limits.maxSetupSeconds: the caller gets 408, the callee a CANCEL', async () => {
      const timeout0 = await ended(app, 'setup_timeout');
      const uas = sippHere({ label: 'unanswered-kore', scenario: 'ringing-uas.xml', ...koreUas });
      await untilListening(uas.proc, 'udp', koreUas.ip, koreUas.port);
      const uac = sippHere({ label: 'unanswered-genesys', scenario: 'unanswered-uac.xml', ...genesysUac, service: '+15557770000' });
      passed({ caller: await uac.done, callee: await uas.done });
      expect(await ended(app, 'setup_timeout')).toBe(timeout0 + 1);
    }, 60_000);
  });

  describe('a ceiling on age (calls at most 2 s old)', () => {
    let app: Sipcase;
    beforeAll(async () => {
      app = startSipcase('liveness-age', RULES, { SIPCASE_MAX_CALL_SECONDS: '2' }, LIVENESS);
      expect(await app.ready).toBe('ready');
    }, 30_000);
    afterAll(async () => {
      await app?.stop();
    });

    it('a call past limits.maxCallSeconds: BYE both ways, ended as max_age', async () => {
      const maxAge0 = await ended(app, 'max_age');
      const peers = await callsUp(app, 'old', 1);
      passed({ caller: await peers.uac.done, callee: await peers.uas.done });
      expect(await ended(app, 'max_age')).toBe(maxAge0 + 1);
    }, 60_000);
  });

  it('calls abandoned by a fault, then SIGTERM: the drain ends when they are found dead, not at its timeout', async () => {
    const app = startSipcase('liveness-drain', RULES, {}, LIVENESS);
    try {
      expect(await app.ready).toBe('ready');
      const peers = await callsUp(app, 'abandoned', 10);
      kill(peers.uac);
      kill(peers.uas);
      const signalled = Date.now();
      process.kill(app.child.pid as number, 'SIGTERM');
      const code = await app.exited;
      const tookMs = Date.now() - signalled;
      process.stdout.write(`liveness: drain with 10 abandoned calls took ${(tookMs / 1000).toFixed(1)} s (drain.timeoutMs 300 s)\n`);
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(45_000);
    } finally {
      await app.stop();
    }
  }, 90_000);
});
