import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PRESET_PATH } from '../../test/fixtures.js';
import { Recorder } from '../observe.js';
import { initialStatus, type ProbeState, type Status } from './readiness.js';
import type { CompiledRules } from '../rules/types.js';
import { until } from '../harness/processes.js';
import { readRules, RulesKeeper } from './rules-keeper.js';

const preset = readFileSync(PRESET_PATH, 'utf8');
/** How many rules the preset has: a rule added after them is rules[PRESET_RULES]. */
const PRESET_RULES = (JSON.parse(preset) as { rules: object[] }).rules.length;
const withRule = (rule: object): string => {
  const r = JSON.parse(preset) as { rules: object[] };
  return JSON.stringify({ ...r, rules: [...r.rules, rule] });
};

/** A keeper over a temporary rules file; `reCased` names fail the (fake) wire proof. */
async function keeper(
  reCased: readonly string[] = [],
  slow?: { readonly name: string; readonly until: Promise<void> },
): Promise<{ k: RulesKeeper; file: string; holder: { current: CompiledRules }; status: Status; seen: Recorder; proofs: string[][]; order: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'sipcase-rules-')), 'rules.json');
  writeFileSync(file, preset);
  const first = await readRules(file);
  if (!first.ok) throw new Error(first.message);
  const proofs: string[][] = [];
  const order: string[] = [];
  const prover = async (names: readonly string[]): Promise<ProbeState> => {
    proofs.push([...names]);
    if (slow !== undefined && names.includes(slow.name)) await slow.until;
    const bad = names.filter((n) => reCased.includes(n));
    return bad.length === 0 ? { state: 'passed' } : { state: 'failed', advice: `re-cased: ${bad.join(',')}` };
  };
  const holder = { current: first.rules };
  const status = initialStatus(file);
  const seen = new Recorder();
  // As the instance reports: into its status and its rules in force.
  const report = {
    inForce: () => holder.current,
    putInForce: (r: CompiledRules) => ((holder.current = r), (status.rules = { file, loaded: true, count: r.ruleCount })),
    probe: (p: ProbeState) => (status.probe = p),
    reloaded: (last: NonNullable<Status['lastReload']>) => (status.lastReload = last),
    lastReload: () => status.lastReload,
  };
  const k = new RulesKeeper(
    file,
    first,
    report,
    async (names) => (order.push(`prove ${names.join(',')}`), prover(names)),
    (names) => order.push(`keep ${names.join(',')}`),
    pino({ level: 'silent' }),
    seen,
  );
  await k.proveCurrent();
  return { k, file, holder, status, seen, proofs, order };
}

describe('reloading rules', () => {
  it('a good file is swapped in whole, counted, and named in the status', async () => {
    const { k, file, holder, status, seen } = await keeper();
    const before = holder.current;
    writeFileSync(file, withRule({ name: 'extra', actions: [{ action: 'remove', header: 'X-Debug' }] }));
    expect(await k.reload('signal')).toBe('ok');
    expect(holder.current).not.toBe(before);
    expect(holder.current.ruleCount).toBe(before.ruleCount + 1);
    expect(status.lastReload).toMatchObject({ result: 'ok' });
    expect(seen.count('reload', { result: 'ok' })).toBe(1);
  });

  it('a bad file keeps the rules in force, names the JSON path, and is counted', async () => {
    const { k, file, holder, status, seen } = await keeper();
    const before = holder.current;
    writeFileSync(file, withRule({ name: 'bad', actions: [{ action: 'case' }] }));
    expect(await k.reload('file')).toBe('invalid');
    expect(holder.current).toBe(before);
    expect(status.lastReload?.message).toContain(`$.rules[${PRESET_RULES}].actions[0]`);
    expect(seen.count('reload', { result: 'invalid' })).toBe(1);
  });

  it('a name drachtio-server would re-case is proven before the swap, and refused with the advice', async () => {
    const { k, file, holder, status, proofs } = await keeper(['Genesys-context']);
    const before = holder.current;
    writeFileSync(file, withRule({ name: 'ctx', actions: [{ action: 'case', header: 'Genesys-context' }] }));
    expect(await k.reload('file')).toBe('unpreserved');
    expect(holder.current).toBe(before);
    expect(status.lastReload).toMatchObject({ result: 'unpreserved', message: 're-cased: Genesys-context' });
    expect([...(proofs.at(-1) ?? [])].sort()).toEqual(['Genesys-context', 'User-to-User']);
  });

  it('drachtio-srf is told the names to send as written before they are proven on the wire', async () => {
    const { k, file, order } = await keeper();
    writeFileSync(file, withRule({ name: 'ctx', actions: [{ action: 'case', header: 'Genesys-context' }] }));
    expect(await k.reload('file')).toBe('ok');
    expect(order).toEqual(['keep User-to-User', 'prove User-to-User', 'keep Genesys-context,User-to-User', 'prove Genesys-context,User-to-User']);
  });

  it('names already proven are not proven again', async () => {
    const { k, file, proofs } = await keeper();
    writeFileSync(file, withRule({ name: 'extra', actions: [{ action: 'remove', header: 'X-Debug' }] }));
    await k.reload('signal');
    expect(proofs).toEqual([['User-to-User']]); // the start-up proof only
  });

  it('a watcher reload of unchanged bytes does nothing; a signal always reloads', async () => {
    const { k, seen } = await keeper();
    expect(await k.reload('file')).toBe('unchanged');
    expect(await k.reload('signal')).toBe('ok');
    expect(seen.count('reload')).toBe(1);
  });

  it('after a proof that failed (a reconnection to a drachtio-server without the preserve list), a reload that proves takes calls again', async () => {
    const reCased: string[] = [];
    const { k, status } = await keeper(reCased);
    reCased.push('User-to-User'); // drachtio-server restarted without DRACHTIO_PRESERVE_HEADER_NAMES
    expect((await k.proveCurrent()).state).toBe('failed');
    expect(status.probe.state).toBe('failed'); // new calls get 503
    reCased.length = 0; // the operator fixed it, then sent SIGHUP
    expect(await k.reload('signal')).toBe('ok');
    expect(status.probe).toEqual({ state: 'passed' });
  });

  it('a reload whose new name fails its proof is refused and leaves the proven status of the rules in force alone', async () => {
    const { k, file, status } = await keeper(['Bad-Name']);
    writeFileSync(file, withRule({ name: 'bad', actions: [{ action: 'case', header: 'Bad-Name' }] }));
    expect(await k.reload('signal')).toBe('unpreserved');
    expect(status.probe).toEqual({ state: 'passed' });
  });

  it('a proof at a reconnection waits for the reload in progress (they never interleave)', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { k, file, proofs } = await keeper([], { name: 'Slow-Name', until: gate });
    writeFileSync(file, withRule({ name: 'slow', actions: [{ action: 'case', header: 'Slow-Name' }] }));
    const reloading = k.reload('signal');
    await until('the reload in its proof', () => proofs.some((p) => p.includes('Slow-Name')), 2000);
    const proving = k.proveCurrent();
    await new Promise((r) => setTimeout(r, 100));
    expect(proofs).toHaveLength(2); // start-up, the reload's; the reconnection's waits
    release();
    expect(await reloading).toBe('ok');
    expect((await proving).state).toBe('passed');
    expect(proofs.at(-1)).toContain('Slow-Name'); // it proved the rules the reload put in force
  });

  it('reloads run one at a time, in the order asked: a newer file saved during a slow proof is what ends in force', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { k, file, holder, proofs, seen } = await keeper([], { name: 'Slow-Name', until: gate });
    writeFileSync(file, withRule({ name: 'older', actions: [{ action: 'case', header: 'Slow-Name' }] }));
    const first = k.reload('signal');
    // The first reload has read its file and waits in the wire proof of its new name...
    await until('the first reload in its proof', () => proofs.some((p) => p.includes('Slow-Name')), 2000);
    // ...when the file is saved again. Run at the same time, the second reload would swap the newer
    // rules in first, and the first would then put the older ones back.
    writeFileSync(file, withRule({ name: 'newer', actions: [{ action: 'remove', header: 'X-2' }] }));
    const second = k.reload('signal');
    // The second waits for the first: given time to run (200 ms), it has swapped nothing in.
    for (const end = Date.now() + 200; Date.now() < end && seen.count('reload') === 0; ) await new Promise((r) => setTimeout(r, 10));
    expect(seen.count('reload')).toBe(0);
    release();
    expect(await Promise.all([first, second])).toEqual(['ok', 'ok']);
    expect(holder.current.emittedNames).not.toContain('Slow-Name');
    expect(holder.current.ruleCount).toBe(PRESET_RULES + 1);
  });
});
