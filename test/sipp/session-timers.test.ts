/**
 * End-to-end: RFC 4028 session timers through sipcase and a real drachtio-server, with 90 s intervals
 * (RFC 4028's floor: drachtio-server 0.9.10 aborts on much shorter ones, so sipcase answers those 422).
 * What drachtio-server does on its own, measured here: on the leg where it is the UAC and the 2xx
 * makes it the refresher (refresher=uac), it re-INVITEs the callee about every half interval, and
 * when such a refresh fails it ends that leg; toward the caller (refresher=uac) it tears the dialog
 * down itself when the interval passes with no refresh, with a BYE carrying `Reason: SIP;cause=200;
 * text="Session timer expired"` to the caller and to sipcase. sipcase counts that BYE as the call
 * expiring (outcome expired, ended by drachtio-server). Its own watch of the caller's refreshes is a
 * backstop a grace later (a third of the interval, 30 s here), so the two never race to end a call:
 * drachtio-server's teardown is the one this test sees, every time.
 * drachtio-server's own refresh comes half an interval after the last 2xx, give or take a random 5 s
 * (40 to 50 s here), so a caller refreshing every 35 s keeps it away from the callee: with 40 s
 * pauses its BYE at 120 s raced a refresh due between 120 and 130 s, and lost one run in ten or so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilListening } from '../../src/harness/processes.js';
import {
  LOGS,
  metric,
  passed,
  peerEnds,
  sippEachTest,
  startDrachtio,
  startSipcase,
  untilLogged,
  which,
  writeRules,
  type Net,
  type Proc,
  type Sipcase,
  suiteNet,
} from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const TIMERS: Net = suiteNet('session-timers', 'sipcase-timers');
const { koreUas, genesysUac } = peerEnds(TIMERS);
const ended = (app: Sipcase, outcome: string) => metric(app, 'sipcase_calls_ended_total', { from: 'genesys', to: 'kore', outcome });

const sippHere = sippEachTest();

/** One call with a 90 s session timer; the caller re-INVITEs every `pauseMs` (when its scenario does). */
async function timerCall(label: string, caller: string, callee: string, pauseMs?: number): Promise<void> {
  const uas = sippHere({ label: `${label}-kore`, scenario: callee, ...koreUas, timeoutS: 200 });
  await untilListening(uas.proc, 'udp', koreUas.ip, koreUas.port);
  const uac = sippHere({
    label: `${label}-genesys`,
    scenario: caller,
    ...genesysUac,
    service: '+15557770000',
    ...(pauseMs === undefined ? {} : { pauseMs }),
    timeoutS: 200,
  });
  passed({ caller: await uac.done, callee: await uas.done });
}

describe.skipIf(!ready)('session timers (RFC 4028): a 90 s interval, refresher=uac', () => {
  let server: Proc;
  let app: Sipcase;

  beforeAll(async () => {
    server = await startDrachtio('timers-drachtio', 'User-to-User', TIMERS);
    app = startSipcase('timers-sipcase', writeRules(TIMERS, join(LOGS, 'timers-rules.json')), {}, TIMERS);
    expect(await app.ready).toBe('ready');
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it('a session interval under 90 s gets 422 with Min-SE: 90 from sipcase, and drachtio-server stays up', async () => {
    const rejected0 = await metric(app, 'sipcase_requests_rejected_total', { reason: 'session_interval' });
    const uac = sippHere({ label: 'short-interval-genesys', scenario: 'short-interval-uac.xml', ...genesysUac, service: '+15557770000' });
    passed({ caller: await uac.done });
    expect(await metric(app, 'sipcase_requests_rejected_total', { reason: 'session_interval' })).toBe(rejected0 + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await metric(app, 'sipcase_drachtio_connected')).toBe(1);
  });

  it("the caller's refreshes cross (a re-INVITE at 35 s and 70 s, each answered with the timer): the call outlives its interval and ends with the caller's BYE at 105 s", async () => {
    const completed0 = await ended(app, 'completed');
    const at = Date.now();
    await timerCall('timer-refresh', 'timer-refresh-uac.xml', 'timer-callee-uas.xml', 35_000);
    expect(Date.now() - at).toBeGreaterThanOrEqual(105_000);
    expect(await ended(app, 'completed')).toBe(completed0 + 1);
  }, 200_000);

  it('a caller that stops refreshing: drachtio-server tears its dialog down 90 s after the last refresh, the BYE crosses to the callee, and the call ends as expired, by drachtio-server', async () => {
    const expired0 = await ended(app, 'expired');
    const at = Date.now();
    await timerCall('timer-stale', 'timer-stale-uac.xml', 'timer-expiring-uas.xml');
    expect(await ended(app, 'expired')).toBe(expired0 + 1);
    expect(Date.now() - at).toBeGreaterThanOrEqual(90_000);
    await untilLogged(app, /"outcome":"expired","endedBy":"drachtio-server"/);
  }, 200_000);
});
