/**
 * The conformance campaign: generated call flows (flow.ts) played by SIPp (scenario.ts) through a
 * real drachtio-server and sipcase, over UDP and TCP, with invariants checked after every flow:
 *
 * - both SIPp sides passed: each got exactly the statuses and reason phrases the other sent (no
 *   status invented), the callee toward Genesys one User-to-User spelled exactly so;
 * - every call ended exactly once, with the outcome the flow says (completed, failed, canceled);
 * - live calls, remembered values and drachtio-srf's dialogs are back to 0;
 * - the process never faulted (sipcase_faults_total) and is still running.
 *
 * Flows run one after another, so each flow's counts are its own. A failing flow is reported with
 * its name, its seed and the logs to read; `npm run conformance -- --seed N` plays the same flows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lo, LOOPBACK } from '../harness/loopback-addresses.js';
import { presetRuleList, sample, startDrachtio, startSipcase } from '../harness/loopback.js';
import { until, type Proc } from '../harness/processes.js';
import { callFlow, type SippRun } from '../harness/sipp.js';
import { CALL_OUTCOMES, FAULT_KINDS } from '../observe.js';
import { expectedOutcome, flowName, generateFlows, type Flow } from './flow.js';
import { calleeScenario, callerScenario } from './scenario.js';

export type Transport = 'udp' | 'tcp';

export interface CampaignSpec {
  readonly seed: number;
  readonly flows: number;
  /** Play from this flow on (0 unless given): a failing flow alone, by the index its line gives. */
  readonly firstFlow?: number;
  /** Calls each flow places, and at what rate a second. */
  readonly callsPerFlow: number;
  readonly rate: number;
  readonly transports: readonly Transport[];
  /** Where scenarios, SIPp traces and the processes' logs go. */
  readonly dir: string;
  /** drachtio-server's log level (notice unless given; debug adds its SIP stack's). */
  readonly drachtioLogLevel?: string;
  /** sipcase's log level (info unless given). */
  readonly logLevel?: string;
  /** A line of progress (a failing flow, a phase). */
  readonly say: (line: string) => void;
}

export interface FlowResult {
  readonly name: string;
  readonly transport: Transport;
  readonly calls: number;
  /** Why it failed; empty when it passed. */
  readonly problems: readonly string[];
}

export interface CampaignResult {
  readonly seed: number;
  readonly results: readonly FlowResult[];
  readonly seconds: number;
}

const [SIP_PORT] = LOOPBACK.conformance.ports[0];
const [ADMIN_PORT, HTTP_PORT] = LOOPBACK.conformance.ports[1];
const DRACHTIO = '127.0.0.1';
const GENESYS = lo('conformance', 2);
const KORE = lo('conformance', 3);
const UAS_PORT = 25090;
const UAC_PORT = 25070;

/** The preset's rules, with the two peers on this campaign's addresses, reached over `transport`. */
function rulesFor(transport: Transport): string {
  const target = (ip: string) => `sip:${ip}:${UAS_PORT};transport=${transport}`;
  return JSON.stringify(
    { peers: { genesys: { sources: [GENESYS], target: target(GENESYS) }, kore: { sources: [KORE], target: target(KORE) } }, rules: presetRuleList() },
    null,
    2,
  );
}

async function metrics(): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${HTTP_PORT}/metrics`, { signal: AbortSignal.timeout(3000) });
  return r.text();
}

function endedByOutcome(text: string, flow: Flow): Record<string, number> {
  const [from, to] = flow.direction === 'kore->genesys' ? ['kore', 'genesys'] : ['genesys', 'kore'];
  return Object.fromEntries(CALL_OUTCOMES.map((outcome) => [outcome, sample(text, 'sipcase_calls_ended_total', { from, to, outcome })]));
}

const faults = (text: string) => FAULT_KINDS.reduce((n, kind) => n + sample(text, 'sipcase_faults_total', { kind }), 0);

/** The gauges of what sipcase holds for live calls: each 0 once every call has ended. */
const HELD = ['sipcase_live_calls', 'sipcase_remembered_values', 'sipcase_drachtio_dialogs'] as const;

/** Waits until no call is live and nothing is held for one; the gauges' last values when it is not so by then. */
async function settled(timeoutMs = 15_000): Promise<string | undefined> {
  let last = '';
  try {
    await until(
      'no live call, remembered value or drachtio-srf dialog',
      async () => {
        last = await metrics();
        return HELD.every((g) => sample(last, g) === 0);
      },
      timeoutMs,
    );
    return undefined;
  } catch {
    const held = HELD.map((g) => `${g} ${sample(last, g)}`);
    return `not back to 0 after ${timeoutMs / 1000} s: ${held.join(', ')}`;
  }
}

function sippProblems(runs: { uas: SippRun; uac: SippRun }, dir: string, label: string): string[] {
  return (['uac', 'uas'] as const).flatMap((side) =>
    runs[side].code === 0 ? [] : [`${side === 'uac' ? 'caller' : 'callee'} SIPp exited ${runs[side].code}: see ${join(dir, `${label}-${side}.errors.log`)}`],
  );
}

/** How long a failed flow's leftovers may take to end (drachtio-server's 32 s, liveness 30 s, and margin). */
const AFTER_FAILURE_MS = 90_000;

async function playFlow(flow: Flow, index: number, transport: Transport, spec: CampaignSpec, app: Proc): Promise<FlowResult> {
  const name = flowName(flow);
  const label = `${transport}-${String(index).padStart(3, '0')}`;
  const scenarios = join(spec.dir, 'scenarios');
  const uacFile = join(scenarios, `${label}-uac.xml`);
  const uasFile = join(scenarios, `${label}-uas.xml`);
  writeFileSync(uacFile, callerScenario(flow, name));
  writeFileSync(uasFile, calleeScenario(flow, name));
  const [callerIp, calleeIp] = flow.direction === 'kore->genesys' ? [KORE, GENESYS] : [GENESYS, KORE];
  const before = await metrics();
  const sippTransport = transport === 'tcp' ? 't1' : 'u1';
  const common = { calls: spec.callsPerFlow, rate: spec.rate, transport: sippTransport, timeoutS: 40, pauseMs: 100 } as const;
  const runs = await callFlow(
    spec.dir,
    { label: `${label}-uas`, scenario: uasFile, ip: calleeIp, port: UAS_PORT, ...common },
    { label: `${label}-uac`, scenario: uacFile, ip: callerIp, port: UAC_PORT, remote: `${DRACHTIO}:${SIP_PORT}`, service: '+14445556666', ...common },
  );
  const problems = sippProblems(runs, spec.dir, label);
  const held = await settled();
  if (held !== undefined) problems.push(held);
  const after = await metrics();
  const [was, now] = [endedByOutcome(before, flow), endedByOutcome(after, flow)];
  const moved = Object.fromEntries(CALL_OUTCOMES.map((o) => [o, (now[o] ?? 0) - (was[o] ?? 0)]).filter(([, n]) => n !== 0));
  const want = { [expectedOutcome(flow)]: spec.callsPerFlow };
  if (JSON.stringify(moved) !== JSON.stringify(want)) problems.push(`calls ended ${JSON.stringify(moved)}, expected ${JSON.stringify(want)}`);
  if (faults(after) !== faults(before)) problems.push(`sipcase faulted: sipcase_faults_total ${faults(before)} -> ${faults(after)}`);
  if (app.child.exitCode !== null) problems.push(`sipcase exited with ${app.child.exitCode}: see ${app.log}`);
  return { name, transport, calls: spec.callsPerFlow, problems };
}

/** Plays every flow on every transport; stops early only when sipcase is gone. */
export async function runCampaign(spec: CampaignSpec): Promise<CampaignResult> {
  const started = Date.now();
  mkdirSync(join(spec.dir, 'scenarios'), { recursive: true });
  const flows = generateFlows(spec.seed, spec.flows);
  const rulesFile = join(spec.dir, 'rules.json');
  const results: FlowResult[] = [];
  const drachtio = await startDrachtio(spec.dir, 'drachtio', {
    admin: { host: DRACHTIO, port: ADMIN_PORT, secret: 'sipcase-conformance' },
    sip: `${DRACHTIO}:${SIP_PORT}`,
    transports: 'udp,tcp',
    preserve: 'User-to-User',
    loglevel: spec.drachtioLogLevel ?? 'notice',
    sofiaLoglevel: spec.drachtioLogLevel === 'debug' ? 7 : 1,
  });
  let app: Proc | undefined;
  try {
    for (const transport of spec.transports) {
      // One sipcase a transport: the peers' targets are the rules', and a fresh process starts every count at 0.
      await app?.stop();
      writeFileSync(rulesFile, rulesFor(transport));
      app = await startSipcase(spec.dir, `sipcase-${transport}`, {
        drachtio: { host: DRACHTIO, port: ADMIN_PORT, secret: 'sipcase-conformance' },
        rules: rulesFile,
        http: { host: '127.0.0.1', port: HTTP_PORT },
        env: { SIPCASE_LOG_LEVEL: spec.logLevel ?? 'info' },
      });
      spec.say(`${transport}: ${flows.length} flows, ${spec.callsPerFlow} calls each`);
      for (const [i, flow] of flows.entries()) {
        if (i < (spec.firstFlow ?? 0)) continue;
        const r = await playFlow(flow, i, transport, spec, app);
        results.push(r);
        if (r.problems.length > 0) {
          spec.say(`FAILED ${transport} #${i} ${r.name}: ${r.problems.join('; ')}`);
          // A failed flow can leave calls that end only by drachtio-server's or sipcase's own timers
          // (32 s transactions, liveness): the next flow starts once they have, so it counts its own.
          const left = await settled(AFTER_FAILURE_MS);
          if (left !== undefined) spec.say(`  after it: ${left}`);
        }
        if (app.child.exitCode !== null) return { seed: spec.seed, results, seconds: (Date.now() - started) / 1000 };
      }
    }
  } finally {
    await app?.stop();
    await drachtio.stop();
  }
  return { seed: spec.seed, results, seconds: (Date.now() - started) / 1000 };
}

/** The figures a run is reported by. */
export function summary(r: CampaignResult): { flows: number; distinct: number; calls: number; passed: number; failed: number } {
  const failed = r.results.filter((x) => x.problems.length > 0).length;
  return {
    flows: r.results.length,
    distinct: new Set(r.results.map((x) => x.name)).size,
    calls: r.results.reduce((n, x) => n + x.calls, 0),
    passed: r.results.length - failed,
    failed,
  };
}
