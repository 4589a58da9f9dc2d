/**
 * End-to-end operations: the HTTP endpoints, metrics counted exactly, rules reloaded during a live
 * call (and refused when bad or unprovable), drachtio-server restarted under sipcase, and the
 * drain on SIGTERM. A real drachtio-server and SIPp peers on loopback, on addresses and ports of
 * this file's own (127.0.1.x), so it can run beside the other suites.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  callFlow,
  LOGS,
  ROOT,
  presetRuleList,
  sample,
  peerEnds,
  sipp,
  startDrachtio,
  startSipcase,
  startStack,
  until,
  untilLogged,
  untilMetrics,
  which,
  writeRules,
  type Net,
  type Proc,
  type Sipcase,
  type SippRun,
  type SippSpec,
  passed,
  suiteNet,
} from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

const OPS: Net = suiteNet('operations', 'sipcase-ops');
const RULES = join(LOGS, 'ops', 'rules.json');
const { genesysUas, koreUas, genesysUac, koreUac } = peerEnds(OPS);

/** Flow 2 of the main suite: Kore calls Genesys with a mis-cased UUI, and hangs up. */
const koreCallsGenesys = (label: string) =>
  callFlow(
    { label: `${label}-genesys`, scenario: 'genesys-answer-uas.xml', ...genesysUas },
    { label: `${label}-kore`, scenario: 'kore-call-uac.xml', ...koreUac, service: '+14445556666' },
  );

/** Writes a file as an editor saves it: a new file renamed over the old. */
function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const reloads = (text: string, result: string) => sample(text, 'sipcase_rules_reloads_total', { result });

async function readyz(app: Sipcase): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await app.http('/readyz');
  return { status: r.status, body: r.text === '' ? {} : (JSON.parse(r.text) as Record<string, unknown>) };
}

/** The container's HEALTHCHECK command, run as Docker runs it, against this sipcase. */
function healthcheck(app: Sipcase): number | null {
  return spawnSync('node', [join(ROOT, 'dist/ops/healthcheck.js')], {
    env: { ...process.env, SIPCASE_HTTP_PORT: String(app.httpPort) },
    encoding: 'utf8',
    timeout: 5000,
  }).status;
}

function exitOf(proc: Proc): Promise<number | string> {
  const c = proc.child;
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode ?? String(c.signalCode));
  return new Promise((resolve) => c.once('exit', (code, signal) => resolve(code ?? String(signal))));
}

describe.skipIf(!ready)('operations: endpoints, metrics, reload, reconnect', () => {
  let server: Proc;
  let app: Sipcase;

  beforeAll(async () => {
    ({ server, app } = await startStack('ops', OPS, writeRules(OPS, RULES)));
  }, 40_000);

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it('/healthz is 200, /readyz 200 with every check passing, /metrics passes promtool check metrics', async () => {
    expect((await app.http('/healthz')).status).toBe(200);
    expect(healthcheck(app)).toBe(0);
    expect(await readyz(app)).toMatchObject({ status: 200, body: { ready: true, failing: [], drachtio: 'connected', probe: 'passed', draining: false } });
    const metrics = await app.http('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('process_cpu_seconds_total');
    expect(which('promtool'), 'promtool (Debian package prometheus) is installed by test/run').toBeDefined();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics.text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  it('/metrics after one finished call: each counter moved by exactly what the call did', async () => {
    const before = (await app.http('/metrics')).text;
    passed(await koreCallsGenesys('ops-metrics'));
    const after = await untilMetrics(app, 'the call to end', (t) => sample(t, 'sipcase_live_calls') === 0);
    writeFileSync(join(LOGS, 'ops-metrics-after-call.txt'), after); // for whoever reads the run afterwards
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    const way = { from: 'kore', to: 'genesys' };
    expect({
      started: moved('sipcase_calls_started_total', way),
      answered: moved('sipcase_calls_answered_total', way),
      completed: moved('sipcase_calls_ended_total', { ...way, outcome: 'completed' }),
      invites: moved('sipcase_requests_relayed_total', { method: 'INVITE' }),
      inviteAnswers: moved('sipcase_responses_relayed_total', { method: 'INVITE' }),
      byes: moved('sipcase_requests_relayed_total', { method: 'BYE' }),
      caseToGenesys: moved('sipcase_rewrites_total', { rule: 'uui-exact-case-to-genesys', action: 'case' }),
      caseToKore: moved('sipcase_rewrites_total', { rule: 'uui-exact-case-to-kore', action: 'case' }),
      messagesRewritten: moved('sipcase_rewrite_duration_seconds_count'),
      rejected: moved('sipcase_requests_rejected_total', { reason: 'unknown_source' }),
    }).toEqual({
      started: 1,
      answered: 1,
      completed: 1,
      invites: 1,
      inviteAnswers: 2,
      byes: 1,
      caseToGenesys: 1,
      caseToKore: 1,
      messagesRewritten: 4,
      rejected: 0,
    });
  });

  it('rules reloaded during a live call: the call goes on, and its REFER follows the new rules', async () => {
    // Rules without the REFER move: the UUI header would reach Genesys as a header, not in Refer-To.
    const withoutMove = presetRuleList().filter((r) => (r as { name: string }).name !== 'uui-into-refer-to');
    let text = (await app.http('/metrics')).text;
    const ok0 = reloads(text, 'ok');
    writeRules(OPS, RULES, withoutMove);
    text = await untilMetrics(app, 'the first reload', (t) => reloads(t, 'ok') === ok0 + 1);
    const answered0 = sample(text, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' });

    const flow = callFlow(
      {
        label: 'ops-reload-kore',
        scenario: 'kore-transfer-uas.xml',
        ...koreUas,
        pauseMs: 4000,
        keys: { refer_to: '<sip:+14445556666@byoc.example.pure.cloud>', uui_line: 'User-To-User: XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii' },
      },
      { label: 'ops-reload-genesys', scenario: 'genesys-transfer-uac.xml', ...genesysUac, service: '+15557770000' },
    );
    await untilMetrics(app, 'the call to be answered', (t) => sample(t, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === answered0 + 1);
    writeRules(OPS, RULES); // the preset again, with the REFER move
    await untilMetrics(app, 'the reload during the call', (t) => reloads(t, 'ok') === ok0 + 2, 3000);
    passed(await flow);
    await untilLogged(app, /"trigger":"file".*"msg":"rules reloaded from /);
  }, 30_000);

  it('SIGHUP reloads the rules', async () => {
    const ok0 = reloads((await app.http('/metrics')).text, 'ok');
    process.kill(app.child.pid as number, 'SIGHUP');
    await untilMetrics(app, 'the SIGHUP reload', (t) => reloads(t, 'ok') === ok0 + 1);
    await untilLogged(app, /"trigger":"signal".*"msg":"rules reloaded from /);
  });

  it('a bad rules file: refused and counted, /readyz says why, and the rules in force keep working', async () => {
    const invalid0 = reloads((await app.http('/metrics')).text, 'invalid');
    save(RULES, '{ "peers": ');
    await untilMetrics(app, 'the refused reload', (t) => reloads(t, 'invalid') === invalid0 + 1);
    const r = await readyz(app);
    expect(r.status).toBe(200);
    expect(r.body['lastReload']).toMatchObject({ result: 'invalid', message: expect.stringContaining('$: not valid JSON') as unknown });
    passed(await koreCallsGenesys('ops-after-bad-file'));
    writeRules(OPS, RULES);
    await until(
      'the good file to be back in force',
      async () => (await readyz(app)).body['lastReload'] !== undefined && ((await readyz(app)).body['lastReload'] as { result: string }).result === 'ok',
      5000,
    );
  }, 30_000);

  it('rules naming a header drachtio-server would re-case: refused, and /readyz says what to set', async () => {
    const unpreserved0 = reloads((await app.http('/metrics')).text, 'unpreserved');
    writeRules(OPS, RULES, [...presetRuleList(), { name: 'context-case', when: { to: 'genesys' }, actions: [{ action: 'case', header: 'Genesys-context' }] }]);
    await untilMetrics(app, 'the refused reload', (t) => reloads(t, 'unpreserved') === unpreserved0 + 1);
    const r = await readyz(app);
    expect(r.status).toBe(200);
    const last = r.body['lastReload'] as { result: string; message: string };
    expect(last.result).toBe('unpreserved');
    expect(last.message).toContain('Genesys-context arrived as Genesys-Context');
    expect(last.message).toMatch(/DRACHTIO_PRESERVE_HEADER_NAMES=(User-to-User,Genesys-context|Genesys-context,User-to-User)$/);
    await untilLogged(app, 'rules reload refused, the rules in force keep running');
    writeRules(OPS, RULES);
    await until('the preset to be back in force', async () => ((await readyz(app)).body['lastReload'] as { result: string }).result === 'ok', 5000);
  }, 30_000);

  it('drachtio-server stopped and started again: /readyz 503, then 200, and the next call works', async () => {
    const before = (await app.http('/metrics')).text;
    await server.stop();
    await until(
      '/readyz to say drachtio is down',
      async () => {
        const r = await readyz(app);
        return r.status === 503 && (r.body['failing'] as string[]).includes('drachtio');
      },
      5000,
    );
    const down = (await app.http('/metrics')).text;
    expect(sample(down, 'sipcase_drachtio_connected')).toBe(0);
    expect(sample(down, 'sipcase_drachtio_disconnects_total') - sample(before, 'sipcase_drachtio_disconnects_total')).toBe(1);
    server = await startDrachtio('ops-drachtio-again', 'User-to-User', OPS);
    await until('/readyz 200 after reconnecting', async () => (await readyz(app)).status === 200, 15_000);
    passed(await koreCallsGenesys('ops-after-reconnect'));
    const log = await untilLogged(app, 'reconnected to drachtio-server');
    expect(log.match(/lost the connection to drachtio-server/g)?.length).toBe(1);
  }, 40_000);

  it('drachtio-server killed in the middle of a call: the call ends as lost, sipcase reconnects, the next call works', async () => {
    const before = (await app.http('/metrics')).text;
    const answered0 = sample(before, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' });
    const uas = sipp({ label: 'ops-killed-kore', scenario: 'hold-uas.xml', ...koreUas, timeoutS: 8 });
    const uac = sipp({ label: 'ops-killed-genesys', scenario: 'hold-uac.xml', ...genesysUac, service: '+15557770000', vars: { hangup: 'far' }, timeoutS: 8 });
    try {
      await untilMetrics(app, 'the call to be up', (t) => sample(t, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === answered0 + 1);
      process.kill(server.child.pid as number, 'SIGKILL');
      const after = await untilMetrics(
        app,
        'the call to end as lost',
        (t) => sample(t, 'sipcase_live_calls') === 0 && sample(t, 'sipcase_drachtio_connected') === 0,
      );
      expect(
        sample(after, 'sipcase_calls_ended_total', { from: 'genesys', to: 'kore', outcome: 'lost' }) -
          sample(before, 'sipcase_calls_ended_total', { from: 'genesys', to: 'kore', outcome: 'lost' }),
      ).toBe(1);
      await untilLogged(app, '"lost":1,"msg":"live calls lost with the connection to drachtio-server"');
      expect((await readyz(app)).status).toBe(503);
    } finally {
      await uac.proc.stop();
      await uas.proc.stop();
    }
    server = await startDrachtio('ops-drachtio-after-kill', 'User-to-User', OPS);
    await until('/readyz 200 after the engine came back', async () => (await readyz(app)).status === 200, 15_000);
    passed(await koreCallsGenesys('ops-after-kill'));
  }, 40_000);
});

describe.skipIf(!ready)('drain on SIGTERM', () => {
  let server: Proc;
  /** Everything a test started, ended by PID after it whatever happened. */
  let started: Proc[] = [];
  beforeAll(async () => {
    server = await startDrachtio('drain-drachtio', 'User-to-User', OPS);
  }, 20_000);
  afterEach(async () => {
    for (const p of started) await p.stop();
    started = [];
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function sipcaseDraining(name: string, drainMs: number, env: Record<string, string> = {}): Promise<Sipcase> {
    const app = startSipcase(name, writeRules(OPS, join(LOGS, name, 'rules.json')), { SIPCASE_DRAIN_TIMEOUT_MS: String(drainMs), ...env }, OPS);
    started.push(app);
    expect(await app.ready).toBe('ready');
    return app;
  }

  /** A call Genesys places to Kore and holds: `hangup` caller (Genesys sends BYE after `holdMs`) or far (it waits for one). */
  function heldCall(label: string, hangup: 'caller' | 'far', holdMs: number): { done: Promise<{ uas: SippRun; uac: SippRun }> } {
    const uas = sipp({ label: `${label}-kore`, scenario: 'hold-uas.xml', ...koreUas, timeoutS: 20 } satisfies SippSpec);
    const uac = sipp({
      label: `${label}-genesys`,
      scenario: 'hold-uac.xml',
      ...genesysUac,
      service: '+15557770000',
      vars: { hangup },
      pauseMs: holdMs,
      timeoutS: 20,
    });
    started.push(uas.proc, uac.proc);
    return { done: Promise.all([uas.done, uac.done]).then(([u, c]) => ({ uas: u, uac: c })) };
  }

  it("with a live call: /readyz 503 at once, new INVITE and OPTIONS get 503 + Retry-After, the live call's BYE crosses, exit 0", async () => {
    const app = await sipcaseDraining('drain-live', 20_000);
    const call = heldCall('drain-live', 'caller', 4000);
    await untilMetrics(app, 'the held call', (t) => sample(t, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === 1);
    process.kill(app.child.pid as number, 'SIGTERM');
    await until(
      '/readyz 503 draining',
      async () => {
        const r = await readyz(app);
        return r.status === 503 && (r.body['failing'] as string[]).includes('draining');
      },
      2000,
    );
    passed({ refusedInvite: await sipp({ label: 'drain-live-new-call', scenario: 'refused-invite-uac.xml', ...koreUac, service: '+15557770000' }).done });
    passed({ refusedOptions: await sipp({ label: 'drain-live-options', scenario: 'options-unavailable-uac.xml', ...genesysUac, port: OPS.uacPort + 1 }).done });
    const metrics = (await app.http('/metrics')).text;
    expect(sample(metrics, 'sipcase_requests_rejected_total', { reason: 'draining' })).toBe(2);
    expect(sample(metrics, 'sipcase_ready')).toBe(0);
    expect(healthcheck(app)).toBe(1);
    passed(await call.done);
    expect(await exitOf(app)).toBe(0);
    const log = readFileSync(app.log, 'utf8');
    expect(log).toContain('draining: not ready, new calls get 503, live calls go on');
    expect(log).toContain('drained: no live calls left');
  }, 40_000);

  it("a fault nobody handled (an exception thrown out of an event handler): logged fatal with the live call, counted, the call's BYE crosses, exit 70", async () => {
    // The fault is injected from outside the product: a module preloaded into node that throws
    // from a timer callback when the test sends SIGUSR2.
    const inject = "--import=data:text/javascript,process.on('SIGUSR2',()=>setImmediate(()=>{throw(new(Error)('injected-fault'))}))";
    const app = await sipcaseDraining('fault-live', 20_000, { NODE_OPTIONS: inject });
    const call = heldCall('fault-live', 'caller', 4000);
    await untilMetrics(app, 'the held call', (t) => sample(t, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === 1);
    process.kill(app.child.pid as number, 'SIGUSR2');
    await until('/readyz 503 draining', async () => (await readyz(app)).status === 503, 2000);
    expect(sample((await app.http('/metrics')).text, 'sipcase_faults_total', { kind: 'uncaught_exception' })).toBe(1);
    passed(await call.done);
    expect(await exitOf(app)).toBe(70);
    const log = readFileSync(app.log, 'utf8');
    expect(log).toMatch(
      /"level":60,.*"kind":"uncaught_exception","liveCalls":1,.*"msg":"uncaught exception: draining the live calls, then exiting 70 for a clean restart"/,
    );
    expect(log).toContain('injected-fault');
    expect(log).toContain('drained: no live calls left');
  }, 40_000);

  it('when the drain times out, the calls left get BYE on both legs, and sipcase exits 0', async () => {
    const app = await sipcaseDraining('drain-timeout', 1500);
    const call = heldCall('drain-timeout', 'far', 0);
    await untilMetrics(app, 'the held call', (t) => sample(t, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === 1);
    process.kill(app.child.pid as number, 'SIGTERM');
    passed(await call.done);
    expect(await exitOf(app)).toBe(0);
    expect(readFileSync(app.log, 'utf8')).toContain('drain timed out: hanging up the calls left with BYE');
  }, 40_000);

  it('a second SIGTERM exits at once', async () => {
    const app = await sipcaseDraining('drain-twice', 60_000);
    heldCall('drain-twice', 'far', 0);
    await untilMetrics(app, 'the held call', (t) => sample(t, 'sipcase_calls_answered_total', { from: 'genesys', to: 'kore' }) === 1);
    process.kill(app.child.pid as number, 'SIGTERM');
    await until('/readyz 503 draining', async () => (await readyz(app)).status === 503, 2000);
    const t0 = Date.now();
    process.kill(app.child.pid as number, 'SIGTERM');
    expect(await exitOf(app)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(readFileSync(app.log, 'utf8')).toContain('second stop signal: exiting now');
  }, 40_000);

  it("with drachtio-server gone, SIGTERM still drains and exits 0 (it runs last: it stops the suite's drachtio-server)", async () => {
    const app = await sipcaseDraining('drain-engine-gone', 5000);
    await server.stop();
    await until('/readyz to say drachtio is down', async () => (await readyz(app)).status === 503, 5000);
    process.kill(app.child.pid as number, 'SIGTERM');
    expect(await exitOf(app)).toBe(0);
  }, 20_000);
});
