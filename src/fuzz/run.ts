/**
 * `npm run fuzz`: the fuzzing properties (src/fuzz/properties.ts), at least a million cases in all,
 * bounded in time. The seed is printed first, so a failure reproduces with `-- --seed <n>`; a
 * failure prints its (shrunk) counterexample and exits 1. The last line is the count of cases run.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { properties } from './properties.js';

const { values: opt } = parseArgs({
  options: {
    cases: { type: 'string', default: '1050000' },
    seconds: { type: 'string', default: '900' },
    seed: { type: 'string' },
  },
});
const seed = opt.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(opt.seed);
const names = Object.keys(properties) as (keyof typeof properties)[];
const perProperty = Math.ceil(Number(opt.cases) / names.length);
const deadline = Date.now() + Number(opt.seconds) * 1000;

process.stdout.write(`fuzz: seed ${seed}, ${perProperty} cases for each of ${names.length} properties, at most ${opt.seconds} s\n`);
let total = 0;
let failed = false;
for (const name of names) {
  const started = Date.now();
  const left = deadline - started;
  if (left <= 0) {
    process.stdout.write(`  skipped (out of time): ${name}\n`);
    continue;
  }
  const details = fc.check(properties[name] as fc.IProperty<unknown[]>, {
    numRuns: perProperty,
    seed,
    interruptAfterTimeLimit: left,
    markInterruptAsFailure: false,
  });
  const ran = details.numRuns;
  total += ran;
  const took = ((Date.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    failed = true;
    process.stdout.write(`  FAILED after ${ran} cases (${took} s): ${name}\n${fc.defaultReportMessage(details) ?? ''}\n`);
  } else {
    process.stdout.write(`  ok ${String(ran).padStart(8)} cases ${took.padStart(6)} s  ${name}${details.interrupted ? ' (stopped by the time limit)' : ''}\n`);
  }
}
process.stdout.write(`fuzz: ${total} cases, ${failed ? 'a property failed' : 'no failure'} (seed ${seed})\n`);
process.exitCode = failed ? 1 : 0;
