/**
 * `npm run bench`: one SIPp call-rate ladder through a bare drachtio-srf B2BUA (the baseline) and
 * through sipcase, alternately at each rate, in one run on loopback. Kore's side calls with a
 * mis-cased User-To-User; Genesys' side fails any call without exactly one User-to-User, value
 * unchanged. Per target and rate it prints calls attempted, ok, failed, retransmissions,
 * INVITE->200 p50/p99 (microsecond timestamps), CPU of drachtio-server and of node, node RSS; at
 * the end each target's highest rate with zero failures, `ratio sipcase/baseline`, and the targets.
 * Results (JSON, CSV) and a chart (SVG) go to --out. Bounded: each step runs --seconds of calls
 * and stops by SIPp's own time limit.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderChart } from './chart.js';
import { ROOT, startProc, untilListening, which, type Proc } from '../harness/processes.js';
import { sippLoad, softStop } from './sipp-load.js';
import { startDrachtio, startSipcase, writeLoopbackRules } from '../harness/loopback.js';
import { cpuSeconds, metricValue, quantile, rssBytes } from './measure.js';
import { setupTimesUs, sippStats } from './sipp-stats.js';
import { lo } from '../harness/loopback-addresses.js';
import { pairFigures, pairLine, type PairFigures } from './pairs.js';

const { values: opt } = parseArgs({
  options: {
    rates: { type: 'string', default: '100,200,300,400,600,800' },
    seconds: { type: 'string', default: '15' },
    'hold-ms': { type: 'string', default: '1000' },
    targets: { type: 'string', default: 'baseline,sipcase' },
    out: { type: 'string', default: join(ROOT, 'docs/performance') },
    work: { type: 'string', default: join(ROOT, 'bench-runs') },
    'drachtio-loglevel': { type: 'string', default: 'notice' },
    'sofia-loglevel': { type: 'string', default: '3' },
    'udp-buffer': { type: 'string', default: '0' },
    repeat: { type: 'string', default: '1' },
    replot: { type: 'string' },
    'sipcase-loglevel': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'boolean', default: false },
    'sipcase-node-args': { type: 'string', default: '' },
    /** sipcase's liveness.intervalS (its default, 30 s, unless given; 0: off). */
    'liveness-s': { type: 'string' },
    /** Calls each target carries at 100 calls/s before the ladder, not measured (JIT, lazy loads, caches). */
    warmup: { type: 'string', default: '1000' },
    /** Event-loop delay of both node processes (bench/loop-delay.ts), per run; its 1 ms timer costs CPU. */
    'loop-delay': { type: 'boolean', default: false },
  },
});
const RATES = (opt.rates ?? '')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const SECONDS = Number(opt.seconds);
const HOLD_MS = Number(opt['hold-ms']);
const TARGETS = (opt.targets ?? '').split(',');
const WORK = opt.work as string;
const REPEAT = Math.max(1, Number(opt.repeat));
const OUT = opt.out as string;
const WARMUP = Math.max(0, Number(opt.warmup));

const GENESYS = lo('bench:call-rate', 2);
const KORE = lo('bench:call-rate', 3);
const UAS_PORT = 5090;
const SECRET = 'sipcase-bench';

interface Target {
  readonly name: string;
  readonly sip: string;
  readonly drachtio: Proc;
  readonly app: Proc;
  /** sipcase's /metrics, to read its own rewrite time per message. */
  readonly metrics?: string;
  /** Where the process writes its event-loop delay on SIGUSR2 (--loop-delay). */
  readonly loopDelay?: string;
}

interface LoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The event-loop delay since the last call (the process starts over at each SIGUSR2). */
async function loopDelay(t: Target): Promise<LoopDelay | undefined> {
  if (t.loopDelay === undefined) return undefined;
  rmSync(t.loopDelay, { force: true });
  process.kill(t.app.pid, 'SIGUSR2');
  for (let i = 0; i < 50 && !existsSync(t.loopDelay); i++) await new Promise((r) => setTimeout(r, 20));
  try {
    return JSON.parse(readFileSync(t.loopDelay, 'utf8')) as LoopDelay;
  } catch {
    return undefined;
  }
}

/** sipcase's total rewrite time and message count so far, from its histogram. */
async function rewriteTotals(t: Target): Promise<{ seconds: number; messages: number }> {
  if (t.metrics === undefined) return { seconds: 0, messages: 0 };
  const text = await (await fetch(t.metrics)).text();
  const value = (name: string) => metricValue(text, name) || 0;
  return { seconds: value('sipcase_rewrite_duration_seconds_sum'), messages: value('sipcase_rewrite_duration_seconds_count') };
}

interface Step {
  readonly target: string;
  readonly rate: number;
  readonly attempted: number;
  readonly ok: number;
  readonly failed: number;
  readonly uasFailed: number;
  readonly retransmissions: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly drachtioCpuPct: number;
  readonly nodeCpuPct: number;
  readonly nodeCpuMsPerCall: number;
  readonly nodeRssMb: number;
  /** sipcase only: mean time of its own rewrite per message (parse, rules, lint), from its histogram. */
  readonly rewriteUs: number;
  /** --loop-delay: the node process's worst event-loop delay over the runs, and the highest run p99. */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

async function startTarget(name: string, index: number): Promise<Target> {
  const adminPort = 39022 + index * 100;
  const sip = `127.0.0.1:${35060 + index * 100}`;
  const drachtio = await startDrachtio(WORK, `${name}-drachtio`, {
    admin: { host: '127.0.0.1', port: adminPort, secret: SECRET },
    sip,
    preserve: 'User-to-User',
    loglevel: opt['drachtio-loglevel'] as string,
    sofiaLoglevel: Number(opt['sofia-loglevel']),
    udpBufferSize: Number(opt['udp-buffer']),
  });
  const env = { ...process.env };
  const prof = [
    ...(opt['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(WORK, 'profiles', name)] : []),
    ...(opt['loop-delay'] ? ['--import', join(ROOT, 'dist/bench/loop-delay.js')] : []),
  ];
  const loopDelayFile = opt['loop-delay'] ? join(WORK, `${name}.loop-delay.json`) : undefined;
  if (loopDelayFile !== undefined) env['LOOP_DELAY_FILE'] = loopDelayFile;
  let app: Proc;
  if (name === 'baseline') {
    app = startProc('node', [...prof, join(ROOT, 'dist/bench/baseline.js')], join(WORK, 'baseline.log'), {
      ...env,
      BASELINE_DRACHTIO: `127.0.0.1:${adminPort}`,
      BASELINE_SECRET: SECRET,
      BASELINE_TARGET: `${GENESYS}:${UAS_PORT}`,
    });
    await new Promise((r) => setTimeout(r, 1500));
  } else {
    const rules = join(WORK, 'rules.json');
    writeLoopbackRules(rules, { genesys: GENESYS, kore: KORE, port: UAS_PORT });
    const nodeArgs = (opt['sipcase-node-args'] ?? '').split(' ').filter((a) => a !== '');
    app = await startSipcase(WORK, 'sipcase', {
      drachtio: { host: '127.0.0.1', port: adminPort, secret: SECRET },
      rules,
      http: { host: '127.0.0.1', port: adminPort + 1 },
      // The ladder measures the relay, not the edge's guard: one caller address sends every call, and
      // the default limits.sourceRate (500/s) would refuse what goes over it (about 500 calls of a
      // 15 s run at 600 calls/s did fail so).
      env: {
        SIPCASE_LOG_LEVEL: opt['sipcase-loglevel'] as string,
        SIPCASE_DRAIN_TIMEOUT_MS: '5000',
        SIPCASE_MAX_CALLS: '100000',
        SIPCASE_SOURCE_RATE: '0',
        ...(loopDelayFile === undefined ? {} : { LOOP_DELAY_FILE: loopDelayFile }),
        ...(opt['liveness-s'] === undefined ? {} : { SIPCASE_LIVENESS_INTERVAL_S: opt['liveness-s'] }),
      },
      nodeArgs: [...prof, ...nodeArgs],
    });
  }
  const loop = loopDelayFile === undefined ? {} : { loopDelay: loopDelayFile };
  return name === 'baseline'
    ? { name, sip, drachtio, app, ...loop }
    : { name, sip, drachtio, app, ...loop, metrics: `http://127.0.0.1:${adminPort + 1}/metrics` };
}

/** What one run of one rate through one target measured, before runs are pooled. */
interface Run {
  readonly target: string;
  readonly rate: number;
  readonly repeat: number;
  readonly calls: number;
  readonly attempted: number;
  readonly ok: number;
  readonly uacFailed: number;
  readonly uasFailed: number;
  readonly retransmissions: number;
  readonly setupUs: readonly number[];
  readonly drachtioCpuS: number;
  readonly nodeCpuS: number;
  readonly wallS: number;
  readonly rssBytes: number;
  readonly rewriteS: number;
  readonly rewrites: number;
  readonly p99Ms: number;
  readonly loop: LoopDelay | undefined;
}

async function run(t: Target, rate: number, repeat: number, calls = rate * SECONDS): Promise<Run> {
  const dir = join(WORK, `${t.name}-${rate}-${repeat}`);
  mkdirSync(dir, { recursive: true });
  const limitS = SECONDS + Math.ceil(HOLD_MS / 1000) + 30; // a call placed last still ends within it
  const uas = sippLoad(dir, {
    label: 'uas',
    scenario: join(ROOT, 'test/sipp/bench/genesys-uas.xml'),
    ip: GENESYS,
    port: UAS_PORT,
    timeoutS: limitS + 10,
    errors: true,
  });
  await untilListening(uas.proc, 'udp', GENESYS, UAS_PORT);
  const rewrite0 = await rewriteTotals(t);
  await loopDelay(t); // starts the count over
  const cpu0 = { drachtio: cpuSeconds(t.drachtio.pid), node: cpuSeconds(t.app.pid), at: process.hrtime.bigint() };
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssBytes(t.app.pid))), 250);
  const uac = sippLoad(dir, {
    label: 'uac',
    scenario: join(ROOT, 'test/sipp/bench/kore-uac.xml'),
    ip: KORE,
    port: 5070,
    remote: t.sip,
    service: '+14445556666',
    calls,
    rate,
    limit: Math.ceil(rate * (HOLD_MS / 1000 + 5)),
    pauseMs: HOLD_MS,
    timeoutS: limitS,
    setupLog: true,
    errors: true,
  });
  await uac.proc.exited;
  const wallS = Number(process.hrtime.bigint() - cpu0.at) / 1e9;
  const drachtioCpuS = cpuSeconds(t.drachtio.pid) - cpu0.drachtio;
  const nodeCpuS = cpuSeconds(t.app.pid) - cpu0.node;
  clearInterval(sampler);
  const loop = await loopDelay(t);
  rssMax = Math.max(rssMax, rssBytes(t.app.pid));
  await softStop(uas.proc);
  const c = sippStats(uac.stats);
  const s = sippStats(uas.stats);
  const rewrite1 = await rewriteTotals(t);
  const setupUs = setupTimesUs(uac.setupLog);
  return {
    repeat,
    loop,
    p99Ms:
      quantile(
        [...setupUs].sort((a, b) => a - b),
        0.99,
      ) / 1000,
    rewriteS: rewrite1.seconds - rewrite0.seconds,
    rewrites: rewrite1.messages - rewrite0.messages,
    target: t.name,
    rate,
    calls,
    attempted: c['OutgoingCall(C)'] ?? 0,
    ok: c['SuccessfulCall(C)'] ?? 0,
    uacFailed: c['FailedCall(C)'] ?? 0,
    uasFailed: s['FailedCall(C)'] ?? 0,
    retransmissions: (c['Retransmissions(C)'] ?? 0) + (s['Retransmissions(C)'] ?? 0),
    setupUs,
    drachtioCpuS,
    nodeCpuS,
    wallS,
    rssBytes: rssMax,
  };
}

/** The highest of the values there are; NaN when there are none. */
function worst(values: readonly (number | undefined)[]): number {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? Number.NaN : Math.max(...known);
}

/** The runs of one target at one rate, pooled: counts and CPU summed, set-up times merged. */
function pool(runs: readonly Run[]): Step {
  const [first] = runs;
  if (first === undefined) throw new Error('no runs to pool');
  const sum = (f: (r: Run) => number) => runs.reduce((a, r) => a + f(r), 0);
  const times = runs.flatMap((r) => r.setupUs).sort((a, b) => a - b);
  const ok = sum((r) => r.ok);
  const attempted = sum((r) => r.attempted);
  const wall = sum((r) => r.wallS);
  return {
    target: first.target,
    rate: first.rate,
    attempted,
    ok,
    failed:
      Math.max(
        attempted - ok,
        sum((r) => r.uacFailed),
      ) + sum((r) => Math.max(0, r.calls - r.attempted)),
    uasFailed: sum((r) => r.uasFailed),
    retransmissions: sum((r) => r.retransmissions),
    p50Ms: quantile(times, 0.5) / 1000,
    p99Ms: quantile(times, 0.99) / 1000,
    drachtioCpuPct: (sum((r) => r.drachtioCpuS) / wall) * 100,
    nodeCpuPct: (sum((r) => r.nodeCpuS) / wall) * 100,
    nodeCpuMsPerCall: ok > 0 ? (sum((r) => r.nodeCpuS) / ok) * 1000 : Number.NaN,
    nodeRssMb: Math.max(...runs.map((r) => r.rssBytes)) / 1048576,
    rewriteUs: sum((r) => r.rewrites) > 0 ? (sum((r) => r.rewriteS) / sum((r) => r.rewrites)) * 1e6 : Number.NaN,
    loopP99Ms: worst(runs.map((r) => r.loop?.p99Ms)),
    loopMaxMs: worst(runs.map((r) => r.loop?.maxMs)),
  };
}

const COLUMNS = [
  'target',
  'rate',
  'attempted',
  'ok',
  'failed',
  'uasFailed',
  'retransmissions',
  'p50Ms',
  'p99Ms',
  'drachtioCpuPct',
  'nodeCpuPct',
  'nodeCpuMsPerCall',
  'nodeRssMb',
  'rewriteUs',
  'loopP99Ms',
  'loopMaxMs',
] as const;
const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
const row = (s: Step) => COLUMNS.map((k) => cell(s[k]).padStart(k === 'target' ? 9 : 10)).join(' ');

const clean = (s: Step) => s.failed === 0 && s.uasFailed === 0;
function highestClean(steps: readonly Step[], target: string): number {
  return Math.max(0, ...steps.filter((s) => s.target === target && clean(s)).map((s) => s.rate));
}

function summary(steps: readonly Step[], pairs: readonly PairFigures[]): string[] {
  const lines: string[] = [];
  for (const t of TARGETS) lines.push(`highest rate with zero failures, ${t}: ${highestClean(steps, t)} calls/s`);
  for (const t of TARGETS) {
    const smooth = Math.max(0, ...steps.filter((s) => s.target === t && clean(s) && s.retransmissions === 0).map((s) => s.rate));
    lines.push(`highest rate with zero failures and no retransmission, ${t}: ${smooth} calls/s`);
  }
  if (!TARGETS.includes('baseline') || !TARGETS.includes('sipcase')) return lines;
  const b = highestClean(steps, 'baseline');
  const s = highestClean(steps, 'sipcase');
  lines.push(`ratio sipcase/baseline: ${(b > 0 ? s / b : 0).toFixed(2)}`);
  for (const p of pairs) lines.push(pairLine(p));
  const check = (label: string, value: number, limit: number, unit: string, cmp: 'le' | 'ge') =>
    lines.push(
      `target ${label}: ${value.toFixed(2)}${unit} (${cmp === 'le' ? '<=' : '>='} ${limit}${unit}) ${(cmp === 'le' ? value <= limit : value >= limit) ? 'met' : 'NOT met'}`,
    );
  check('zero-failure ceiling, sipcase over baseline', b > 0 ? s / b : 0, 1, '', 'ge');
  // Each pair's figure, the median over the pairs (bench/pairs.ts): not pooled means.
  for (const p of pairs) check(`node CPU a call ratio at ${p.rate} cps, median of ${p.pairs} pairs`, p.cpuRatio.median, 1.1, '', 'le');
  const p300 = pairs.find((p) => p.rate === 300);
  if (p300) {
    check(`added p99 at 300 cps, median of ${p300.pairs} pairs`, p300.addedP99Ms.median, 1, ' ms', 'le');
    check(`p99 ratio at 300 cps, median of ${p300.pairs} pairs`, p300.p99Ratio.median, 1.2, '', 'le');
  }
  return lines;
}

function chartCaption(meta: { date: string; cpus: number; node: string; repeat: number; seconds: number; holdMs: number; drachtioLoglevel: unknown }): string {
  return `${meta.date.slice(0, 10)}, ${meta.cpus} cores, node ${meta.node}, ${meta.repeat} x ${meta.seconds} s a rate, hold ${meta.holdMs} ms, drachtio-server loglevel ${String(meta.drachtioLoglevel)}`;
}

async function main(): Promise<number> {
  if (opt.replot !== undefined) {
    // Draws chart.svg again from a results.json, beside it (after a change to the chart alone).
    const { meta, steps } = JSON.parse(readFileSync(opt.replot, 'utf8')) as { meta: Parameters<typeof chartCaption>[0]; steps: Step[] };
    writeFileSync(join(opt.replot, '..', 'chart.svg'), renderChart(steps, chartCaption({ ...meta, repeat: meta.repeat ?? 1 })));
    return 0;
  }
  for (const bin of ['drachtio', 'sipp']) {
    if (which(bin) === undefined) {
      process.stderr.write(
        `bench: no ${bin} on the PATH (${bin === 'drachtio' ? 'run ../shared/drachtio/install, or build drachtio-server' : 'apt-get install sip-tester'})\n`,
      );
      return 2;
    }
  }
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  mkdirSync(OUT, { recursive: true });
  const targets: Target[] = [];
  const steps: Step[] = [];
  const allRuns: Run[] = [];
  try {
    for (const [i, name] of TARGETS.entries()) targets.push(await startTarget(name, i));
    // The first calls of a process compile its code and fill its caches: not what a sidecar that
    // has run for an hour costs, so each target carries WARMUP calls before anything is measured.
    if (WARMUP > 0) for (const t of targets) await run(t, 100, 0, WARMUP);
    process.stdout.write(
      `ladder ${RATES.join(', ')} calls/s, ${SECONDS} s each${REPEAT > 1 ? `, ${REPEAT} runs a rate and target (alternating; pooled rows after #-rows)` : ''}, hold ${HOLD_MS} ms; drachtio-server loglevel ${opt['drachtio-loglevel']}, sofia ${opt['sofia-loglevel']}, UDP buffers ${Number(opt['udp-buffer']) || 'default'}; sipcase log level ${opt['sipcase-loglevel']}\n`,
    );
    process.stdout.write(`${COLUMNS.map((c) => c.padStart(c === 'target' ? 9 : 10)).join(' ')}\n`);
    for (const rate of RATES) {
      const runs: Run[] = [];
      for (let r = 1; r <= REPEAT; r++) {
        // Alternate which target goes first, so drift over a repeat does not favour one.
        for (const t of r % 2 === 1 ? targets : [...targets].reverse()) {
          runs.push(await run(t, rate, r));
          if (REPEAT > 1) process.stdout.write(`${row(pool([runs.at(-1) as Run])).replace(/^ {0,3}/, `#${r} `)}\n`);
          await new Promise((res) => setTimeout(res, 2000));
        }
      }
      for (const t of targets) {
        const s = pool(runs.filter((x) => x.target === t.name));
        steps.push(s);
        process.stdout.write(`${row(s)}\n`);
      }
      allRuns.push(...runs);
      const p = pairFigures(runs, rate);
      if (p !== undefined) process.stdout.write(`${pairLine(p)}\n`);
    }
  } finally {
    for (const t of targets) {
      await t.app.stop();
      await t.drachtio.stop();
    }
  }
  const pairs = RATES.flatMap((r) => pairFigures(allRuns, r) ?? []);
  const lines = summary(steps, pairs);
  process.stdout.write(`${lines.join('\n')}\n`);
  const meta = {
    date: new Date().toISOString(),
    rates: RATES,
    seconds: SECONDS,
    repeat: REPEAT,
    holdMs: HOLD_MS,
    drachtioLoglevel: opt['drachtio-loglevel'],
    sofiaLoglevel: opt['sofia-loglevel'],
    udpBuffer: Number(opt['udp-buffer']) || 'default',
    sipcaseLoglevel: opt['sipcase-loglevel'],
    node: process.version,
    cpus: cpus().length,
    warmupCalls: WARMUP,
  };
  const runRows = allRuns.map(({ setupUs: _times, ...r }) => r);
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify({ meta, steps, pairs, runs: runRows, summary: lines }, null, 2)}\n`);
  writeFileSync(join(OUT, 'results.csv'), `${COLUMNS.join(',')}\n${steps.map((s) => COLUMNS.map((k) => cell(s[k])).join(',')).join('\n')}\n`);
  writeFileSync(join(OUT, 'chart.svg'), renderChart(steps, chartCaption(meta)));
  process.stdout.write(`results: ${join(OUT, 'results.json')}, results.csv, chart.svg; raw SIPp files in ${WORK}\n`);
  return 0;
}

process.exitCode = await main();
