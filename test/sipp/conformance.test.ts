/**
 * The conformance campaign's short run, on the wire (src/conformance): generated call flows through a
 * real drachtio-server and sipcase over UDP and TCP, invariants checked after every flow (both SIPp
 * sides got exactly what the other sent, every call ended once with its outcome, nothing left held,
 * no fault). A fixed seed, so a failure here is played again by `npm run conformance -- --seed 21
 * --flows 24 --calls 2`; the long run (10,000 calls) is `npm run conformance`, docs/conformance.md.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCampaign, summary } from '../../src/conformance/campaign.js';
import { LOGS, which } from './stack.js';

const ready = which('drachtio') !== undefined && which('sipp') !== undefined;
if (!ready) process.stdout.write('skipped: no drachtio-server\n');

describe.skipIf(!ready)('generated call flows through sipcase and drachtio-server (short run)', () => {
  it('24 flows of 2 calls, over UDP and over TCP: every flow keeps every invariant', async () => {
    const failures: string[] = [];
    const result = await runCampaign({
      seed: 21,
      flows: 24,
      callsPerFlow: 2,
      rate: 20,
      transports: ['udp', 'tcp'],
      dir: join(LOGS, 'conformance'),
      say: (line) => line.startsWith('FAILED') && failures.push(line),
    });
    expect(failures).toEqual([]);
    expect(summary(result)).toMatchObject({ flows: 48, distinct: 24, calls: 96, failed: 0 });
  }, 300_000);
});
