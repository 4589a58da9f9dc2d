/** The edge: who may send, who is calling whom, and whether a new call is taken now. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Channel, GENESYS, inviteRaw, KORE, request, rules } from '../../test/fake-engine.js';
import { Recorder } from '../observe.js';
import type { Parties } from '../rules/origin.js';
import type { Availability } from './admission.js';
import { handlers } from './handlers.js';
import { SourceRate } from './source-rate.js';

function edge(availability: Availability = { draining: false, serving: true }, liveCalls = 0) {
  const observer = new Recorder();
  const handed: Parties[] = [];
  const h = handlers({
    rules: () => rules,
    log: pino({ level: 'silent' }),
    observer,
    proxies: [],
    sourceRate: new SourceRate(0, 0),
    availability,
    limits: { maxCalls: 2, busyRetryAfterS: 5, drainRetryAfterS: 60 },
    liveCalls: () => liveCalls,
    invite: async (_req, _res, parties) => void handed.push(parties),
  });
  /** An INVITE through the guard, then the invite handler, as drachtio-srf runs them. */
  const invite = (source: string) => {
    const req = request('INVITE', source, inviteRaw);
    const res = new Channel();
    h.guard(req, res, () => h.invite(req, res, () => undefined));
    return res;
  };
  return { h, observer, handed, invite };
}

describe('a new INVITE at the edge', () => {
  it("from a peer: the relay is handed who calls and who is called, worked out once (the caller's peer and the peer it relays to)", () => {
    const e = edge();
    expect(e.invite(KORE).sent).toEqual([]);
    expect(e.handed.map((p) => [p.caller.name, p.callee.name])).toEqual([['kore', 'genesys']]);
    e.invite(GENESYS);
    expect(e.handed.map((p) => [p.caller.name, p.callee.name])).toEqual([
      ['kore', 'genesys'],
      ['genesys', 'kore'],
    ]);
  });

  it('from anyone else: 403, and the relay never hears of it', () => {
    const e = edge();
    expect(e.invite('192.0.2.99').sent).toEqual([{ status: 403, reason: 'Forbidden', headers: undefined }]);
    expect(e.handed).toEqual([]);
    expect(e.observer.count('rejected', { reason: 'unknown_source' })).toBe(1);
  });

  it('at the live-call cap: 503 with the busy Retry-After, not relayed', () => {
    const e = edge({ draining: false, serving: true }, 2);
    expect(e.invite(KORE).sent).toEqual([{ status: 503, reason: 'Service Unavailable', headers: { 'Retry-After': '5' } }]);
    expect(e.handed).toEqual([]);
    expect(e.observer.count('rejected', { reason: 'limit' })).toBe(1);
  });

  it("while draining: 503 with the drain's Retry-After; the state is read as it is now, not as it was when the edge was made", () => {
    const availability = { draining: false, serving: true };
    const e = edge(availability);
    availability.draining = true;
    expect(e.invite(KORE).sent).toEqual([{ status: 503, reason: 'Service Unavailable', headers: { 'Retry-After': '60' } }]);
    expect(e.observer.count('rejected', { reason: 'draining' })).toBe(1);
    expect(e.handed).toEqual([]);
  });

  it("an OPTIONS is answered 503 while the instance is not serving (a balancer's probe), 200 when it is", () => {
    const availability = { draining: false, serving: false };
    const e = edge(availability);
    const probe = () => {
      const res = new Channel();
      const req = request('OPTIONS', KORE, 'OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n');
      e.h.guard(req, res, () => e.h.options(req, res, () => undefined));
      return res.sent.map((s) => s.status);
    };
    expect(probe()).toEqual([503]);
    availability.serving = true;
    expect(probe()).toEqual([200]);
  });
});
