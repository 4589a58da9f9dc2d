/**
 * What ships (the npm package and the Docker image) is the product without its lab: the benchmarks
 * (src/bench) and the fuzzers (src/fuzz) stay runnable with `npm run ...` but nothing the product
 * runs may import them, the package leaves them out, and `sipcase regress` finds its SIPp flows in it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('./', import.meta.url).pathname;
const ROOT = resolve(SRC, '..');
const LAB = ['bench', 'fuzz', 'conformance'];

const inLab = (file: string) => LAB.some((d) => relative(join(SRC, d), file).split('/')[0] !== '..');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('what ships', () => {
  it('imports nothing of the lab (src/bench, src/fuzz) from any module outside it', () => {
    const offenders: string[] = [];
    for (const file of modules(SRC).filter((f) => !inLab(f))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1] as string);
        if (inLab(target)) offenders.push(`${relative(ROOT, file)} -> ${m[1] as string}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('npm pack holds the built product and regress flows, and no benchmark, fuzzer or test', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/regress/run.js');
    expect(files).toContain('config/rules.json');
    for (const flow of ['basic', 'transfer', 'busy', 'cancel']) {
      expect(files).toContain(`src/regress/flows/${flow}-uac.xml`);
      expect(files).toContain(`src/regress/flows/${flow}-uas.xml`);
    }
    // Every file the shipped modules name by their path from the package root is in the package.
    const named = modules(SRC)
      .filter((f) => !inLab(f))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/join\(ROOT, '([^']+)'\)/g)].map((m) => m[1] as string));
    expect(named.length).toBeGreaterThan(2);
    for (const path of named)
      expect(
        files.some((f) => f === path || f.startsWith(`${path}/`)),
        path,
      ).toBe(true);
    expect(files).toContain('src/regress/flows/stranger-uac.xml');
    expect(
      files.filter((f) => /^dist\/(bench|fuzz|conformance)\//.test(f) || /\.test\.[jt]s$/.test(f) || f.startsWith('test/') || f.startsWith('docker/')),
    ).toEqual([]);
  });
});
