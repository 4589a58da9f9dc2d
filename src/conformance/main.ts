/**
 * `npm run conformance`: the generated call-flow campaign on the wire (campaign.ts), by default
 * 200 distinct flows of 25 calls each over UDP and over TCP (10,000 calls). The seed is printed
 * first; `-- --seed N` plays the same flows again (`--first I --flows I+1`: flow I alone). Exits 1 when any flow failed; its last line is
 * the count of flows passed and failed.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { which } from '../harness/processes.js';
import { runCampaign, summary, type Transport } from './campaign.js';

const { values: opt } = parseArgs({
  options: {
    seed: { type: 'string' },
    flows: { type: 'string', default: '200' },
    first: { type: 'string', default: '0' },
    calls: { type: 'string', default: '25' },
    rate: { type: 'string', default: '50' },
    transports: { type: 'string', default: 'udp,tcp' },
    dir: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'drachtio-log-level': { type: 'string', default: 'notice' },
  },
});
for (const bin of ['drachtio', 'sipp']) {
  if (which(bin) === undefined) {
    process.stderr.write(`conformance: ${bin} is not on the PATH (see README: test set-up)\n`);
    process.exit(2);
  }
}
const seed = opt.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(opt.seed);
const dir = opt.dir ?? join(tmpdir(), `sipcase-conformance-${seed}`);
process.stdout.write(`conformance: seed ${seed}, logs in ${dir}\n`);
const result = await runCampaign({
  seed,
  flows: Number(opt.flows),
  firstFlow: Number(opt.first),
  callsPerFlow: Number(opt.calls),
  rate: Number(opt.rate),
  transports: opt.transports.split(',') as Transport[],
  dir,
  logLevel: opt['log-level'],
  drachtioLogLevel: opt['drachtio-log-level'],
  say: (line) => process.stdout.write(`  ${line}\n`),
});
const s = summary(result);
process.stdout.write(
  `conformance: seed ${seed}: ${s.calls} calls over ${s.distinct} distinct flows (${s.flows} flow runs, ${opt.transports}) in ${result.seconds.toFixed(0)} s\n`,
);
process.stdout.write(`${s.passed} passed, ${s.failed} failed\n`);
process.exit(s.failed === 0 ? 0 : 1);
