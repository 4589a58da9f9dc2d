/**
 * End-to-end scale-out: Kamailio's dispatcher (Debian's build, running docker/kamailio/kamailio.cfg)
 * in front of two sipcase + drachtio-server pairs, SIPp peers on loopback (127.0.5.x, this file's
 * own). Both peers only ever talk to the balancer (sipcase sends its outbound legs through it).
 * Calls spread over both instances; every in-dialog request reaches the instance that owns its
 * call; an instance drained in the middle of a run loses no call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer } from '../../src/bench/balancer.js';
import { untilListening } from '../../src/harness/processes.js';
import { callFlow, LOGS, metric, peerEnds, ROOT, sipp, startStack, until, which, writeRules, type Net, type Proc, type Sipcase, passed } from './stack.js';
import { lo } from '../../src/harness/loopback-addresses.js';

const tools = ['drachtio', 'sipp', 'kamailio'].filter((t) => which(t) === undefined);
if (tools.length > 0) process.stdout.write(`skipped: no ${tools.join(', ')}${tools.includes('drachtio') ? ' (no drachtio-server)' : ''}\n`);

const BALANCER = { ip: lo('scale', 1), port: 25060 };
const balancerAt = `${BALANCER.ip}:${BALANCER.port}`;
/** One instance's addresses: its drachtio-server's SIP and admin address; the peers are shared. */
const instance = (ip: string): Net => ({
  drachtio: ip,
  sipPort: 25060,
  adminPort: 25022,
  secret: 'sipcase-scale',
  genesys: lo('scale', 2),
  kore: lo('scale', 3),
  stranger: lo('scale', 9),
  uasPort: 25090,
  uacPort: 25070,
});
const A = instance(lo('scale', 11));
const B = instance(lo('scale', 12));
const { genesysUas, koreUas, genesysUac, koreUac } = peerEnds(A, balancerAt);

describe.skipIf(tools.length > 0)("scale-out behind Kamailio's dispatcher", () => {
  const procs: Proc[] = [];
  let a: Sipcase;
  let b: Sipcase;

  beforeAll(async () => {
    const rules = writeRules(A, join(LOGS, 'scale', 'rules.json'));
    const env = { SIPCASE_PROXIES: BALANCER.ip, SIPCASE_OUTBOUND_PROXY: `sip:${balancerAt}`, SIPCASE_DRAIN_TIMEOUT_MS: '30000' };
    const [sa, sb] = await Promise.all([startStack('scale-a', A, rules, env), startStack('scale-b', B, rules, env)]);
    procs.push(sa.server, sa.app, sb.server, sb.app);
    a = sa.app;
    b = sb.app;
    procs.push(
      await startBalancer(LOGS, 'scale-kamailio', { ...BALANCER, instances: [`${A.drachtio}:${A.sipPort}`, `${B.drachtio}:${B.sipPort}`], pingIntervalS: 1 }),
    );
    // Each instance has answered a probe: both are in rotation.
    // Let the dispatcher probe both instances before the first call.
    await new Promise((r) => setTimeout(r, 1500));
  }, 60_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
  });

  it("calls spread over both instances, and each call's re-INVITE, INFO, REFER, NOTIFYs and BYE reach the instance that owns it", async () => {
    const started = async (): Promise<[number, number]> => [
      await metric(a, 'sipcase_calls_started_total', { from: 'genesys', to: 'kore' }),
      await metric(b, 'sipcase_calls_started_total', { from: 'genesys', to: 'kore' }),
    ];
    const [a0, b0] = await started();
    for (const n of [1, 2]) {
      passed(
        await callFlow(
          {
            label: `scale-transfer${n}-kore`,
            scenario: 'kore-transfer-uas.xml',
            ...koreUas,
            keys: { refer_to: '<sip:+14445556666@byoc.example.pure.cloud>', uui_line: 'User-To-User: XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii' },
          },
          { label: `scale-transfer${n}-genesys`, scenario: 'genesys-transfer-uac.xml', ...genesysUac, service: '+15557770000' },
        ),
      );
      passed(
        await callFlow(
          { label: `scale-midcall${n}-kore`, scenario: 'kore-midcall-uas.xml', ...koreUas },
          { label: `scale-midcall${n}-genesys`, scenario: 'genesys-midcall-uac.xml', ...genesysUac, service: '+15557770000' },
        ),
      );
      passed(
        await callFlow(
          { label: `scale-kore${n}-genesys`, scenario: 'genesys-answer-uas.xml', ...genesysUas },
          { label: `scale-kore${n}-kore`, scenario: 'kore-call-uac.xml', ...koreUac, service: '+14445556666' },
        ),
      );
    }
    const [a1, b1] = await started();
    // Peers only ever talk to the balancer: the calls sipcase placed reached them through it.
    const koreSaw = readFileSync(join(LOGS, 'scale-transfer1-kore.messages.log'), 'latin1');
    expect(koreSaw).toMatch(new RegExp(`\\r\\nVia: SIP/2\\.0/UDP ${BALANCER.ip.replaceAll('.', '\\.')}:${BALANCER.port};branch=`));
    expect(koreSaw).toContain(`\r\nRecord-Route: <sip:${BALANCER.ip}:${BALANCER.port};lr;`);
    // Round-robin: four Genesys calls, two on each instance.
    expect([a1 - a0, b1 - b0]).toEqual([2, 2]);
    for (const app of [a, b]) {
      expect(await metric(app, 'sipcase_requests_relayed_total', { method: 'REFER' })).toBeGreaterThanOrEqual(1);
      expect(await metric(app, 'sipcase_calls_ended_total', { from: 'kore', to: 'genesys', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
      // An in-dialog request that reached the wrong instance would be refused there (481 or 403).
      expect(await metric(app, 'sipcase_requests_rejected_total', { reason: 'unknown_source' })).toBe(0);
    }
  }, 60_000);

  it("a stranger behind the balancer is still refused: sipcase reads the caller's address from the balancer's Via", async () => {
    const before =
      (await metric(a, 'sipcase_requests_rejected_total', { reason: 'unknown_source' })) +
      (await metric(b, 'sipcase_requests_rejected_total', { reason: 'unknown_source' }));
    passed({
      stranger: await sipp({
        label: 'scale-stranger',
        scenario: join(ROOT, 'src/regress/flows/stranger-uac.xml'),
        ip: A.stranger,
        port: A.uacPort,
        remote: balancerAt,
        service: '+15557770000',
      }).done,
    });
    const after =
      (await metric(a, 'sipcase_requests_rejected_total', { reason: 'unknown_source' })) +
      (await metric(b, 'sipcase_requests_rejected_total', { reason: 'unknown_source' }));
    expect(after - before).toBe(1);
  });

  it('one instance drained in the middle of a run: no call fails, new calls go to the other, its live calls finish on it', async () => {
    const calls = 16;
    const startedOn = (app: Sipcase) => metric(app, 'sipcase_calls_started_total', { from: 'genesys', to: 'kore' });
    const [a0, b0] = [await startedOn(a), await startedOn(b)];
    const uas = sipp({ label: 'scale-drain-kore', scenario: 'hold-uas.xml', ...koreUas, calls, timeoutS: 40 });
    await untilListening(uas.proc, 'udp', koreUas.ip, koreUas.port);
    const uac = sipp({
      label: 'scale-drain-genesys',
      scenario: 'hold-uac.xml',
      ...genesysUac,
      service: '+15557770000',
      vars: { hangup: 'caller' },
      calls,
      rate: 4,
      pauseMs: 3000,
      timeoutS: 40,
    });
    await until('calls live on instance A', async () => (await metric(a, 'sipcase_live_calls')) >= 2, 10_000);
    const liveOnA = await metric(a, 'sipcase_live_calls');
    // A draining instance starts no new call: what it has started by now is all it gets.
    const onA = (await startedOn(a)) - a0;
    process.kill(a.pid, 'SIGTERM');
    const [exitA, k, g] = await Promise.all([a.exited, uas.done, uac.done]);
    passed({ kore: k, genesys: g });
    expect(exitA).toBe(0);
    const sinceDrain = readFileSync(a.log, 'utf8').split('draining: not ready')[1] ?? '';
    const ended = sinceDrain.split('\n').filter((l) => l.includes('"msg":"call ended"'));
    expect(ended).toHaveLength(liveOnA);
    expect(ended.every((l) => l.includes('"outcome":"completed"'))).toBe(true);
    expect(sinceDrain).toContain('drained: no live calls left');
    expect((await startedOn(b)) - b0).toBe(calls - onA);
  }, 90_000);
});
