/**
 * Kamailio's dispatcher in front of sipcase instances, for the scale-out suite and benchmark:
 * docker/kamailio/kamailio.cfg itself, the file compose runs, with the addresses given as defines.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, track, until, type Proc } from '../harness/processes.js';

export interface Balancer {
  /** Where Kamailio takes SIP (UDP). */
  readonly ip: string;
  readonly port: number;
  /** Each instance's drachtio-server SIP address, host:port. */
  readonly instances: readonly string[];
  /** Seconds between OPTIONS probes of each instance. */
  readonly pingIntervalS: number;
  /** Its shared memory in MB, where every transaction lives (512 unless given; Debian's default is 64). */
  readonly shmMb?: number;
}

/** Starts Kamailio; its log and files go under `logs`. */
export async function startBalancer(logs: string, name: string, b: Balancer): Promise<Proc> {
  const dir = join(logs, name);
  mkdirSync(dir, { recursive: true });
  const list = join(dir, 'dispatcher.list');
  writeFileSync(list, b.instances.map((i) => `1 sip:${i}\n`).join(''));
  const cfg = join(ROOT, 'docker/kamailio/kamailio.cfg');
  const defines = [`LISTEN=udp:${b.ip}:${b.port}`, `DISPATCHER_LIST="${list}"`, `PING_INTERVAL=${b.pingIntervalS}`].flatMap((d) => ['-A', d]);
  // Shared memory holds every transaction: 64 MB (Debian's default) runs out near 400 calls/s
  // (npm run bench:scale -- --kamailio-mb 64 shows it).
  const args = ['-f', cfg, ...defines, '-DD', '-E', '-m', String(b.shmMb ?? 512), '-M', '32', '-Y', dir, '-P', join(dir, 'kamailio.pid')];
  const proc = track(spawn('kamailio', args, { stdio: ['ignore', 'pipe', 'pipe'] }), join(logs, `${name}.log`));
  // UDP has no port to connect to: wait for Kamailio's "Listening on" list, then for its workers.
  // Whatever goes wrong, the process started here is stopped here (no orphan keeps the address).
  try {
    await until(
      'Kamailio listening',
      () => {
        if (proc.child.exitCode !== null) throw new Error(`Kamailio exited with ${proc.child.exitCode}: see ${proc.log}`);
        return existsSync(proc.log) && readFileSync(proc.log, 'utf8').includes(`udp: ${b.ip} [${b.ip}]:${b.port}`);
      },
      10_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    if (proc.child.exitCode !== null) throw new Error(`Kamailio exited with ${proc.child.exitCode}: see ${proc.log}`);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return proc;
}
