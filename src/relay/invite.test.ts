/** The call logic against a fake engine: the paths a SIPp run does not reach easily. */
import { describe, expect, it } from 'vitest';
import { answeringEngine, Channel, context, GENESYS, inviteRaw, KORE, placeInvite, request } from '../../test/fake-engine.js';
import ipaddr from 'ipaddr.js';
import type { Cidr } from '../rules/types.js';
import type { Engine } from '../drachtio/engine.js';

describe('a new call', () => {
  it('sends the rewritten INVITE to the other peer and joins the legs', async () => {
    const { engine, sentHeaders } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    expect(sentHeaders).toEqual([{ 'User-to-User': '00AB;encoding=hex', 'Content-Type': 'application/sdp', 'Max-Forwards': '69' }]);
    expect(ctx.calls.size).toBe(1);
    const seen = ctx.observer;
    const way = { from: 'kore', to: 'genesys' };
    expect([
      seen.count('call-started', { way }),
      seen.count('call-answered', { way }),
      seen.count('rewrite', { rule: 'uui-exact-case-to-genesys', action: 'case' }),
    ]).toEqual([1, 1, 1]);
  });

  it("with an outbound proxy (a balancer in front), sends the other leg through it, to the peer's target", async () => {
    const sent: { uri: string; proxy: string | undefined }[] = [];
    const { engine } = answeringEngine();
    const through: Engine = { ...engine, createUAC: (uri, opts, progress) => (sent.push({ uri, proxy: opts.proxy }), engine.createUAC(uri, opts, progress)) };
    await placeInvite({ ...context(through), outboundProxy: 'sip:192.0.2.10:5060' }, request('INVITE', KORE, inviteRaw), new Channel());
    expect(sent).toEqual([{ uri: expect.stringMatching(/^sip:[^@]+@byoc\.example\.pure\.cloud/), proxy: 'sip:192.0.2.10:5060' }]);
  });

  it('behind a trusted proxy, knows the caller by the address the proxy stamped on its Via', async () => {
    const { engine, sentHeaders } = answeringEngine();
    const ctx = { ...context(engine), proxies: [[ipaddr.parse('192.0.2.10'), 32] as Cidr] };
    const viaProxy = inviteRaw.replace(
      '\r\nCSeq',
      `\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKp\r\nVia: SIP/2.0/UDP kore.example.com;branch=z9hG4bK1;received=${KORE}\r\nCSeq`,
    );
    await placeInvite(ctx, request('INVITE', '192.0.2.10', viaProxy), new Channel());
    expect(sentHeaders).toHaveLength(1);
    expect(ctx.observer.count('call-started', { way: { from: 'kore', to: 'genesys' } })).toBe(1);
  });

  it('answers 503 when the other peer cannot be reached at all', async () => {
    const engine: Engine = {
      createUAC: async () => Promise.reject(new Error('socket closed')),
      createUAS: async () => Promise.reject(new Error('unused')),
      removeDialog: () => undefined,
    };
    const ctx = context(engine);
    const res = new Channel();
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(res.sent.map((s) => s.status)).toEqual([503]);
    expect(ctx.calls.size).toBe(0);
  });

  it('answers 483 when Max-Forwards is spent, and places no call', async () => {
    const { engine, sentHeaders } = answeringEngine();
    const res = new Channel();
    await placeInvite(context(engine), request('INVITE', KORE, inviteRaw.replace('Max-Forwards: 70', 'Max-Forwards: 0')), res);
    expect(res.sent.map((s) => s.status)).toEqual([483]);
    expect(sentHeaders).toEqual([]);
  });
});

describe('in the dialog', () => {
  it("refuses a request from an address outside the leg's peer with 403 and relays nothing", async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const res = new Channel();
    uas.emit('info', request('INFO', GENESYS, 'INFO sip:x SIP/2.0\r\nCSeq: 2 INFO\r\n\r\n'), res); // uas is Kore's leg
    await new Promise((r) => setImmediate(r));
    expect(res.sent.map((s) => s.status)).toEqual([403]);
    expect(uac.requests).toEqual([]);
    expect(ctx.observer.count('rejected', { reason: 'unknown_source' })).toBe(1);
  });

  it('relays from the right peer, and answers 481 once the call has ended', async () => {
    const { engine, uac, uas } = answeringEngine();
    await placeInvite(context(engine), request('INVITE', KORE, inviteRaw), new Channel());
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
