/**
 * The repository's compose files driven as a user drives them, for the Docker end-to-end suite:
 * `docker compose` (v2) where it answers, Debian's `docker-compose` 1.29 otherwise, one project name
 * per suite, settings by environment variable. Every container it starts is ended by `down`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/harness/processes.js';

export interface Run {
  readonly code: number;
  readonly out: string;
}

/** The compose command line this machine has: ['docker', 'compose'] or ['docker-compose']; none without an engine. */
export function composeCli(): readonly string[] | undefined {
  if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status !== 0) return undefined;
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return undefined;
}

/** Runs a command to its end (bounded by `timeoutMs`), its output appended to `log`. */
export function run(cmd: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const [bin, ...args] = cmd as [string, ...string[]];
    const child = spawn(bin, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const file = createWriteStream(log, { flags: 'a' });
    file.write(`\n$ ${cmd.join(' ')}\n`);
    let out = '';
    const take = (b: Buffer) => {
      out += b.toString();
      file.write(b);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      file.end(`[exit ${String(code)}]\n`);
      resolve({ code: code ?? -1, out });
    });
  });
}

export interface Project {
  readonly name: string;
  /** Compose files, relative to the repository root. */
  readonly files: readonly string[];
  /** The settings compose reads (SIP_ADDRESS, HTTP_PORT, RULES_DIR...). */
  readonly settings: Readonly<Record<string, string>>;
  /** Where every command's output goes. */
  readonly log: string;
}

/** One compose project: `compose(project)('up', '-d')` runs `docker compose -p <name> -f ... up -d`. */
export function compose(cli: readonly string[], p: Project) {
  const base = [...cli, '-p', p.name, ...p.files.flatMap((f) => ['-f', join(ROOT, f)])];
  const env = { ...process.env, ...p.settings };
  return (args: readonly string[], timeoutMs?: number) => run([...base, ...args], p.log, env, timeoutMs);
}

/** `docker ...` with its output in `log`. */
export function docker(args: readonly string[], log: string, timeoutMs?: number): Promise<Run> {
  return run(['docker', ...args], log, process.env, timeoutMs);
}

/** The id of a service's container in a project ('' when it has none). */
export async function containerOf(c: ReturnType<typeof compose>, service: string): Promise<string> {
  return (await c(['ps', '-q', service])).out.trim().split('\n').pop() ?? '';
}

/** A field of `docker inspect` (a Go template such as '{{.State.Health.Status}}'). */
export async function inspect(id: string, template: string, log: string): Promise<string> {
  return (await docker(['inspect', '--format', template, id], log)).out.trim();
}
