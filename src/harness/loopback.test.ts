import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lo } from './loopback-addresses.js';
import { startDrachtio } from './loopback.js';

describe('starting drachtio-server for a suite', () => {
  it('refuses an admin port another process holds (a drachtio-server left running would answer in its place)', async () => {
    const ip = lo('unit', 79);
    const other = createServer();
    await new Promise<void>((r) => other.listen(25997, ip, () => r()));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'sipcase-harness-'));
      await expect(
        startDrachtio(dir, 'taken', {
          admin: { host: ip, port: 25997, secret: 's' },
          sip: `${ip}:25996`,
          preserve: undefined,
          loglevel: 'notice',
          sofiaLoglevel: 0,
        }),
      ).rejects.toThrow(`taken: ${ip}:25997 is taken by another process (a drachtio-server left running?)`);
    } finally {
      other.close();
    }
  });
});
