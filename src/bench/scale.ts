/**
 * `npm run bench:scale`: the call-rate ladder of `npm run bench` (Kore's SIPp calling with a
 * mis-cased User-To-User, a strict Genesys-side UAS) sent to Kamailio's dispatcher in front of one
 * sipcase + drachtio-server pair, then of two, on loopback. Per instance count and rate it prints
 * calls attempted, ok, failed (caller or callee side), retransmissions, INVITE->200 p50/p99, and
 * the CPU of Kamailio, of the drachtio-servers and of the sipcase processes; at the end, each
 * count's highest rate with zero failures. Results go to --out. --kamailio-mb sets Kamailio's
 * shared memory (512 MB; Debian's default 64 MB runs out of transactions near 400 calls/s). Bounded: each step places rate x
 * --seconds calls and stops by SIPp's own time limit.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBalancer } from './balancer.js';
import { ROOT, untilListening, type Proc } from '../harness/processes.js';
import { sippLoad, softStop } from './sipp-load.js';
import { startDrachtio, startSipcase, writeLoopbackRules } from '../harness/loopback.js';
import { cpuSeconds, quantile } from './measure.js';
import { setupTimesUs, sippStats } from './sipp-stats.js';
import { lo } from '../harness/loopback-addresses.js';

const NET = {
  balancer: lo('bench:scale', 1),
  port: 5060,
  genesys: lo('bench:scale', 2),
  kore: lo('bench:scale', 3),
  uasPort: 5090,
  secret: 'sipcase-scale-bench',
};
const instanceIp = (i: number) => lo('bench:scale', 11 + i);

function options() {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '200,400,600,800' },
      seconds: { type: 'string', default: '10' },
      'hold-ms': { type: 'string', default: '1000' },
      instances: { type: 'string', default: '1,2' },
      'kamailio-mb': { type: 'string', default: '512' },
      work: { type: 'string', default: join(ROOT, 'bench-runs', 'scale') },
      out: { type: 'string', default: join(ROOT, 'docs/performance/scale.json') },
    },
  });
  return {
    rates: (values.rates ?? '')
      .split(',')
      .map(Number)
      .filter((r) => r > 0),
    seconds: Number(values.seconds),
    holdMs: Number(values['hold-ms']),
    instances: (values.instances ?? '')
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    kamailioMb: Number(values['kamailio-mb']),
    work: values.work as string,
    out: values.out as string,
  };
}
type Options = ReturnType<typeof options>;

interface Stack {
  readonly kamailio: Proc;
  readonly drachtios: Proc[];
  readonly apps: Proc[];
}

export interface ScaleStep {
  readonly instances: number;
  readonly rate: number;
  readonly attempted: number;
  readonly ok: number;
  readonly failed: number;
  readonly retransmissions: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly kamailioCpuPct: number;
  readonly drachtioCpuPct: number;
  readonly nodeCpuPct: number;
}

/** One step as docs/scale-out.md shows it (docs.test.ts checks the page against the results file). */
export function scaleRow(s: ScaleStep): string {
  const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
  return `| ${s.instances} | ${s.rate} | ${s.attempted} | ${s.ok} | ${s.failed} | ${s.retransmissions} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${s.kamailioCpuPct}% | ${s.drachtioCpuPct}% | ${s.nodeCpuPct}% |`;
}

/** Kamailio is a main process and its children: all of their CPU. */
function kamailioCpu(pid: number): number {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l !== '')
    .map(Number);
  return [pid, ...children].reduce((sum, p) => sum + cpuSeconds(p), 0);
}

async function startStack(o: Options, n: number): Promise<Stack> {
  const rules = writeLoopbackRules(join(o.work, 'rules.json'), { genesys: NET.genesys, kore: NET.kore, port: NET.uasPort });
  const drachtios: Proc[] = [];
  const apps: Proc[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const admin = 39600 + i * 10;
      drachtios.push(
        await startDrachtio(o.work, `x${n}-drachtio-${i}`, {
          admin: { host: '127.0.0.1', port: admin, secret: NET.secret },
          sip: `${instanceIp(i)}:5060`,
          preserve: 'User-to-User',
          loglevel: 'notice',
          sofiaLoglevel: 0,
        }),
      );
      apps.push(
        await startSipcase(o.work, `x${n}-sipcase-${i}`, {
          drachtio: { host: '127.0.0.1', port: admin, secret: NET.secret },
          rules,
          http: { host: '127.0.0.1', port: admin + 1 },
          env: {
            SIPCASE_MAX_CALLS: '100000',
            SIPCASE_SOURCE_RATE: '0',
            SIPCASE_PROXIES: NET.balancer,
            SIPCASE_OUTBOUND_PROXY: `sip:${NET.balancer}:${NET.port}`,
          },
        }),
      );
    }
    const kamailio = await startBalancer(o.work, `x${n}-kamailio`, {
      ip: NET.balancer,
      port: NET.port,
      instances: drachtios.map((_, i) => `${instanceIp(i)}:5060`),
      pingIntervalS: 1,
      shmMb: o.kamailioMb,
    });
    // Every instance probed and in rotation before the first call.
    await new Promise((r) => setTimeout(r, 2500));
    return { kamailio, drachtios, apps };
  } catch (e) {
    // Whatever did start is stopped: nothing outlives the benchmark.
    for (const p of [...apps, ...drachtios]) await p.stop();
    throw e;
  }
}

async function stopStack(s: Stack): Promise<void> {
  await s.kamailio.stop();
  for (const p of [...s.apps, ...s.drachtios]) await p.stop();
}

async function step(o: Options, s: Stack, rate: number): Promise<ScaleStep> {
  const dir = join(o.work, `x${s.apps.length}-${rate}`);
  mkdirSync(dir, { recursive: true });
  const limitS = o.seconds + 30;
  const scenario = (name: string) => join(ROOT, 'test/sipp/bench', name);
  const uas = sippLoad(dir, { label: 'uas', scenario: scenario('genesys-uas.xml'), ip: NET.genesys, port: NET.uasPort, timeoutS: limitS + 10 });
  await untilListening(uas.proc, 'udp', NET.genesys, NET.uasPort);
  const cpu = () => ({
    kamailio: kamailioCpu(s.kamailio.pid),
    drachtio: s.drachtios.reduce((t, p) => t + cpuSeconds(p.pid), 0),
    node: s.apps.reduce((t, p) => t + cpuSeconds(p.pid), 0),
    at: process.hrtime.bigint(),
  });
  const before = cpu();
  const uac = sippLoad(dir, {
    label: 'uac',
    scenario: scenario('kore-uac.xml'),
    ip: NET.kore,
    port: 5070,
    remote: `${NET.balancer}:${NET.port}`,
    service: '+14445556666',
    calls: rate * o.seconds,
    rate,
    limit: Math.ceil(rate * (o.holdMs / 1000 + 5)),
    pauseMs: o.holdMs,
    timeoutS: limitS,
    setupLog: true,
  });
  await uac.proc.exited;
  const after = cpu();
  const wallS = Number(after.at - before.at) / 1e9;
  await softStop(uas.proc);
  const c = sippStats(uac.stats);
  const u = sippStats(uas.stats);
  const setup = setupTimesUs(uac.setupLog);
  const pct = (seconds: number) => Math.round((seconds / wallS) * 100);
  return {
    instances: s.apps.length,
    rate,
    attempted: c['OutgoingCall(C)'] ?? 0,
    ok: c['SuccessfulCall(C)'] ?? 0,
    failed: (c['FailedCall(C)'] ?? 0) + (u['FailedCall(C)'] ?? 0),
    retransmissions: (c['Retransmissions(C)'] ?? 0) + (u['Retransmissions(C)'] ?? 0),
    p50Ms: quantile(setup, 0.5) / 1000,
    p99Ms: quantile(setup, 0.99) / 1000,
    kamailioCpuPct: pct(after.kamailio - before.kamailio),
    drachtioCpuPct: pct(after.drachtio - before.drachtio),
    nodeCpuPct: pct(after.node - before.node),
  };
}

/** The highest rate with every call completed and none failed, or 0. */
export function highestClean(steps: readonly ScaleStep[], instances: number): number {
  return Math.max(0, ...steps.filter((s) => s.instances === instances && s.failed === 0 && s.ok === s.attempted && s.attempted > 0).map((s) => s.rate));
}

async function main(): Promise<number> {
  const o = options();
  rmSync(o.work, { recursive: true, force: true });
  mkdirSync(o.work, { recursive: true });
  console.log(
    `scale: Kamailio's dispatcher in front of ${o.instances.join(' then ')} instance(s); ${o.seconds} s per rate, calls held ${o.holdMs} ms; ${cpus().length} cores shared by everything`,
  );
  console.log('| instances | rate | attempted | ok | failed | retransmissions | p50 ms | p99 ms | Kamailio CPU | drachtio CPU | node CPU |');
  const steps: ScaleStep[] = [];
  for (const n of o.instances) {
    const s = await startStack(o, n);
    try {
      for (const rate of o.rates) {
        const r = await step(o, s, rate);
        steps.push(r);
        console.log(scaleRow(r));
      }
    } finally {
      await stopStack(s);
    }
  }
  for (const n of o.instances) console.log(`highest rate with zero failures, ${n} instance(s): ${highestClean(steps, n)} calls/s`);
  const meta = { date: new Date().toISOString(), cpus: cpus().length, node: process.version, seconds: o.seconds, holdMs: o.holdMs };
  writeFileSync(o.out, `${JSON.stringify({ meta, steps }, null, 2)}\n`);
  console.log(`results: ${o.out}`);
  return 0;
}

// Run only as the command: docs.test.ts imports scaleRow from here.
if (process.argv[1]?.endsWith('scale.js') === true) process.exitCode = await main();
