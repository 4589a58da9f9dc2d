import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PRESET_PATH } from '../../test/fixtures.js';
import { Recorder } from '../observe.js';
import { initialStatus, type ProbeState } from '../ops/readiness.js';
import type { RulesHolder } from './context.js';
import { readRules, RulesKeeper } from './rules-keeper.js';

const preset = readFileSync(PRESET_PATH, 'utf8');
const withRule = (rule: object): string => {
  const r = JSON.parse(preset) as { rules: object[] };
  return JSON.stringify({ ...r, rules: [...r.rules, rule] });
};

/** A keeper over a temporary rules file; `reCased` names fail the (fake) wire proof. */
async function keeper(reCased: readonly string[] = []): Promise<{ k: RulesKeeper; file: string; holder: RulesHolder; status: ReturnType<typeof initialStatus>; seen: Recorder; proofs: string[][] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'sipcase-rules-')), 'rules.json');
  writeFileSync(file, preset);
  const first = await readRules(file);
  if (!first.ok) throw new Error(first.message);
  const proofs: string[][] = [];
  const prover = async (names: readonly string[]): Promise<ProbeState> => {
    proofs.push([...names]);
    const bad = names.filter((n) => reCased.includes(n));
    return bad.length === 0 ? { state: 'passed' } : { state: 'failed', advice: `re-cased: ${bad.join(',')}` };
  };
  const holder: RulesHolder = { current: first.rules };
  const status = initialStatus(file);
  const seen = new Recorder();
  const k = new RulesKeeper(file, first, holder, status, prover, pino({ level: 'silent' }), seen);
  await k.proveCurrent();
  return { k, file, holder, status, seen, proofs };
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
    expect(status.lastReload?.message).toContain('$.rules[5].actions[0]');
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

  it('reloads run one at a time, in the order asked', async () => {
    const { k, file, holder } = await keeper();
    writeFileSync(file, withRule({ name: 'one', actions: [{ action: 'remove', header: 'X-1' }] }));
    const first = k.reload('signal');
    const second = k.reload('signal');
    expect(await Promise.all([first, second])).toEqual(['ok', 'ok']);
    expect(holder.current.ruleCount).toBe(6);
  });
});
