import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listening } from './processes.js';
import { lo } from './loopback-addresses.js';

describe('whether something listens on an address (what a caller waits for before it sends)', () => {
  it('sees a bound UDP socket and a listening TCP server, each on its own transport and port only', async () => {
    const ip = lo('unit', 77);
    expect([listening('udp', ip, 25999), listening('tcp', ip, 25998)]).toEqual([false, false]);
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(25999, ip, () => r()));
    const tcp = createServer();
    await new Promise<void>((r) => tcp.listen(25998, ip, () => r()));
    try {
      expect([
        listening('udp', ip, 25999),
        listening('udp', ip, 25998),
        listening('tcp', ip, 25998),
        listening('tcp', ip, 25999),
        listening('udp', lo('unit', 78), 25999),
      ]).toEqual([true, false, true, false, false]);
    } finally {
      udp.close();
      tcp.close();
    }
  });
});
