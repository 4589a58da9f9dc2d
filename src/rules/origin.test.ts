import { describe, expect, it } from 'vitest';
import type { Cidr } from './types.js';
import { originOf, partiesOf } from './origin.js';
import { compilePeers, parseSource } from './peers.js';

const proxies = ['127.0.5.1', '10.9.0.0/24'].map((s) => parseSource(s) as Cidr);
const req = (source: string, ...vias: string[]) => ({
  source_address: source,
  raw: `INVITE sip:a@b SIP/2.0\r\n${vias.map((v) => `Via: ${v}`).join('\r\n')}\r\nCall-ID: c\r\n\r\n`,
});

describe('where a request comes from', () => {
  it('directly: its source address, whatever its Vias claim', () => {
    expect(originOf(req('192.0.2.7', 'SIP/2.0/UDP 203.0.113.5;branch=z9hG4bK1'), proxies)).toEqual({ kind: 'address', address: '192.0.2.7' });
  });

  it('through a trusted proxy: the address the proxy stamped on the Via below its own', () => {
    expect(originOf(req('127.0.5.1', 'SIP/2.0/UDP 127.0.5.1;branch=z9hG4bKp', 'SIP/2.0/UDP 10.1.1.1;received=203.0.113.5;branch=z9hG4bK1'), proxies)).toEqual({
      kind: 'address',
      address: '203.0.113.5',
      via: '127.0.5.1',
    });
  });

  it('through a chain of trusted proxies: walked down to the first hop that is not one', () => {
    expect(
      originOf(
        req('127.0.5.1', 'SIP/2.0/UDP 127.0.5.1;branch=z9hG4bKp', 'SIP/2.0/UDP 10.9.0.4;branch=z9hG4bKq', 'SIP/2.0/UDP 203.0.113.5;branch=z9hG4bK1'),
        proxies,
      ),
    ).toEqual({ kind: 'address', address: '203.0.113.5', via: '10.9.0.4' });
  });

  it("a trusted proxy's own request (its OPTIONS probe): no Via below its own", () => {
    expect(originOf(req('127.0.5.1', 'SIP/2.0/UDP 127.0.5.1;branch=z9hG4bKp'), proxies)).toEqual({ kind: 'proxy', proxy: '127.0.5.1' });
  });

  it('through a trusted proxy with a Via below that names no address: unknown', () => {
    expect(originOf(req('127.0.5.1', 'SIP/2.0/UDP 127.0.5.1;branch=z9hG4bKp', 'SIP/2.0/UDP caller.example.com;branch=z9hG4bK1'), proxies)).toEqual({
      kind: 'unknown',
      via: '127.0.5.1',
    });
  });

  it('with no proxies configured, never reads a Via', () => {
    expect(originOf(req('127.0.5.1', 'SIP/2.0/UDP 127.0.5.1', 'SIP/2.0/UDP 203.0.113.5'), [])).toEqual({ kind: 'address', address: '127.0.5.1' });
  });
});

describe('who a new call is between', () => {
  const peers = compilePeers({
    kore: { sources: ['198.51.100.20'], target: 'sip:198.51.100.20' },
    genesys: { sources: ['203.0.113.0/24'], target: 'sip:byoc.example' },
  }).peers;

  it("a peer's address: that peer calls, the peer it relays to is called", () => {
    const p = partiesOf({ kind: 'address', address: '203.0.113.7' }, peers);
    expect([p?.caller.name, p?.callee.name]).toEqual(['genesys', 'kore']);
  });

  it("a stranger's address, or a proxy's own request, is no call of any peer's", () => {
    expect(partiesOf({ kind: 'address', address: '192.0.2.1' }, peers)).toBeUndefined();
    expect(partiesOf({ kind: 'proxy', proxy: '127.0.5.1' }, peers)).toBeUndefined();
  });
});
