/**
 * The end-to-end stack on loopback: a real drachtio-server, sipcase itself (the built CLI, as a
 * user runs it), and SIPp playing the peers from their own addresses. Every process is started
 * here, tracked by PID and ended by PID.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { callFlow as harnessFlow, listenOn, sipp as runSipp, type SippRun, type SippSpec as HarnessSpec } from '../../src/harness/sipp.js';
import { track, until, type Proc } from '../../src/harness/processes.js';
import { presetRuleList, sample, startDrachtio as startHarnessDrachtio, writeLoopbackRules, type LoopbackPeers } from '../../src/harness/loopback.js';
import { lo, LOOPBACK, type LoopbackUser } from '../../src/harness/loopback-addresses.js';
import { afterEach, expect } from 'vitest';

export { portOpen, until, which, type Proc } from '../../src/harness/processes.js';
export { presetRuleList, sample } from '../../src/harness/loopback.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const LOGS = join(ROOT, 'test/sipp/logs');
export const SCENARIOS = join(ROOT, 'test/sipp/scenarios');

/** Where one end-to-end suite's processes listen; each suite file has its own, so files can run side by side. */
export interface Net {
  readonly drachtio: string;
  readonly sipPort: number;
  readonly adminPort: number;
  readonly secret: string;
  readonly genesys: string;
  readonly kore: string;
  readonly stranger: string;
  readonly uasPort: number;
  readonly uacPort: number;
}

/**
 * A suite's addresses, from its lease in src/harness/loopback-addresses.ts: drachtio-server's SIP
 * port is its first range's first port and the admin port its second's (the operations ports
 * sipcase takes follow the admin port, 100 up); the peers are .2 (Genesys), .3 (Kore) and .9 (a
 * stranger) of its /24.
 */
export function suiteNet(user: LoopbackUser, secret: string): Net {
  const [sip, admin] = LOOPBACK[user].ports;
  if (sip === undefined || admin === undefined) throw new Error(`${user} leases no SIP and admin ports`);
  return {
    drachtio: '127.0.0.1',
    sipPort: sip[0],
    adminPort: admin[0],
    secret,
    genesys: lo(user, 2),
    kore: lo(user, 3),
    stranger: lo(user, 9),
    uasPort: 25090,
    uacPort: 25070,
  };
}

/** The main suite's (e2e.test.ts); each peer's UAS listens on uasPort (its target in the rules), its UAC sends from uacPort. */
export const NET: Net = suiteNet('e2e', 'sipcase-e2e');

export interface DrachtioTls {
  readonly port: number;
  readonly key: string;
  readonly cert: string;
}

/**
 * drachtio-server on loopback; `preserve` is its DRACHTIO_PRESERVE_HEADER_NAMES (none: unset). With
 * `tls`, it also takes SIP over TLS (1.2 at least) with the given key and certificate. The admin
 * socket and logging come from a small file (drachtio-server needs one); SIP addresses and TLS
 * from the same command-line flags docker/compose.yml gives it.
 */
export function startDrachtio(name: string, preserve: string | undefined, net: Net = NET, tls?: DrachtioTls): Promise<Proc> {
  return startHarnessDrachtio(LOGS, name, {
    admin: { host: net.drachtio, port: net.adminPort, secret: net.secret },
    sip: `${net.drachtio}:${net.sipPort}`,
    preserve,
    loglevel: 'info',
    sofiaLoglevel: 3,
    extraArgs: tls === undefined ? [] : drachtioTlsArgs(`${net.drachtio}:${tls.port}`, tls),
  });
}

/**
 * drachtio-server's flags for SIP over TLS, as compose sets them: a `sips:` contact (v0.9.10's SIP
 * stack binds TLS only for a sips: contact), the key, the certificate, the chain (required: it is
 * the CA list TLS is set up with) and TLS 1.2 at least.
 */
export function drachtioTlsArgs(hostport: string, files: { readonly key: string; readonly cert: string; readonly chain?: string }): string[] {
  return [
    '--contact',
    `sips:${hostport};transport=tls`,
    '--key-file',
    files.key,
    '--cert-file',
    files.cert,
    '--chain-file',
    files.chain ?? files.cert,
    '--min-tls-version',
    '1.2',
  ];
}

/**
 * Where each peer's SIPp listens (UAS) and sends from (UAC) on a suite's addresses; UACs send to
 * `remote` (drachtio-server's SIP address unless given, e.g. a balancer's).
 */
export function peerEnds(net: Net, remote = `${net.drachtio}:${net.sipPort}`) {
  return {
    genesysUas: { ip: net.genesys, port: net.uasPort },
    koreUas: { ip: net.kore, port: net.uasPort },
    genesysUac: { ip: net.genesys, port: net.uacPort, remote },
    koreUac: { ip: net.kore, port: net.uacPort, remote },
  };
}

/** A rules file with the preset's peers on this suite's loopback addresses (see writeLoopbackRules). */
export function writeRules(
  net: Net = NET,
  file = join(LOGS, 'rules.json'),
  rules: unknown[] = presetRuleList(),
  genesysTarget?: string,
  more?: LoopbackPeers['more'],
): string {
  return writeLoopbackRules(
    file,
    {
      genesys: net.genesys,
      kore: net.kore,
      port: net.uasPort,
      ...(genesysTarget === undefined ? {} : { genesysTarget }),
      ...(more === undefined ? {} : { more }),
    },
    rules,
  );
}

export interface Sipcase extends Proc {
  /** Resolves once /readyz answers 200, or with the exit code if sipcase exits first. */
  readonly ready: Promise<'ready' | number>;
  /** The operations endpoints: GET a path, bounded by a short timeout. */
  readonly http: (path: string) => Promise<{ status: number; text: string }>;
  readonly httpPort: number;
}

/** A GET on loopback with a bounded wait; a refused connection is status 0. */
export async function httpGet(port: number, path: string): Promise<{ status: number; text: string }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: r.status, text: await r.text() };
  } catch {
    return { status: 0, text: '' };
  }
}

/** Each sipcase the tests start gets its own operations port: 100 above its suite's admin port, counting up. */
const httpPorts = new Map<number, number>();
function httpPortFor(net: Net): number {
  const port = httpPorts.get(net.adminPort) ?? net.adminPort + 100;
  httpPorts.set(net.adminPort, port + 1);
  return port;
}

export function startSipcase(name: string, rules: string, extraEnv: Record<string, string> = {}, net: Net = NET): Sipcase {
  mkdirSync(LOGS, { recursive: true });
  if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run npm run build first');
  const httpPort = httpPortFor(net);
  // The container's own entrypoint, so that the sidecar's start command is what the tests run.
  const child = spawn(join(ROOT, 'docker/entrypoint.sh'), [], {
    cwd: ROOT,
    env: {
      ...process.env,
      SIPCASE_DRACHTIO_HOST: net.drachtio,
      SIPCASE_DRACHTIO_PORT: String(net.adminPort),
      SIPCASE_DRACHTIO_SECRET: net.secret,
      SIPCASE_DRACHTIO_RECONNECT_MAX_DELAY_MS: '1000',
      SIPCASE_RULES: rules,
      SIPCASE_LOG_LEVEL: 'debug',
      SIPCASE_HTTP_HOST: '127.0.0.1',
      SIPCASE_HTTP_PORT: String(httpPort),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child, join(LOGS, `${name}.log`));
  const http = (path: string) => httpGet(httpPort, path);
  let exited: number | undefined;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  const ready = (async (): Promise<'ready' | number> => {
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      if (exited !== undefined) return exited;
      if ((await http('/readyz')).status === 200) return 'ready';
      await new Promise((r) => setTimeout(r, 100));
    }
    return exited ?? -1;
  })();
  return { ...proc, ready, http, httpPort };
}

/**
 * A suite's stack: drachtio-server (preserving User-to-User) and sipcase with `rules`, ready;
 * fails with the log to read when sipcase exits first.
 */
export async function startStack(name: string, net: Net, rules: string, extraEnv: Record<string, string> = {}): Promise<{ server: Proc; app: Sipcase }> {
  const server = await startDrachtio(`${name}-drachtio`, 'User-to-User', net);
  const app = startSipcase(`${name}-sipcase`, rules, extraEnv, net);
  const state = await app.ready;
  if (state === 'ready') return { server, app };
  // The suite never gets these to stop: a drachtio-server left running here would hold the
  // suite's ports, and the next run's would start on top of it and fail in ways that mislead.
  await app.stop();
  await server.stop();
  throw new Error(`sipcase exited with ${state} before it was ready: see ${app.log}`);
}

/** UDP sockets on both peers' listening addresses, recording the start line of anything that arrives. */
export function listenOnPeers(net: Net): Promise<{ heard: string[]; close: () => void }> {
  return listenOn([net.genesys, net.kore], net.uasPort);
}

export type { SippRun } from '../../src/harness/sipp.js';

/** A SIPp spec as the suites write it: a scenario of test/sipp/scenarios by file name, or a path. */
export type SippSpec = Omit<HarnessSpec, 'scenario'> & { readonly scenario: string };
const inScenarios = (s: SippSpec): HarnessSpec => ({ ...s, scenario: isAbsolute(s.scenario) ? s.scenario : join(SCENARIOS, s.scenario) });

/** Runs one SIPp instance for one call (the harness of src/regress/sipp.ts), its files in the suites' log folder. */
export function sipp(spec: SippSpec): { done: Promise<SippRun>; proc: Proc } {
  return runSipp(LOGS, inScenarios(spec));
}

/**
 * `sipp` for a suite whose tests each start their own peers: what a test started is stopped after
 * it, so a failed test's peers free their ports before the next test binds them.
 */
export function sippEachTest(): typeof sipp {
  const started: Proc[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });
  return (spec) => {
    const run = sipp(spec);
    started.push(run.proc);
    return run;
  };
}

/** A UAS and a UAC for one call: the UAS starts first; both must exit 0. */
export function callFlow(uas: SippSpec, uac: SippSpec): Promise<{ uas: SippRun; uac: SippRun }> {
  return harnessFlow(LOGS, inScenarios(uas), inScenarios(uac));
}

/** Every SIPp run of a flow exited 0; a failure names the side and the end of its error file. */
export function passed(runs: Record<string, SippRun>): void {
  for (const [who, run] of Object.entries(runs)) expect(run.code, `${who} SIPp exit code; its errors:\n${run.errors}`).toBe(0);
}

/** One sample of a sipcase's /metrics now (see `sample`). */
export async function metric(app: Sipcase, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  return sample((await app.http('/metrics')).text, name, labels);
}

/** Waits until sipcase's /metrics satisfies `check`, or fails after `timeoutMs`. */
export async function untilMetrics(app: Sipcase, what: string, check: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  let last = '';
  await until(what, async () => check((last = (await app.http('/metrics')).text)), timeoutMs);
  return last;
}

/**
 * Waits until a process's log contains `pattern` (sipcase writes its log asynchronously), and
 * returns the log; fails after `timeoutMs`.
 */
export async function untilLogged(proc: Proc, pattern: string | RegExp, timeoutMs = 3000): Promise<string> {
  let text = '';
  const found = () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
  await until(`${String(pattern)} in ${proc.log}`, () => found() || ((text = readFileSync(proc.log, 'utf8')), found()), timeoutMs);
  return text;
}
