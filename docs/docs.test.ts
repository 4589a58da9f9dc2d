/**
 * The docs are checked against what they describe: every JSON example in the rules reference
 * loads (schema and compile), the Prometheus configuration and alert rules in the operations page
 * pass promtool, and every sipcase metric the code exports is documented.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRulesText } from '../src/rules/load.js';
import { Metrics } from '../src/ops/metrics.js';
import { CALL_OUTCOMES, REJECT_REASONS, RELOAD_RESULTS } from '../src/observe.js';
import { RESERVED_FAMILIES } from '../src/genesys/reserved-headers.js';
import { UUI_PLACES, UUI_VERDICTS } from '../src/transfer/refer-facts.js';
import { TRANSFER_OUTCOMES } from '../src/transfer/transfer.js';
import { floodRow, type Step } from '../src/bench/flood.js';
import { pairLine, type PairFigures } from '../src/bench/pairs.js';
import { highestClean, scaleRow, type ScaleStep } from '../src/bench/scale.js';
import { runCli } from '../src/cli/main.js';
import { existsSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');
const fenced = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
const promtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;

const PEERS = {
  genesys: { sources: ['203.0.113.0/24'], target: 'sip:byoc.example.pure.cloud:5060;transport=udp' },
  kore: { sources: ['198.51.100.20'], target: 'sip:198.51.100.20:5060;transport=udp' },
  carrier: { sources: ['192.0.2.0/28'], target: 'sip:192.0.2.1:5060', relayTo: 'kore' },
};

describe('docs/rules.md', () => {
  const examples = fenced(doc('rules.md'), 'json');

  it('has examples for every action', () => {
    for (const action of ['case', 'remove', 'set', 'add', 'replace', 'to-uri', 'from-uri', 'single', 'embed', 'remember', 'number', 'allow']) {
      expect(
        examples.some((e) => e.includes(`"action": "${action}"`)),
        action,
      ).toBe(true);
    }
  });

  // An example that reads a call's memory loads beside the examples that remember it.
  const rememberers = examples.map((e) => JSON.parse(e) as Record<string, unknown>).filter((e) => !('peers' in e) && JSON.stringify(e).includes('"remember"'));

  it.each(examples.map((e, i) => [i, e] as const))('example %i loads against config/rules.schema.json', (_i, example) => {
    const data = JSON.parse(example) as Record<string, unknown>;
    const rules = [data, ...rememberers.filter((r) => r['name'] !== data['name'])];
    const file =
      'peers' in data
        ? data
        : { peers: { genesys: { ...PEERS.genesys, relayTo: 'kore' }, kore: { ...PEERS.kore, relayTo: 'genesys' }, carrier: PEERS.carrier }, rules };
    const r = parseRulesText(JSON.stringify(file));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
});

describe('docs/performance.md', () => {
  const text = doc('performance.md');

  it.each(['performance/results.json', 'performance/notice/results.json'])('shows every row of %s as the benchmark wrote it', (file) => {
    const { steps } = JSON.parse(doc(file)) as { steps: Record<string, number | string>[] };
    const cell = (v: number | string | null) =>
      typeof v === 'string' ? v : v === null || Number.isNaN(v) ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(2);
    const cols = [
      'target',
      'rate',
      'attempted',
      'ok',
      'failed',
      'uasFailed',
      'retransmissions',
      'p50Ms',
      'p99Ms',
      'drachtioCpuPct',
      'nodeCpuPct',
      'nodeCpuMsPerCall',
      'nodeRssMb',
      'rewriteUs',
    ];
    expect(steps.length).toBeGreaterThan(3);
    for (const s of steps) expect(text).toContain(`| ${cols.map((c) => cell(s[c] ?? null)).join(' | ')} |`);
  });

  it('shows the pair lines of performance/pairs/results.json and of the run before, as the benchmark printed them', () => {
    const { pairs } = JSON.parse(doc('performance/pairs/results.json')) as { pairs: PairFigures[] };
    expect(pairs.length).toBe(2);
    for (const p of pairs) expect(text).toContain(pairLine(p));
    const before = doc('performance/pairs/before-aa192b5.txt')
      .split('\n')
      .filter((l) => l.startsWith('pairs at '));
    expect(before.length).toBe(1);
    for (const line of before) expect(text).toContain(line);
  });
});

describe('docs/operations.md', () => {
  const text = doc('operations.md');
  const block = (marker: string) => fenced(text.slice(text.indexOf(`<!-- promtool: ${marker} -->`)), 'yaml')[0] ?? '';

  it('documents every sipcase metric the code exports', async () => {
    const exported = [
      ...(
        await new Metrics({
          liveCalls: () => 0,
          rememberedValues: () => 0,
          dialogsHeld: () => 0,
          callsByState: () => ({ 'setting-up': 0, answered: 0, ending: 0 }),
          ready: () => true,
        }).text()
      ).matchAll(/^# TYPE (sipcase_\w+) /gm),
    ].map((m) => m[1] as string);
    expect(exported.length).toBeGreaterThan(10);
    for (const name of exported) expect(text, name).toContain(`\`${name}\``);
  });

  it('names every reject reason, call outcome and reload result the metrics carry', () => {
    for (const value of [...REJECT_REASONS, ...CALL_OUTCOMES, ...RELOAD_RESULTS, ...TRANSFER_OUTCOMES, ...UUI_PLACES, ...UUI_VERDICTS, ...RESERVED_FAMILIES])
      expect(text, value).toContain(`\`${value}\``);
  });

  it.skipIf(!promtool)('its scrape configuration and alert rules pass promtool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipcase-prom-'));
    writeFileSync(join(dir, 'prometheus.yml'), block('config'));
    writeFileSync(join(dir, 'sipcase-alerts.yml'), block('rules'));
    const rules = spawnSync('promtool', ['check', 'rules', join(dir, 'sipcase-alerts.yml')], { encoding: 'utf8' });
    expect(rules.status, `${rules.stdout}${rules.stderr}`).toBe(0);
    expect(rules.stdout).toContain('SUCCESS: 7 rules found');
    const config = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    expect(config.status, `${config.stdout}${config.stderr}`).toBe(0);
    writeFileSync(join(dir, 'sipcase-handoff.yml'), block('handoff-rules'));
    const handoff = spawnSync('promtool', ['check', 'rules', join(dir, 'sipcase-handoff.yml')], { encoding: 'utf8' });
    expect(handoff.status, `${handoff.stdout}${handoff.stderr}`).toBe(0);
    expect(handoff.stdout).toContain('SUCCESS: 6 rules found');
  });
});

describe('docs/security.md', () => {
  const text = doc('security.md');
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const proofs = text
    .split('\n')
    .filter((l) => l.startsWith('| **'))
    .map((l) => l.split(' | ').at(-1) ?? '');

  it('names a proof for every threat', () => {
    expect(proofs.length).toBeGreaterThanOrEqual(8);
    for (const p of proofs) expect(p).toMatch(/`(test|src|npm run)/);
  });

  it('cites tests that exist: each file, each quoted test title in it, each npm script', () => {
    for (const part of proofs.flatMap((p) => p.split('; '))) {
      const path = /^`([^`]+)`/.exec(part.trim())?.[1];
      if (path === undefined) continue;
      if (path.startsWith('npm run ')) {
        expect(scripts[path.slice('npm run '.length)], path).toBeDefined();
        continue;
      }
      expect(existsSync(join(root, path)), path).toBe(true);
      const source = readFileSync(join(root, path), 'utf8').replaceAll('\\', '');
      for (const [, title] of part.matchAll(/"([^"]+)"/g)) expect(source, `${path}: "${title}"`).toContain(title);
    }
  });

  it('shows every row of performance/flood.json as the benchmark wrote it', () => {
    const { steps } = JSON.parse(doc('performance/flood.json')) as { steps: Step[] };
    expect(steps.length).toBeGreaterThan(3);
    for (const s of steps) expect(text).toContain(floodRow(s));
  });
});

describe('docs/scale-out.md', () => {
  const text = doc('scale-out.md');
  const { steps } = JSON.parse(doc('performance/scale.json')) as { steps: ScaleStep[] };

  it('shows every row of performance/scale.json as the benchmark wrote it', () => {
    expect(steps.length).toBeGreaterThan(3);
    for (const s of steps) expect(text).toContain(scaleRow(s));
  });

  it('states the zero-failure rates the results show', () => {
    expect(text).toContain(`**${highestClean(steps, 1)} calls/s with one instance and ${highestClean(steps, 2)} with two**`);
  });
});

describe('docs/change-rules.md', () => {
  it('shows only commands and flags sipcase has', async () => {
    let help = '';
    await runCli(['--help'], { stdout: (t) => (help += t.toString()), stderr: () => undefined, readStdin: async () => Buffer.alloc(0) });
    const lines = fenced(doc('change-rules.md'), '')
      .flatMap((b) => b.split('\n'))
      .filter((l) => l.startsWith('sipcase '));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const [, command] = line.split(' ');
      expect(help, line).toContain(`sipcase ${command as string} `);
      for (const flag of line.match(/--[a-z]+/g) ?? []) expect(help, `${line}: ${flag}`).toContain(flag);
    }
  });
});

describe('docs/deploy.md', () => {
  const text = doc('deploy.md');

  it('cites files and links that exist', () => {
    const paths = [...text.matchAll(/`((?:docker|config|src|test)\/[\w./-]+)`/g)].map((m) => m[1] as string);
    const links = [...text.matchAll(/\]\(([\w./-]+\.md)(?:#[\w-]+)?\)/g)].map((m) => join('docs', m[1] as string));
    expect(paths.length).toBeGreaterThan(3);
    for (const p of [...paths, ...links]) expect(existsSync(join(root, p)), p).toBe(true);
  });

  it('runs only compose files, services and sipcase commands that exist', async () => {
    let help = '';
    await runCli(['--help'], { stdout: (t) => (help += t.toString()), stderr: () => undefined, readStdin: async () => Buffer.alloc(0) });
    const commands = [...text.matchAll(/docker compose ((?:-f \S+ )+)(run --rm(?: --no-deps)?|exec) (?:-v \S+ )?(\w+) ?(\w+)?/g)];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const [line, files, , service, command] of commands) {
      const composeFiles = (files as string).split(/\s+/).filter((f) => f.endsWith('.yml'));
      for (const f of composeFiles) expect(existsSync(join(root, f)), `${line}: ${f}`).toBe(true);
      expect(composeFiles.map((f) => readFileSync(join(root, f), 'utf8')).join('\n'), line).toContain(`\n  ${service as string}:\n`);
      if (service === 'sipcase' && command !== undefined && command !== 'sipcase') expect(help, line).toContain(`sipcase ${command} `);
    }
  });
});

describe('docs/grafana/sipcase.json', () => {
  const dashboard = JSON.parse(doc('grafana/sipcase.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));

  /** Every metric a query names: identifiers of sipcase's own, a histogram's series by its base name. */
  const named = (expr: string) => [...expr.matchAll(/\b(sipcase_[a-z0-9_]+)\b/g)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, ''));

  it('has the panels a team looks at first, each with a query', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const t of ['Live calls', 'Hand-offs by outcome', 'UUI verdicts on hand-offs (1 h)', 'Rule hits', 'Refusals']) expect(titles).toContain(t);
    for (const p of dashboard.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });

  it('queries only metrics sipcase exports', async () => {
    const exported = new Set(
      [
        ...(
          await new Metrics({
            liveCalls: () => 0,
            rememberedValues: () => 0,
            dialogsHeld: () => 0,
            callsByState: () => ({ answered: 0 }),
            ready: () => true,
          }).text()
        ).matchAll(/^# TYPE (sipcase_\w+) /gm),
      ].map((m) => m[1] as string),
    );
    for (const { panel, expr } of exprs) {
      const names = named(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${panel}: ${name} is not exported`).toBe(true);
    }
  });
});
