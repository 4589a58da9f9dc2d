/**
 * drachtio-server and sipcase started on loopback as child processes (the stack `sipcase regress`,
 * the end-to-end suites and the benchmarks run against), a rules file with the peers moved onto
 * loopback, and one sample read from /metrics.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { portOpen, ROOT, startProc, until, type Proc } from './processes.js';

/** The preset, config/rules.json, as its JSON reads. */
function presetFile(): { peers: Record<string, Record<string, unknown>>; rules: unknown[] } {
  return JSON.parse(readFileSync(join(ROOT, 'config/rules.json'), 'utf8')) as { peers: Record<string, Record<string, unknown>>; rules: unknown[] };
}

/** The preset's rules (config/rules.json). */
export function presetRuleList(): unknown[] {
  return presetFile().rules;
}

export interface LoopbackPeers {
  readonly genesys: string;
  readonly kore: string;
  /** Where each peer's UAS listens. */
  readonly port: number;
  /** Genesys' target when not UDP to its address and port (e.g. a TLS one). */
  readonly genesysTarget?: string;
  /** More of each peer's fields (region, say), over the preset's. */
  readonly more?: { readonly genesys?: Readonly<Record<string, unknown>>; readonly kore?: Readonly<Record<string, unknown>> };
}

/**
 * A rules file with the preset's two peers moved onto loopback addresses, and the given rules (the
 * preset's unless given). Written as an editor saves, to a new file renamed over the old one, so a
 * watching sipcase reads a whole file.
 */
export function writeLoopbackRules(file: string, peers: LoopbackPeers, rules: unknown[] = presetRuleList()): string {
  mkdirSync(dirname(file), { recursive: true });
  const target = (ip: string) => `sip:${ip}:${peers.port};transport=udp`;
  const preset = presetFile().peers;
  const text = JSON.stringify(
    {
      peers: {
        genesys: { ...preset['genesys'], ...peers.more?.genesys, sources: [peers.genesys], target: peers.genesysTarget ?? target(peers.genesys) },
        kore: { ...preset['kore'], ...peers.more?.kore, sources: [peers.kore], target: target(peers.kore) },
      },
      rules,
    },
    null,
    2,
  );
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  return file;
}

export interface DrachtioSpec {
  readonly admin: { readonly host: string; readonly port: number; readonly secret: string };
  readonly sip: string;
  /** Its DRACHTIO_PRESERVE_HEADER_NAMES; undefined: unset (whatever the caller's environment had). */
  readonly preserve: string | undefined;
  /** drachtio-server's log level (notice, error, warning, info, debug) and its SIP stack's (0-9). */
  readonly loglevel: string;
  readonly sofiaLoglevel: number;
  /** Its UDP socket buffers in bytes (0: its default, 4 MB; the kernel caps them at net.core.rmem_max). */
  readonly udpBufferSize?: number;
  /** The transports its SIP address takes (`udp` unless given; `udp,tcp` for both). */
  readonly transports?: string;
  /** More command-line flags (a TLS address and its files: test/sipp/stack.ts drachtioTlsArgs). */
  readonly extraArgs?: readonly string[];
}

/** drachtio-server, admin socket and logging from a small file, SIP address from the command line. */
export async function startDrachtio(dir: string, name: string, spec: DrachtioSpec): Promise<Proc> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, `${name}.conf.xml`);
  writeFileSync(
    conf,
    `<drachtio>
  <admin port="${spec.admin.port}" secret="${spec.admin.secret}">${spec.admin.host}</admin>
  <sip><contacts></contacts>${spec.udpBufferSize ? `<udp-buffer-size>${spec.udpBufferSize}</udp-buffer-size>` : ''}</sip>
  <logging><console/><loglevel>${spec.loglevel}</loglevel><sofia-loglevel>${spec.sofiaLoglevel}</sofia-loglevel></logging>
</drachtio>
`,
  );
  const env = { ...process.env };
  delete env['DRACHTIO_PRESERVE_HEADER_NAMES'];
  if (spec.preserve !== undefined) env['DRACHTIO_PRESERVE_HEADER_NAMES'] = spec.preserve;
  // An admin port that answers already is another process's (a drachtio-server an earlier run left
  // behind): the new one would fail to bind, and sipcase would talk to the old one unnoticed.
  if (await portOpen(spec.admin.host, spec.admin.port)) {
    throw new Error(`${name}: ${spec.admin.host}:${spec.admin.port} is taken by another process (a drachtio-server left running?)`);
  }
  const contact = `sip:${spec.sip};transport=${spec.transports ?? 'udp'}`;
  const proc = startProc('drachtio', ['-f', conf, '--contact', contact, ...(spec.extraArgs ?? [])], join(dir, `${name}.log`), env);
  await until(
    `${name} admin port`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${name} exited with ${proc.child.exitCode} before it listened: see ${join(dir, `${name}.log`)}`);
      return portOpen(spec.admin.host, spec.admin.port);
    },
    10_000,
  );
  return proc;
}

export interface SipcaseSpec {
  readonly drachtio: { readonly host: string; readonly port: number; readonly secret: string };
  readonly rules: string;
  /** Where its /healthz, /readyz and /metrics listen. */
  readonly http: { readonly host: string; readonly port: number };
  /** More settings, as SIPCASE_* environment variables (see `sipcase --help`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags before the script (profiling, GC tracing). */
  readonly nodeArgs?: readonly string[];
}

/**
 * sipcase as a user runs it without Docker (`node dist/cli.js run`), file watching off, its output
 * in `<dir>/<name>.log`; resolved once /readyz answers 200. If it exits first, or is not ready in
 * 30 s, it is stopped and the error names its log.
 */
export async function startSipcase(dir: string, name: string, spec: SipcaseSpec): Promise<Proc> {
  const log = join(dir, `${name}.log`);
  const proc = startProc(process.execPath, [...(spec.nodeArgs ?? []), join(ROOT, 'dist/cli.js'), 'run'], log, {
    ...process.env,
    SIPCASE_DRACHTIO_HOST: spec.drachtio.host,
    SIPCASE_DRACHTIO_PORT: String(spec.drachtio.port),
    SIPCASE_DRACHTIO_SECRET: spec.drachtio.secret,
    SIPCASE_RULES: spec.rules,
    SIPCASE_HTTP_HOST: spec.http.host,
    SIPCASE_HTTP_PORT: String(spec.http.port),
    SIPCASE_RELOAD_WATCH: 'false',
    ...spec.env,
  });
  try {
    await until(
      `${name} ready`,
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`${name} exited with ${proc.child.exitCode} before it was ready: see ${log}`);
        return (await fetch(`http://${spec.http.host}:${spec.http.port}/readyz`).catch(() => undefined))?.status === 200;
      },
      30_000,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return proc;
}

/**
 * One sample from Prometheus text: the value of `name` whose labels include all of `labels`
 * (0 when absent, as a counter not yet moved).
 */
export function sample(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}
