/**
 * `npm run bench:core`: messages per second through parse + rewrite + serialise, per shared vector,
 * with the Kore <-> Genesys preset, on one core. Bounded: a fixed count per round, a few rounds.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parseRulesText } from '../rules/load.js';
import { rewrite } from '../rewrite/rewrite.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';

const root = new URL('../../', import.meta.url);
const vectorsDir = new URL('test/fixtures/vectors/', root);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 100_000);
const ROUNDS = 5;

const loaded = parseRulesText(readFileSync(new URL('config/rules.json', root), 'utf8'));
if (!loaded.ok) throw new Error('preset rules do not load');
const rules = loaded.value;

function direction(name: string): { from: string; to: string } {
  return name.startsWith('genesys') ? { from: 'genesys', to: 'kore' } : { from: 'kore', to: 'genesys' };
}

function once(bytes: Buffer, ctx: { from: string; to: string }): number {
  return serializeToBuffer(rewrite(rules, parseMessage(bytes), ctx).message).length;
}

function measure(bytes: Buffer, ctx: { from: string; to: string }): number {
  let best = 0;
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) sink += once(bytes, ctx);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, ITERATIONS / seconds);
  }
  if (sink === 0) throw new Error('nothing serialised');
  return best;
}

const names = readdirSync(vectorsDir).filter((f) => f.endsWith('.sip')).sort();
console.log(`sipcase core: parse + rewrite + serialise, preset rules, node ${process.version}, best of ${ROUNDS} x ${ITERATIONS}`);
console.log(`${'vector'.padEnd(30)} ${'direction'.padEnd(16)} ${'msgs/s'.padStart(10)} ${'us/msg'.padStart(8)}`);
const rates: number[] = [];
for (const name of names) {
  const bytes = readFileSync(new URL(name, vectorsDir));
  const ctx = direction(name);
  for (let i = 0; i < 2000; i++) once(bytes, ctx); // warm up the JIT
  const rate = measure(bytes, ctx);
  rates.push(rate);
  console.log(`${name.padEnd(30)} ${`${ctx.from}->${ctx.to}`.padEnd(16)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} ${(1e6 / rate).toFixed(2).padStart(8)}`);
}
const slowest = Math.min(...rates);
console.log(`slowest vector: ${Math.round(slowest).toLocaleString('en-US')} msgs/s (target >= 200,000)`);
