/**
 * SIPp as a load, for the benchmarks: many calls at a rate, a statistics line a second instead of a
 * message trace, optionally the caller's set-up times and an error file. (A flow, for the suites and
 * regress, is src/harness/sipp.ts.)
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { track, type Proc } from '../harness/processes.js';
import type { SippSide } from '../harness/sipp.js';

/** A load's side; its files in `dir`: `<label>.csv` (statistics), `.out`, `.setup.log`, `.errors.log`. */
export interface LoadSpec extends SippSide {
  /** Calls to place, at what rate a second, at most how many at once (callers). */
  readonly calls?: number;
  readonly rate?: number;
  readonly limit?: number;
  /** How long a `<pause/>` without its own length lasts (SIPp's -d). */
  readonly pauseMs?: number;
  /** SIPp's overall time limit; a caller fails when it runs out, a callee just stops. */
  readonly timeoutS: number;
  /** How long one call waits for its next message before it fails (-recv_timeout); none unless given. */
  readonly recvTimeoutMs?: number;
  /** Seconds between statistics lines (-fd; 1 unless given). */
  readonly statsEveryS?: number;
  /** Keep the caller's logged set-up times (-trace_logs: the scenario's `<log>` lines) in `<label>.setup.log`. */
  readonly setupLog?: boolean;
  /** Keep unexpected messages in `<label>.errors.log`. */
  readonly errors?: boolean;
}

export interface LoadRun {
  readonly proc: Proc;
  /** Its statistics file (read with bench/sipp-stats.ts sippStats). */
  readonly stats: string;
  readonly setupLog: string;
  readonly errors: string;
}

/** Starts one SIPp instance of a load run; its files go to `dir`. */
export function sippLoad(dir: string, spec: LoadSpec): LoadRun {
  const file = (ext: string) => join(dir, `${spec.label}${ext}`);
  const caller = spec.calls !== undefined;
  const args = [
    '-sf',
    spec.scenario,
    '-i',
    spec.ip,
    '-p',
    String(spec.port),
    ...(spec.service === undefined ? [] : ['-s', spec.service]),
    ...(spec.rate === undefined ? [] : ['-r', String(spec.rate)]),
    ...(spec.calls === undefined ? [] : ['-m', String(spec.calls)]),
    ...(spec.limit === undefined ? [] : ['-l', String(spec.limit)]),
    ...(spec.pauseMs === undefined ? [] : ['-d', String(spec.pauseMs)]),
    '-nostdin',
    '-timeout',
    `${spec.timeoutS}s`,
    ...(caller ? ['-timeout_error'] : []),
    ...(spec.recvTimeoutMs === undefined ? [] : ['-recv_timeout', String(spec.recvTimeoutMs)]),
    ...(spec.setupLog === true ? ['-trace_logs', '-log_file', file('.setup.log')] : []),
    '-trace_stat',
    '-stf',
    file('.csv'),
    '-fd',
    String(spec.statsEveryS ?? 1),
    ...(spec.errors === true ? ['-trace_err', '-error_file', file('.errors.log')] : []),
    // sipcase's liveness OPTIONS reach every call held longer than its interval: answered 200 (as in a flow).
    '-aa',
    ...(spec.remote === undefined ? [] : [spec.remote]),
  ];
  const proc = track(spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] }), file('.out'));
  return { proc, stats: file('.csv'), setupLog: file('.setup.log'), errors: file('.errors.log') };
}

/**
 * Ends a callee of a load run as SIPp ends itself on SIGUSR1: it finishes its calls and writes its
 * statistics; after 10 s it is stopped all the same.
 */
export async function softStop(proc: Proc): Promise<void> {
  if (proc.child.exitCode === null) process.kill(proc.pid, 'SIGUSR1');
  await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 10_000))]);
  await proc.stop();
}
