/**
 * SIPp, the one way this project runs it for a flow (`sipp`, `callFlow`), for `sipcase regress`,
 * the end-to-end suites and the conformance campaign: one instance playing one side of a flow, from
 * its own loopback address, with its message trace and error file kept, bounded by its own time
 * limits; the callee's SIPp first, then the caller's. Ears on the peers' addresses (`listenOn`), for
 * what must never reach them. A load (many calls at a rate, for the benchmarks) is src/bench/sipp-load.ts.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { track, untilListening, type Proc } from './processes.js';

/** One SIPp instance, in either mode: what it plays, and where. */
export interface SippSide {
  /** Names its files (each mode says which). */
  readonly label: string;
  /** The scenario file's path. */
  readonly scenario: string;
  readonly ip: string;
  readonly port: number;
  /** host:port to send to (callers only). */
  readonly remote?: string;
  /** Request-URI user part (callers). */
  readonly service?: string;
}

/** A flow's side; its files in the log folder: `<label>.messages.log`, `.errors.log`, `.out.log`. */
export interface SippSpec extends SippSide {
  readonly keys?: Readonly<Record<string, string>>;
  readonly vars?: Readonly<Record<string, string>>;
  /** How long a `<pause/>` without its own length lasts (SIPp's -d); 200 ms unless given. */
  readonly pauseMs?: number;
  /** SIPp's overall time limit (default 15 s). */
  readonly timeoutS?: number;
  /** Calls to place (SIPp's -m; default 1), and at what rate per second (-r; SIPp's default 10). */
  readonly calls?: number;
  readonly rate?: number;
  /** SIPp's -t: u1 (UDP, the default) or t1 (one TCP connection). */
  readonly transport?: 'u1' | 't1';
}

export interface SippRun {
  readonly code: number;
  /** The end of SIPp's error file, for saying why a flow failed. */
  readonly errors: string;
  /** Its message trace: every message sent and received. */
  readonly trace: string;
}

/** Runs one SIPp instance; its files go to `logs`. */
export function sipp(logs: string, spec: SippSpec): { done: Promise<SippRun>; proc: Proc } {
  const errorFile = join(logs, `${spec.label}.errors.log`);
  const trace = join(logs, `${spec.label}.messages.log`);
  writeFileSync(errorFile, '');
  const args = [
    ...Object.entries(spec.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...Object.entries(spec.vars ?? {}).flatMap(([k, v]) => ['-set', k, v]),
    '-sf',
    spec.scenario,
    '-i',
    spec.ip,
    '-p',
    String(spec.port),
    '-mi',
    spec.ip,
    '-m',
    String(spec.calls ?? 1),
    ...(spec.rate === undefined ? [] : ['-r', String(spec.rate)]),
    '-d',
    String(spec.pauseMs ?? 200),
    '-timeout',
    `${spec.timeoutS ?? 15}s`,
    '-timeout_error',
    '-recv_timeout',
    '8000',
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
    '-trace_msg',
    '-message_file',
    trace,
    ...(spec.service === undefined ? [] : ['-s', spec.service]),
    ...(spec.transport === undefined ? [] : ['-t', spec.transport]),
    // -aa: an INFO, NOTIFY, OPTIONS or UPDATE the scenario does not expect gets 200 OK, as a real UA
    // answers sipcase's liveness OPTIONS (a drain probes every call at once); one it expects is its own.
    '-aa',
    ...(spec.remote === undefined ? [] : [spec.remote]),
  ];
  const proc = track(spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] }), join(logs, `${spec.label}.out.log`));
  const done = new Promise<SippRun>((resolve) => {
    proc.child.once('exit', (code) => resolve({ code: code ?? -1, errors: readFileSync(errorFile, 'utf8').slice(-2000), trace }));
  });
  return { done, proc };
}

/** One flow: the callee's SIPp (UAS) starts first, then the caller's (UAC); both are awaited. */
export async function callFlow(logs: string, uas: SippSpec, uac: SippSpec): Promise<{ uas: SippRun; uac: SippRun }> {
  const server = sipp(logs, uas);
  await untilListening(server.proc, uas.transport === 't1' ? 'tcp' : 'udp', uas.ip, uas.port);
  const client = sipp(logs, uac);
  const [u, c] = await Promise.all([server.done, client.done]);
  return { uas: u, uac: c };
}

/** UDP sockets on peers' listening addresses, recording the start line of anything that arrives. */
export async function listenOn(addresses: Iterable<string>, port: number): Promise<{ heard: string[]; close: () => void }> {
  const heard: string[] = [];
  const sockets: Socket[] = [];
  for (const ip of addresses) {
    const s = createSocket('udp4');
    s.on('message', (m) => heard.push(`${ip}: ${m.toString('latin1').split('\r\n')[0] ?? ''}`));
    await new Promise<void>((resolve) => s.bind(port, ip, () => resolve()));
    sockets.push(s);
  }
  return { heard, close: () => sockets.forEach((s) => s.close()) };
}
