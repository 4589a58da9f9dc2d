/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: each owner's share (the
 * table of docs/performance.md), each source file's share (node_modules by package, sipcase by
 * file), and the functions with the most self time.
 *   node dist/bench/profile-top.js bench-runs/profiles/<file>.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function place(url: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const own = /\/dist\/(.+)$/.exec(url);
  if (own) return `sipcase:${own[1]}`;
  return url === '' ? '(native/gc/idle)' : url.replace(/^node:/, 'node:');
}

/** Who a function belongs to, as the performance page groups them. */
function owner(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (nm) {
    const [, pkg, path] = nm as unknown as [string, string, string];
    if (pkg === 'drachtio-srf') return path.startsWith('lib/sip-parser/') ? 'drachtio-srf: SIP parse and serialise' : 'drachtio-srf: wire protocol, dialogs';
    if (pkg === 'prom-client') return 'metrics (prom-client)';
    if (
      ['pino', 'sonic-boom', 'thread-stream', 'pino-std-serializers', 'fast-redact', 'quick-format-unescaped', 'atomic-sleep', 'on-exit-leak-free'].includes(
        pkg,
      )
    )
      return 'logging (pino)';
    return `other packages (${pkg})`;
  }
  const own = /\/dist\/([^/]+)(?:\/|\.js)/.exec(url)?.[1];
  if (own !== undefined) return OWN[own] ?? `sipcase: ${own}`;
  return url === '' ? 'node: native' : 'node: runtime (net, streams, timers)';
}

const OWN: Readonly<Record<string, string>> = {
  sip: 'sipcase: SIP parse and serialise',
  rules: 'sipcase: rules (matcher, templates)',
  rewrite: 'sipcase: rewrite',
  uui: 'sipcase: UUI lint, Genesys checks',
  genesys: 'sipcase: UUI lint, Genesys checks',
  relay: 'sipcase: relay (call, legs, transfers)',
  transfer: 'sipcase: relay (call, legs, transfers)',
  edge: 'sipcase: edge (guard)',
  ops: 'metrics (prom-client)',
  log: 'logging (pino)',
  observe: 'metrics (prom-client)',
};

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profile-top <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs.entries()]
  .filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)?.callFrame.functionName ?? ''))
  .reduce((a, [, v]) => a + v, 0);
const busy = total - idle;

const fn = new Map<string, number>();
const where = new Map<string, number>();
const owners = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (n === undefined || ['(idle)', '(program)'].includes(n.callFrame.functionName)) continue;
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${place(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const w = place(n.callFrame.url);
  where.set(w, (where.get(w) ?? 0) + us);
  const o = owner(n.callFrame.url, n.callFrame.functionName);
  owners.set(o, (owners.get(o) ?? 0) + us);
}
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
process.stdout.write(
  `profile ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(2)} s (idle and program excluded)\n\nself time by owner:\n`,
);
for (const [o, us] of [...owners].sort((a, b) => b[1] - a[1])) process.stdout.write(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${o}\n`);
process.stdout.write('\nself time by place:\n');
for (const [w, us] of [...where].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${w}\n`);
process.stdout.write('\nself time by function:\n');
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${k}\n`);
