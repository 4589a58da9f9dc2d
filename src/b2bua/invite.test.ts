/** The call logic against a fake engine: the paths a SIPp run does not reach easily. */
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { presetRules } from '../../test/fixtures.js';
import { Counters } from '../observe.js';
import type { B2buaContext } from './context.js';
import type { Dialog, Engine, HeaderMap, InboundRequest, InboundResponse, ResponseChannel, UacOptions } from './engine.js';
import { handleInvite } from './invite.js';

const rules = presetRules(); // genesys 203.0.113.0/24, kore 198.51.100.20
const KORE = '198.51.100.20';
const GENESYS = '203.0.113.50';

function request(method: string, source: string, raw: string): InboundRequest {
  const e = new EventEmitter();
  return Object.assign(e, { method, uri: 'sip:+14445556666@203.0.113.10', raw, body: '', source_address: source, source_port: 5060, get: (n: string) => (n === 'Call-ID' ? 'call-1' : n === 'From' ? '<sip:+1555@kore>;tag=1' : undefined) }) as unknown as InboundRequest;
}

/** An early-offer INVITE from Kore (the late-offer path is proven by the SIPp suite). */
const inviteRaw = 'INVITE sip:+14445556666@203.0.113.10 SIP/2.0\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nUser-To-User: 00AB;encoding=hex\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n';

class Channel implements ResponseChannel {
  sent: { status: number; reason: string; headers?: HeaderMap | undefined }[] = [];
  send(status: number, reason: string, opts: { headers?: HeaderMap }): void {
    this.sent.push({ status, reason, headers: opts.headers });
  }
  get finalResponseSent(): boolean {
    return this.sent.some((s) => s.status >= 200);
  }
}

class FakeDialog extends EventEmitter {
  requests: { method: string; headers: HeaderMap }[] = [];
  destroyed = false;
  constructor(readonly res: InboundResponse) {
    super();
  }
  id = 'd';
  sip = { callId: 'b-leg' };
  async request(opts: { method: string; headers: HeaderMap }): Promise<InboundResponse> {
    this.requests.push(opts);
    return { status: 200, reason: 'OK', raw: `SIP/2.0 200 OK\r\nCSeq: 2 ${opts.method}\r\n\r\n`, body: '' };
  }
  async destroy(): Promise<void> {
    this.destroyed = true;
  }
}

function context(engine: Engine, maxCalls = 10): B2buaContext {
  return { engine, rules: { current: rules }, log: pino({ level: 'silent' }), observer: new Counters(), limits: { maxCalls }, calls: new Map() };
}

const ok: InboundResponse = { status: 200, reason: 'OK', raw: 'SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n', body: '' };

function answeringEngine(): { engine: Engine; uac: FakeDialog; uas: FakeDialog; sentHeaders: HeaderMap[] } {
  const uac = new FakeDialog(ok);
  const uas = new FakeDialog(ok);
  const sentHeaders: HeaderMap[] = [];
  const engine: Engine = {
    createUAC: async (_uri: string, opts: UacOptions) => {
      sentHeaders.push(opts.headers);
      return uac as unknown as Dialog;
    },
    createUAS: async () => uas as unknown as Dialog,
  };
  return { engine, uac, uas, sentHeaders };
}

describe('a new call', () => {
  it('sends the rewritten INVITE to the other peer and joins the legs', async () => {
    const { engine, sentHeaders } = answeringEngine();
    const ctx = context(engine);
    await handleInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    expect(sentHeaders).toEqual([{ 'User-to-User': '00AB;encoding=hex', 'Content-Type': 'application/sdp', 'Max-Forwards': '69' }]);
    expect(ctx.calls.size).toBe(1);
    const counts = ctx.observer as Counters;
    expect([counts.get('call:started'), counts.get('call:answered'), counts.get('rewrite:uui-exact-case-to-genesys:case')]).toEqual([1, 1, 1]);
  });

  it('answers 503 with Retry-After beyond the live-call limit', async () => {
    const { engine } = answeringEngine();
    const ctx = context(engine, 0);
    const res = new Channel();
    await handleInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(res.sent).toEqual([{ status: 503, reason: 'Service Unavailable', headers: { 'Retry-After': '5' } }]);
    expect((ctx.observer as Counters).get('rejected:max-calls')).toBe(1);
  });

  it('answers 503 when the other peer cannot be reached at all', async () => {
    const engine: Engine = { createUAC: async () => Promise.reject(new Error('socket closed')), createUAS: async () => Promise.reject(new Error('unused')) };
    const ctx = context(engine);
    const res = new Channel();
    await handleInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(res.sent.map((s) => s.status)).toEqual([503]);
    expect(ctx.calls.size).toBe(0);
  });

  it('answers 483 when Max-Forwards is spent, and places no call', async () => {
    const { engine, sentHeaders } = answeringEngine();
    const res = new Channel();
    await handleInvite(context(engine), request('INVITE', KORE, inviteRaw.replace('Max-Forwards: 70', 'Max-Forwards: 0')), res);
    expect(res.sent.map((s) => s.status)).toEqual([483]);
    expect(sentHeaders).toEqual([]);
  });
});

describe('in the dialog', () => {
  it('refuses a request from an address outside the leg\'s peer with 403 and relays nothing', async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await handleInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const res = new Channel();
    uas.emit('info', request('INFO', GENESYS, 'INFO sip:x SIP/2.0\r\nCSeq: 2 INFO\r\n\r\n'), res); // uas is Kore's leg
    await new Promise((r) => setImmediate(r));
    expect(res.sent.map((s) => s.status)).toEqual([403]);
    expect(uac.requests).toEqual([]);
    expect((ctx.observer as Counters).get('rejected:unknown-source')).toBe(1);
  });

  it('relays from the right peer, and answers 481 once the call has ended', async () => {
    const { engine, uac, uas } = answeringEngine();
    await handleInvite(context(engine), request('INVITE', KORE, inviteRaw), new Channel());
    const info = () => request('INFO', KORE, 'INFO sip:x SIP/2.0\r\nCSeq: 2 INFO\r\nuser-to-user: 00AB\r\n\r\n');
    const first = new Channel();
    uas.emit('info', info(), first);
    await new Promise((r) => setTimeout(r, 10));
    expect(uac.requests).toEqual([{ method: 'INFO', headers: { 'User-to-User': '00AB' } }]);
    expect(first.sent.map((s) => s.status)).toEqual([200]);

    uas.emit('destroy', request('BYE', KORE, 'BYE sip:x SIP/2.0\r\nCSeq: 3 BYE\r\n\r\n'));
    await new Promise((r) => setTimeout(r, 10));
    expect(uac.destroyed).toBe(true);
    const late = new Channel();
    uas.emit('info', info(), late);
    await new Promise((r) => setTimeout(r, 10));
    expect(late.sent.map((s) => s.status)).toEqual([481]);
  });
});
