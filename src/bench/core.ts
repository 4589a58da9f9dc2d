/**
 * `npm run bench:core`: messages per second through parse + rewrite + serialise with the
 * Kore <-> Genesys preset, on one core. Each vector is measured in a process of its own (so that
 * one vector's JIT state does not colour the next), then all of them interleaved, as traffic
 * mixes them; each row is the best of PROCESSES fresh processes (one process alone swung by a
 * quarter from run to run). Bounded: a fixed count per round, a fixed number of rounds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRulesText } from '../rules/load.js';
import { rewrite } from '../rewrite/rewrite.js';
import type { RewriteContext } from '../rewrite/rewrite.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';

const root = new URL('../../', import.meta.url);
const vectorsDir = new URL('test/fixtures/vectors/', root);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 100_000);
const ROUNDS = 5;
/** Processes per vector: how fast a process's JIT settles varies from one process to the next. */
const PROCESSES = 3;

const loaded = parseRulesText(readFileSync(new URL('config/rules.json', root), 'utf8'));
if (!loaded.ok) throw new Error('preset rules do not load');
const rules = loaded.value;

interface Input {
  readonly name: string;
  readonly bytes: Buffer;
  readonly ctx: RewriteContext;
}

function input(name: string): Input {
  const ctx = name.startsWith('genesys') ? { from: 'genesys', to: 'kore' } : { from: 'kore', to: 'genesys' };
  return { name, bytes: readFileSync(new URL(name, vectorsDir)), ctx };
}

function once(i: Input): number {
  return serializeToBuffer(rewrite(rules, parseMessage(i.bytes), i.ctx).message).length;
}

/** Best rate of ROUNDS rounds of ITERATIONS messages, cycling through `inputs`. */
function measure(inputs: readonly Input[]): number {
  for (let i = 0; i < 5000; i++) once(inputs[i % inputs.length] as Input); // warm up the JIT
  let best = 0;
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) sink += once(inputs[i % inputs.length] as Input);
    best = Math.max(best, ITERATIONS / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  if (sink === 0) throw new Error('nothing serialised');
  return best;
}

const row = (name: string, direction: string, rate: number): string =>
  `${name.padEnd(30)} ${direction.padEnd(16)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} ${(1e6 / rate).toFixed(2).padStart(8)}`;

/** A child's argument that asks for every vector, interleaved. */
const INTERLEAVED = '--interleaved';

const only = process.argv[2];
const names = readdirSync(vectorsDir)
  .filter((f) => f.endsWith('.sip'))
  .sort();
if (only !== undefined) {
  process.stdout.write(String(measure(only === INTERLEAVED ? names.map(input) : [input(only)])));
} else {
  console.log(`sipcase core: parse + rewrite + serialise, preset rules, node ${process.version}`);
  console.log(`each row: best of ${PROCESSES} processes x ${ROUNDS} rounds x ${ITERATIONS.toLocaleString('en-US')} messages`);
  console.log(`${'vector'.padEnd(30)} ${'direction'.padEnd(16)} ${'msgs/s'.padStart(10)} ${'us/msg'.padStart(8)}`);
  const self = fileURLToPath(import.meta.url);
  const best = (arg: string) =>
    Math.max(...Array.from({ length: PROCESSES }, () => Number(execFileSync(process.execPath, [self, arg], { encoding: 'utf8', env: process.env }))));
  const rates = names.map((name) => {
    const rate = best(name);
    const { ctx } = input(name);
    console.log(row(name, `${ctx.from}->${ctx.to}`, rate));
    return rate;
  });
  console.log(row(`all ${names.length}, interleaved`, 'both', best(INTERLEAVED)));
  console.log(`slowest vector alone: ${Math.round(Math.min(...rates)).toLocaleString('en-US')} msgs/s (target >= 200,000)`);
}
