/**
 * `npm run bench:flood`: what one sipcase instance (with its drachtio-server at notice, as compose
 * runs it) does under a request flood on loopback. Two floods, each a SIPp ladder of OPTIONS rates:
 * from a stranger (every request must be answered 403, nothing relayed) and from one peer address
 * over its `limits.sourceRate` (200 within the rate, 503 + Retry-After over it). Per rate it prints
 * requests sent, answered, refused per second, unanswered, and the CPU of drachtio-server and of
 * node. Bounded: each step sends rate x --seconds requests and stops by SIPp's own time limit.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, type Proc } from '../harness/processes.js';
import { sippLoad } from './sipp-load.js';
import { sample, startDrachtio, startSipcase, writeLoopbackRules } from '../harness/loopback.js';
import { cpuSeconds } from './measure.js';
import { sippStats } from './sipp-stats.js';
import { lo } from '../harness/loopback-addresses.js';

const NET = {
  admin: 39522,
  http: 39523,
  sip: '127.0.0.1:35560',
  genesys: lo('bench:flood', 2),
  kore: lo('bench:flood', 3),
  stranger: lo('bench:flood', 9),
  secret: 'sipcase-flood',
};

function options() {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '1000,2000,4000,6000' },
      seconds: { type: 'string', default: '5' },
      floods: { type: 'string', default: 'stranger,peer' },
      'source-rate': { type: 'string', default: '500' },
      work: { type: 'string', default: join(ROOT, 'bench-runs', 'flood') },
      out: { type: 'string', default: join(ROOT, 'docs/performance/flood.json') },
    },
  });
  return {
    rates: (values.rates ?? '')
      .split(',')
      .map(Number)
      .filter((r) => r > 0),
    seconds: Number(values.seconds),
    floods: (values.floods ?? '').split(',') as Flood[],
    sourceRate: values['source-rate'] as string,
    work: values.work as string,
    out: values.out as string,
  };
}
type Options = ReturnType<typeof options>;

type Flood = 'stranger' | 'peer';
const SCENARIO: Record<Flood, string> = {
  stranger: join(ROOT, 'test/sipp/bench/options-stranger-uac.xml'),
  peer: join(ROOT, 'test/sipp/scenarios/options-flood-uac.xml'),
};

async function rejected(reason: string): Promise<number> {
  return sample(await (await fetch(`http://127.0.0.1:${NET.http}/metrics`)).text(), 'sipcase_requests_rejected_total', { reason });
}

export interface Step {
  readonly flood: Flood;
  readonly rate: number;
  readonly sent: number;
  readonly answered: number;
  readonly refused: number;
  readonly unanswered: number;
  readonly wallS: number;
  readonly drachtioCpu: number;
  readonly nodeCpu: number;
}

async function step(o: Options, flood: Flood, rate: number, procs: { drachtio: Proc; app: Proc }): Promise<Step> {
  const dir = join(o.work, `${flood}-${rate}`);
  mkdirSync(dir, { recursive: true });
  const reason = flood === 'stranger' ? 'unknown_source' : 'rate';
  const refused0 = await rejected(reason);
  const cpu0 = { d: cpuSeconds(procs.drachtio.pid), n: cpuSeconds(procs.app.pid), at: process.hrtime.bigint() };
  const ip = flood === 'stranger' ? NET.stranger : NET.genesys;
  const uac = sippLoad(dir, {
    label: 'uac',
    scenario: SCENARIO[flood],
    ip,
    port: 5070,
    remote: NET.sip,
    service: 'probe',
    calls: rate * o.seconds,
    rate,
    limit: rate * 2,
    timeoutS: o.seconds + 20,
    recvTimeoutMs: 2000,
  });
  await uac.proc.exited;
  const wallS = Number(process.hrtime.bigint() - cpu0.at) / 1e9;
  const stats = sippStats(uac.stats);
  return {
    flood,
    rate,
    sent: stats['OutgoingCall(C)'] ?? 0,
    answered: stats['SuccessfulCall(C)'] ?? 0,
    refused: (await rejected(reason)) - refused0,
    unanswered: stats['FailedCall(C)'] ?? 0,
    wallS,
    drachtioCpu: (cpuSeconds(procs.drachtio.pid) - cpu0.d) / wallS,
    nodeCpu: (cpuSeconds(procs.app.pid) - cpu0.n) / wallS,
  };
}

/** One step as docs/security.md shows it (docs.test.ts checks the page against the results file). */
export function floodRow(s: Step): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return `| ${s.flood} | ${s.rate} | ${s.sent} | ${s.answered} | ${Math.round(s.refused / s.wallS)} | ${s.unanswered} | ${pct(s.drachtioCpu)} | ${pct(s.nodeCpu)} |`;
}

async function main(): Promise<number> {
  const o = options();
  rmSync(o.work, { recursive: true, force: true });
  mkdirSync(o.work, { recursive: true });
  const drachtio = await startDrachtio(o.work, 'drachtio', {
    admin: { host: '127.0.0.1', port: NET.admin, secret: NET.secret },
    sip: NET.sip,
    preserve: 'User-to-User',
    loglevel: 'notice',
    sofiaLoglevel: 0,
  });
  const rules = writeLoopbackRules(join(o.work, 'rules.json'), { genesys: NET.genesys, kore: NET.kore, port: 5090 });
  const app = await startSipcase(o.work, 'sipcase', {
    drachtio: { host: '127.0.0.1', port: NET.admin, secret: NET.secret },
    rules,
    http: { host: '127.0.0.1', port: NET.http },
    env: { SIPCASE_SOURCE_RATE: o.sourceRate, SIPCASE_SOURCE_BURST: o.sourceRate },
  }).catch(async (e: unknown) => {
    await drachtio.stop();
    throw e;
  });
  try {
    console.log(`flood: ${o.seconds} s per step, sipcase limits.sourceRate ${o.sourceRate}/s; drachtio-server at notice`);
    console.log('| flood | rate | sent | answered | refused/s | unanswered | drachtio CPU | node CPU |');
    const steps: Step[] = [];
    for (const flood of o.floods) {
      for (const rate of o.rates) {
        const s = await step(o, flood, rate, { drachtio, app });
        steps.push(s);
        console.log(floodRow(s));
      }
    }
    const meta = { date: new Date().toISOString(), cpus: cpus().length, node: process.version, seconds: o.seconds, sourceRate: Number(o.sourceRate) };
    writeFileSync(o.out, `${JSON.stringify({ meta, steps }, null, 2)}\n`);
    console.log(`results: ${o.out}`);
    return 0;
  } finally {
    await app.stop();
    await drachtio.stop();
  }
}

// Run only as the command: docs.test.ts imports floodRow from here.
if (process.argv[1]?.endsWith('flood.js') === true) process.exitCode = await main();
