/**
 * `npm run soak`: thousands of concurrent long calls through sipcase, each re-INVITEd once, then
 * all hung up; how much heap a live call holds, and whether the heap returns to where it started.
 * Each call keeps two values in its memory (the preset plus a `remember` rule on Kore's INVITE:
 * its UUI, and a value built from the Call-ID and the caller), as a call-context rule set would;
 * --memory false runs the preset alone.
 * sipcase runs in this process (started with --expose-gc) so the heap can be collected and read
 * exactly; drachtio-server and SIPp are child processes on loopback. Bounded: --calls calls at
 * --rate, each held --hold-s seconds, and SIPp's own time limit.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Instance } from '../instance/instance.js';
import { loadConfig } from '../config.js';
import { ROOT, until, untilListening, which } from '../harness/processes.js';
import { sippLoad, softStop, type LoadRun } from './sipp-load.js';
import { presetRuleList, startDrachtio, writeLoopbackRules } from '../harness/loopback.js';
import { sippStats } from './sipp-stats.js';
import { lo } from '../harness/loopback-addresses.js';

const { values: opt } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    rate: { type: 'string', default: '100' },
    'hold-s': { type: 'string', default: '120' },
    warmup: { type: 'string', default: '500' },
    memory: { type: 'string', default: 'true' },
    work: { type: 'string', default: join(ROOT, 'bench-runs/soak') },
  },
});
const CALLS = Number(opt.calls);
const RATE = Number(opt.rate);
const HOLD_S = Number(opt['hold-s']);
const WORK = opt.work as string;
const WARMUP = Number(opt.warmup);
const MEMORY = opt.memory !== 'false';

/** What each soak call remembers when MEMORY is on: two values, about 100 characters together. */
const REMEMBER_RULE = {
  name: 'soak-remember',
  when: { from: 'kore', methods: ['INVITE'], message: 'request' },
  actions: [
    { action: 'remember', name: 'koreUui', value: '${header:User-to-User}' },
    { action: 'remember', name: 'callRef', value: '${call-id}|${from.user}' },
  ],
};
const GENESYS = lo('soak', 2);
const KORE = lo('soak', 3);

const gc = (globalThis as { gc?: () => void }).gc;
function heapAfterGc(): number {
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run soak does)');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

/** A SIPp pair: Genesys' strict callee and Kore's caller, `calls` at `rate`, each held `holdS`. */
async function startPair(label: string, calls: number, rate: number, holdS: number): Promise<{ uas: LoadRun; uac: LoadRun }> {
  const timeoutS = Math.ceil(calls / rate + holdS + 60);
  const uas = sippLoad(WORK, {
    label: `${label}-uas`,
    scenario: join(ROOT, 'test/sipp/bench/soak-genesys-uas.xml'),
    ip: GENESYS,
    port: 5090,
    timeoutS,
    statsEveryS: 5,
    errors: true,
  });
  await untilListening(uas.proc, 'udp', GENESYS, 5090);
  const uac = sippLoad(WORK, {
    label: `${label}-uac`,
    scenario: join(ROOT, 'test/sipp/bench/soak-kore-uac.xml'),
    ip: KORE,
    port: 5070,
    remote: '127.0.0.1:35660',
    service: '+14445556666',
    calls,
    rate,
    limit: calls,
    pauseMs: (holdS * 1000) / 2,
    timeoutS,
    statsEveryS: 5,
    errors: true,
  });
  return { uas, uac };
}

/** Runs a pair to the end; the caller's count of ok and failed calls. */
async function callsThrough(label: string, calls: number, rate: number, holdS: number): Promise<{ ok: number; failed: number }> {
  const { uas, uac } = await startPair(label, calls, rate, holdS);
  await uac.proc.exited;
  await softStop(uas.proc);
  const c = sippStats(uac.stats);
  return { ok: c['SuccessfulCall(C)'] ?? 0, failed: c['FailedCall(C)'] ?? 0 };
}

async function main(): Promise<number> {
  for (const bin of ['drachtio', 'sipp']) {
    if (which(bin) === undefined) {
      process.stderr.write(`soak: no ${bin} on the PATH\n`);
      return 2;
    }
  }
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const drachtio = await startDrachtio(WORK, 'drachtio', {
    admin: { host: '127.0.0.1', port: 39722, secret: 'sipcase-soak' },
    sip: '127.0.0.1:35660',
    preserve: 'User-to-User',
    loglevel: 'info',
    sofiaLoglevel: 3,
  });
  const rules = join(WORK, 'rules.json');
  writeLoopbackRules(rules, { genesys: GENESYS, kore: KORE, port: 5090 }, MEMORY ? [REMEMBER_RULE, ...presetRuleList()] : presetRuleList());
  const config = loadConfig(undefined, {
    SIPCASE_DRACHTIO_PORT: '39722',
    SIPCASE_DRACHTIO_SECRET: 'sipcase-soak',
    SIPCASE_RULES: rules,
    SIPCASE_HTTP_HOST: '127.0.0.1',
    SIPCASE_HTTP_PORT: '39723',
    SIPCASE_RELOAD_WATCH: 'false',
    SIPCASE_MAX_CALLS: String(CALLS * 2),
  });
  const log = pino({ level: 'info', base: { app: 'sipcase' } }, pino.destination({ dest: join(WORK, 'sipcase.log'), sync: false, minLength: 4096 }));
  const running = await Instance.start(config, log);
  const calls = running.calls;
  const procs = [drachtio];
  try {
    // Warm-up: the first calls compile code and fill one-off caches (a soak of 300 calls and one
    // of 3,000 both ended 1.3 MB above a cold start); "before" is measured after them.
    if (WARMUP > 0) {
      const w = await callsThrough('warmup', WARMUP, RATE, 1);
      process.stdout.write(`warm-up: ${w.ok} calls ok, ${w.failed} failed\n`);
    }
    const before = heapAfterGc();
    const rssBefore = process.memoryUsage().rss;
    process.stdout.write(`soak: ${CALLS} calls at ${RATE}/s, each held ${HOLD_S} s with one re-INVITE; heap before ${mb(before)} (after GC)\n`);
    const pair = await startPair('soak', CALLS, RATE, HOLD_S);
    procs.push(pair.uas.proc, pair.uac.proc);
    const { uas, uac } = pair;
    let peakCalls = 0;
    await until(
      `${CALLS} live calls`,
      () => (peakCalls = Math.max(peakCalls, calls.size)) >= CALLS || uac.proc.child.exitCode !== null,
      (CALLS / RATE + HOLD_S / 2 + 30) * 1000,
    );
    const live = calls.size;
    const peak = heapAfterGc();
    const rssPeak = process.memoryUsage().rss;
    process.stdout.write(`peak: ${live} live calls holding ${calls.rememberedValues()} remembered values, heap ${mb(peak)} (after GC), rss ${mb(rssPeak)}\n`);
    process.stdout.write(`heap per live call: ${((peak - before) / Math.max(1, live) / 1024).toFixed(1)} KB\n`);
    await uac.proc.exited;
    await softStop(uas.proc);
    await until('every call to end', () => calls.size === 0, 30_000).catch(() => undefined);
    const after = heapAfterGc();
    const c = sippStats(uac.stats);
    const s = sippStats(uas.stats);
    process.stdout.write(
      `calls: ${c['SuccessfulCall(C)'] ?? 0} ok, ${c['FailedCall(C)'] ?? 0} failed (caller side); ${s['FailedCall(C)'] ?? 0} failed (Genesys side, strict UUI check); left live: ${calls.size}, remembered values left: ${calls.rememberedValues()}\n`,
    );
    process.stdout.write(
      `heap after all calls ended: ${mb(after)} (after GC), against ${mb(before)} before: ${(((after - before) / before) * 100).toFixed(1)}%; rss ${mb(process.memoryUsage().rss)} (was ${mb(rssBefore)})\n`,
    );
    return (c['FailedCall(C)'] ?? 0) === 0 && calls.size === 0 ? 0 : 1;
  } finally {
    await running.stop();
    for (const p of procs.reverse()) await p.stop();
  }
}

process.exitCode = await main();
process.exit();
