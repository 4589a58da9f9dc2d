import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lo, LOOPBACK, RESERVED_PORTS, type LoopbackLease } from './loopback-addresses.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const leases = Object.entries(LOOPBACK) as [string, LoopbackLease][];

/** The code of the suites, benchmarks and regress: every place that binds loopback addresses. */
function users(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  return ['test/sipp', 'test/docker', 'src/bench', 'src/regress', 'src/harness', 'src/conformance', 'docker']
    .flatMap(walk)
    .filter((f) => !/loopback-addresses(\.test)?\.ts$/.test(f));
}

describe('who plays on which loopback addresses', () => {
  it('no two share a /24', () => {
    const nets = leases.map(([, l]) => l.net);
    expect(new Set(nets).size).toBe(nets.length);
  });

  it('no two bind the same port on 127.0.0.1', () => {
    const ranges = leases.flatMap(([who, l]) => l.ports.map(([from, to]) => ({ who, from, to })));
    const clashes = ranges.flatMap((a, i) =>
      ranges
        .slice(i + 1)
        .filter((b) => a.from <= b.to && b.from <= a.to)
        .map((b) => `${a.who} ${a.from}-${a.to} and ${b.who} ${b.from}-${b.to}`),
    );
    expect(clashes).toEqual([]);
  });

  it("every port is outside Linux's ephemeral range (32768-60999) or inside what test/run reserves from it", () => {
    const [low, high] = RESERVED_PORTS;
    const exposed = leases.flatMap(([who, l]) =>
      l.ports.filter(([from, to]) => to >= 32768 && (from < low || to > high)).map(([from, to]) => `${who} ${from}-${to}`),
    );
    expect(exposed).toEqual([]);
    expect(readFileSync(join(ROOT, 'test/run'), 'utf8')).toContain(`${low}-${high}`);
  });

  it('suites and benchmarks ask here for their addresses instead of spelling one (127.0.0.1, the shared host, aside)', () => {
    const spelled = users().flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(/['"`]127\.0\.(\d+)\.(\d+)/g)]
        .filter((m) => `${m[1]}.${m[2]}` !== '0.1')
        .map((m) => `${relative(ROOT, join(ROOT, f))}: ${m[0].slice(1)}`),
    );
    expect(spelled).toEqual([]);
  });

  it("lo() names a host of a user's own /24", () => {
    expect(lo('operations', 2)).toBe('127.0.1.2');
    expect(lo('regress', 99)).toBe('127.0.9.99');
  });
});
