/**
 * `sipcase regress`: the user's rules on the wire, on loopback. drachtio-server (the binary on the
 * PATH) and sipcase (this very CLI, `run`) start with the rules' peers moved onto loopback
 * addresses; SIPp plays both peers. For each direction it runs the standard flows (a call with a
 * re-INVITE and an INFO, a transfer by REFER with its NOTIFY, a failure answer, a CANCEL), then a
 * stranger's call, then the user's own scenario pairs; each flow passes when SIPp completes it and
 * every message the far peer received is what the rules make of what the near peer sent
 * (check.ts). SIPp runs through the harness the project's own end-to-end suites use (sipp.ts).
 * One line per flow, the trace to read when it fails; the count last.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, which } from '../harness/processes.js';
import { startDrachtio, startSipcase } from '../harness/loopback.js';
import type { CompiledRules, RulesFileSpec } from '../rules/types.js';
import { callMemory, checkLeg } from './check.js';
import { absentKeys, directions, hdrsKey, onLoopback, testHeaderLines, type Direction } from './plan.js';
import { callFlow, listenOn, sipp } from '../harness/sipp.js';
import { readTrace, receivedOf, sentOf } from './trace.js';
import { lo } from '../harness/loopback-addresses.js';

/** The standard flows: SIPp pairs in src/regress/flows/, `<flow>-uac.xml` the caller's side. */
const STANDARD_FLOWS = ['basic', 'transfer', 'busy', 'cancel'] as const;
const SCENARIOS = join(ROOT, 'src/regress/flows');

const NET = { drachtio: lo('regress', 1), sip: 5060, admin: 9022, http: 9080, secret: 'sipcase-regress', stranger: lo('regress', 99), uas: 5090, uac: 5070 };

export interface FlowResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface RegressOptions {
  readonly rulesFile: string;
  readonly spec: RulesFileSpec;
  readonly rules: CompiledRules;
  readonly work: string;
  /** Folder of the user's own pairs: `<caller>-to-<callee>/<name>-uac.xml` and `-uas.xml`. */
  readonly scenarios?: string;
  readonly say: (line: string) => void;
}

export class RegressSetupError extends Error {}

interface Side {
  readonly scenario: string;
  readonly ip: string;
  readonly hdrs: string;
}

/** One flow: the callee's SIPp, then the caller's; both must finish, and both legs check out. */
async function flow(o: RegressOptions, name: string, dir: Direction, caller: Side, callee: Side): Promise<FlowResult> {
  const label = name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const keys = (hdrs: string) => ({ hdrs, refer_to: '<sip:transfer-target@example.com>' });
  const { uac, uas } = await callFlow(
    o.work,
    { label: `${label}.uas`, scenario: callee.scenario, ip: callee.ip, port: NET.uas, keys: keys(callee.hdrs), timeoutS: 20 },
    {
      label: `${label}.uac`,
      scenario: caller.scenario,
      ip: caller.ip,
      port: NET.uac,
      service: '+15550100',
      keys: keys(caller.hdrs),
      remote: `${NET.drachtio}:${NET.sip}`,
      timeoutS: 20,
    },
  );
  const failed = [
    { who: dir.from, run: uac },
    { who: dir.to, run: uas },
  ].find((s) => s.run.code !== 0);
  if (failed !== undefined) {
    const why = failed.run.errors.split('\n').find((l) => /Aborting|unexpected|timeout|check/i.test(l)) ?? `SIPp exit code ${failed.run.code}`;
    return { name, ok: false, detail: `${failed.who}'s SIPp: ${why.trim().slice(0, 240)} (trace ${failed.run.trace})` };
  }
  const traceOf = (t: string) => readTrace(existsSync(t) ? readFileSync(t, 'latin1') : '');
  const [c, d] = [traceOf(uac.trace), traceOf(uas.trace)];
  const memory = callMemory(o.rules, dir, c, d);
  const forth = checkLeg(o.rules, dir, sentOf(c), receivedOf(d), [], memory);
  const back = checkLeg(o.rules, { from: dir.to, to: dir.from }, sentOf(d), receivedOf(c), [], memory);
  const mismatches = [...forth.mismatches, ...back.mismatches];
  if (mismatches.length > 0)
    return {
      name,
      ok: false,
      detail: `${mismatches[0] as string}${mismatches.length > 1 ? ` (and ${mismatches.length - 1} more)` : ''} (traces ${uac.trace}, ${uas.trace})`,
    };
  // A flow in which nothing was checked proved nothing (a trace format this no longer reads, a
  // scenario that sends nothing through): it fails.
  if (forth.checked + back.checked === 0) return { name, ok: false, detail: `no message was checked against the rules (traces ${uac.trace}, ${uas.trace})` };
  return { name, ok: true, detail: `${forth.checked + back.checked} messages checked against the rules` };
}

/** A stranger's call: refused with 403, and no peer hears anything. */
async function stranger(o: RegressOptions, addresses: ReadonlyMap<string, string>): Promise<FlowResult> {
  const peers = await listenOn(addresses.values(), NET.uas);
  try {
    const run = await sipp(o.work, {
      label: 'stranger.uac',
      scenario: join(SCENARIOS, 'stranger-uac.xml'),
      ip: NET.stranger,
      port: NET.uac,
      service: '+15550100',
      remote: `${NET.drachtio}:${NET.sip}`,
    }).done;
    await new Promise((r) => setTimeout(r, 300));
    if (run.code !== 0) return { name: 'stranger', ok: false, detail: `not refused with 403 (SIPp exit ${run.code}; trace ${run.trace})` };
    if (peers.heard.length > 0) return { name: 'stranger', ok: false, detail: `relayed to a peer: ${peers.heard[0] as string}` };
    return { name: 'stranger', ok: true, detail: `${NET.stranger} refused with 403, no peer heard anything` };
  } finally {
    peers.close();
  }
}

/** The user's pairs: `<dir>/<caller>-to-<callee>/<name>-uac.xml` with its `<name>-uas.xml`. */
function userFlows(dir: string, rules: CompiledRules): { name: string; way: Direction; uac: string; uas: string }[] {
  const out: { name: string; way: Direction; uac: string; uas: string }[] = [];
  for (const sub of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const [from, to, ...rest] = sub.name.split('-to-');
    if (from === undefined || to === undefined || rest.length > 0 || !rules.peers.has(from) || !rules.peers.has(to)) {
      throw new RegressSetupError(
        `${join(dir, sub.name)}: a scenario folder is named <caller>-to-<callee> after two peers of the rules (peers: ${[...rules.peers.keys()].join(', ')})`,
      );
    }
    for (const f of readdirSync(join(dir, sub.name))
      .filter((n) => n.endsWith('-uac.xml'))
      .sort()) {
      const uas = f.replace(/-uac\.xml$/, '-uas.xml');
      if (!existsSync(join(dir, sub.name, uas))) throw new RegressSetupError(`${join(dir, sub.name, f)} has no ${uas} beside it`);
      out.push({ name: `${sub.name}/${f.replace(/-uac\.xml$/, '')}`, way: { from, to }, uac: join(dir, sub.name, f), uas: join(dir, sub.name, uas) });
    }
  }
  return out;
}

export async function regress(o: RegressOptions): Promise<FlowResult[]> {
  for (const [bin, how] of [
    ['drachtio', 'drachtio-server is not on the PATH: build or install it (docker image drachtio/drachtio-server:0.9.10 has one), then run again'],
    ['sipp', 'SIPp is not on the PATH: apt-get install sip-tester'],
  ] as const) {
    if (which(bin) === undefined) throw new RegressSetupError(how);
  }
  const user = o.scenarios === undefined ? [] : userFlows(o.scenarios, o.rules);
  mkdirSync(o.work, { recursive: true });
  const addresses = new Map([...o.rules.peers.keys()].map((name, i) => [name, lo('regress', 10 + i)]));
  const rulesPath = join(o.work, 'rules.json');
  writeFileSync(rulesPath, JSON.stringify(onLoopback(o.spec, addresses, NET.uas), null, 2));
  o.say(`regress: ${o.rulesFile} with its peers on loopback (${[...addresses].map(([n, a]) => `${n} ${a}`).join(', ')}); logs and traces in ${o.work}`);
  const drachtio = await startDrachtio(o.work, 'drachtio', {
    admin: { host: NET.drachtio, port: NET.admin, secret: NET.secret },
    sip: `${NET.drachtio}:${NET.sip}`,
    preserve: o.rules.emittedNames.join(','),
    loglevel: 'info',
    sofiaLoglevel: 3,
  });
  const sipcaseLog = join(o.work, 'sipcase.log');
  const sipcase = await startSipcase(o.work, 'sipcase', {
    drachtio: { host: NET.drachtio, port: NET.admin, secret: NET.secret },
    rules: rulesPath,
    http: { host: NET.drachtio, port: NET.http },
    env: { SIPCASE_LOG_LEVEL: 'debug', SIPCASE_PROXIES: '', SIPCASE_OUTBOUND_PROXY: '' },
  }).catch(async () => {
    await drachtio.stop();
    throw new RegressSetupError(`sipcase did not start: ${lastLogLine(sipcaseLog)} (log ${sipcaseLog})`);
  });
  try {
    const results: FlowResult[] = [];
    const record = (r: FlowResult) => {
      results.push(r);
      o.say(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  ${r.detail}`);
    };
    // Each side plays its peer from the peer's loopback address, sending what makes the rules act.
    const side = (from: string, to: string, scenario: string, without: ReadonlySet<string> = new Set()): Side => ({
      ip: addresses.get(from) as string,
      hdrs: hdrsKey(testHeaderLines(o.rules, { from, to }, without)),
      scenario,
    });
    for (const dir of directions(o.rules)) {
      for (const name of STANDARD_FLOWS) {
        record(
          await flow(
            o,
            `${dir.from}->${dir.to} ${name}`,
            dir,
            side(dir.from, dir.to, join(SCENARIOS, `${name}-uac.xml`)),
            side(dir.to, dir.from, join(SCENARIOS, `${name}-uas.xml`)),
          ),
        );
      }
      // The transfer again, the callee leaving out what a rule toward the caller wants absent (the
      // preset's hand-off: a REFER with no UUI gets the UUI the call's INVITE carried).
      const absent = absentKeys(o.rules, { from: dir.to, to: dir.from });
      if (absent.size > 0) {
        record(
          await flow(
            o,
            `${dir.from}->${dir.to} transfer without ${[...absent].join(', ')}`,
            dir,
            side(dir.from, dir.to, join(SCENARIOS, 'transfer-uac.xml')),
            side(dir.to, dir.from, join(SCENARIOS, 'transfer-uas.xml'), absent),
          ),
        );
      }
    }
    record(await stranger(o, addresses));
    for (const u of user) record(await flow(o, u.name, u.way, side(u.way.from, u.way.to, u.uac), side(u.way.to, u.way.from, u.uas)));
    return results;
  } finally {
    await sipcase.stop();
    await drachtio.stop();
  }
}

function lastLogLine(log: string): string {
  const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  const last = lines.reverse().find((l) => l.includes('"msg"') || l.startsWith('sipcase:')) ?? '';
  return /"msg":"([^"]*)"/.exec(last)?.[1] ?? last;
}
