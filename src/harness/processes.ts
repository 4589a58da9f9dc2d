/**
 * Child processes on loopback, for `sipcase regress`, the end-to-end suites and the benchmarks
 * alike: started, tracked by PID, their output in a log file, ended by PID; every wait bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export const ROOT = new URL('../../', import.meta.url).pathname;

export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Where its standard output and error go. */
  readonly log: string;
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL after 3 s; nothing when it has exited already. */
  stop(): Promise<void>;
}

/** Tracks a started process by PID, its output in `log`. */
export function track(child: ChildProcess, log: string): Proc {
  const out = createWriteStream(log);
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  void exited.then(() => out.end());
  if (child.pid === undefined) throw new Error(`${child.spawnfile} did not start`);
  const pid = child.pid;
  return {
    child,
    pid,
    log,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startProc(cmd: string, args: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env): Proc {
  return track(spawn(cmd, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }), log);
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** /proc/net's spelling of an IPv4 address and port: the address's bytes in host (little-endian) order, in hex. */
function procNetAddress(ip: string, port: number): string {
  const hex = ip
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('');
  return `${hex}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/** Whether a socket on this host listens on an IPv4 ip:port (Linux: /proc/net/udp, or /proc/net/tcp in state LISTEN). */
export function listening(transport: 'udp' | 'tcp', ip: string, port: number): boolean {
  const want = procNetAddress(ip, port);
  return readFileSync(`/proc/net/${transport}`, 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === want && (transport === 'udp' || f[3] === '0A');
    });
}

/**
 * Waits until `proc` listens on ip:port: a callee's SIPp must be up before its caller sends. Returns
 * early when `proc` has exited (its own exit code then says why); fails after `timeoutMs`.
 */
export async function untilListening(proc: Proc, transport: 'udp' | 'tcp', ip: string, port: number, timeoutMs = 5000): Promise<void> {
  await until(`${proc.log}: listening on ${transport} ${ip}:${port}`, () => proc.child.exitCode !== null || listening(transport, ip, port), timeoutMs);
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
