/**
 * A call's life against a fake engine: no path leaks a call slot or an answered leg, drain hangs
 * calls up, and a reload reaches live calls as call.ts says.
 */
import type { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { answeringEngine, Channel, context, FakeDialog, GENESYS, inviteRaw, KORE, ok, placeInvite, request } from '../../test/fake-engine.js';
import { compile, sip } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import type { Dialog, Engine, OutboundRequest, UacProgress } from '../drachtio/engine.js';
import type { Peer } from '../rules/types.js';
import { Call } from './call.js';

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('errors are values on the relay path', () => {
  it('a 200 OK sipcase cannot parse: the caller gets 500, the far leg is hung up, the slot is freed', async () => {
    const { engine, uac } = answeringEngine({ ...ok, raw: 'garbage that is no SIP' });
    const ctx = context(engine);
    const res = new Channel();
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(res.sent.map((s) => s.status)).toEqual([500]);
    expect(uac.destroyed).toBe(true);
    expect(ctx.calls.size).toBe(0);
    expect(ctx.observer.count('call-ended', { outcome: 'error' })).toBe(1);
  });

  it('a provisional sipcase cannot parse is not relayed, and the call still completes', async () => {
    const uac = new FakeDialog(ok);
    const engine: Engine = {
      createUAC: async (_uri, _opts, progress: UacProgress) => {
        progress.cbProvisional({ status: 180, reason: 'Ringing', raw: '\u0000not sip', body: '' });
        return uac as unknown as Dialog;
      },
      createUAS: async () => new FakeDialog(ok) as unknown as Dialog,
      removeDialog: () => undefined,
    };
    const ctx = context(engine);
    const res = new Channel();
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(res.sent).toEqual([]); // the 180 was dropped; the 200 went through createUAS
    expect(ctx.calls.all().map((c) => c.state)).toEqual(['answered']);
  });

  it('an in-dialog request sipcase cannot parse gets 400 and is not relayed', async () => {
    const { engine, uac, uas } = answeringEngine();
    await placeInvite(context(engine), request('INVITE', KORE, inviteRaw), new Channel());
    const res = new Channel();
    uas.emit('info', request('INFO', KORE, 'INFO sip:x SIP/2.0\r\nno colon here\r\n\r\n'), res);
    await settle();
    expect(res.sent.map((s) => s.status)).toEqual([400]);
    expect(uac.requests).toEqual([]);
  });

  it("an in-dialog request from outside the leg's peer gets 403 and is not relayed", async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const res = new Channel();
    uas.emit('info', request('INFO', '192.0.2.99', 'INFO sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 2 INFO\r\n\r\n'), res);
    await settle();
    expect(res.sent.map((s) => s.status)).toEqual([403]);
    expect(uac.requests).toEqual([]);
    expect(ctx.observer.count('rejected', { reason: 'unknown_source' })).toBe(1);
  });
});

describe("the far leg's requests while the caller's leg is being answered", () => {
  const refer = () => request('REFER', GENESYS, 'REFER sip:x SIP/2.0\r\nCall-ID: b\r\nCSeq: 5 REFER\r\nRefer-To: <sip:agent@example.com>\r\n\r\n');

  it("a REFER right after the far leg's ACK waits, then crosses to the caller once the legs are joined", async () => {
    const { engine, uac, uas } = answeringEngine();
    const res = new Channel();
    const slow: Engine = {
      ...engine,
      createUAS: async (...args) => {
        uac.emit('refer', refer(), res); // Genesys transfers before Kore has its 200 OK
        await settle();
        expect(res.sent).toEqual([]); // not answered yet, and not by anyone else
        return engine.createUAS(...args);
      },
    };
    await placeInvite(context(slow), request('INVITE', KORE, inviteRaw), new Channel());
    await settle();
    expect(uas.requests.map((r) => r.method)).toEqual(['REFER']);
    expect(res.sent.map((s) => s.status)).toEqual([200]);
  });

  it("the caller's BYE read with drachtio-server's word that the 200 went out (before the legs are joined): the BYE crosses, the call completes", async () => {
    const { engine, uac, uas } = answeringEngine();
    const quick: Engine = {
      ...engine,
      createUAS: async (req, res, opts, adopt) => {
        adopt?.(uas as unknown as Dialog);
        uas.emit('destroy', request('BYE', KORE, 'BYE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 2 BYE\r\n\r\n'), 'normal release');
        return engine.createUAS(req, res, opts);
      },
    };
    const ctx = context(quick);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    await settle();
    expect([uac.destroyed, ctx.calls.size]).toEqual([true, 0]);
    expect(ctx.observer.count('call-ended', { outcome: 'completed' })).toBe(1);
  });

  it("the caller's re-INVITE read with drachtio-server's word that the 200 went out waits, then crosses (unheard, drachtio-srf answered it 200 itself)", async () => {
    const { engine, uac, uas } = answeringEngine();
    const res = new Channel();
    const quick: Engine = {
      ...engine,
      createUAS: async (req, r, opts, adopt) => {
        adopt?.(uas as unknown as Dialog);
        uas.emit('modify', request('INVITE', KORE, 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 2 INVITE\r\n\r\n'), res);
        return engine.createUAS(req, r, opts);
      },
    };
    await placeInvite(context(quick), request('INVITE', KORE, inviteRaw), new Channel());
    await settle();
    expect(uac.requests.map((r) => r.method)).toEqual(['INVITE']);
    expect(res.sent.map((s) => s.status)).toEqual([200]);
  });

  it('a call that never connects answers them 481', async () => {
    const { engine, uac } = answeringEngine();
    const res = new Channel();
    const gone: Engine = {
      ...engine,
      createUAS: async () => {
        uac.emit('refer', refer(), res);
        throw new Error('the caller went away');
      },
    };
    await placeInvite(context(gone), request('INVITE', KORE, inviteRaw), new Channel());
    expect(res.sent.map((s) => s.status)).toEqual([481]);
  });
});

describe("a call's state moves only as call-state.ts allows", () => {
  it("a call that ended while its caller's leg was being answered (the connection went) is not joined: both legs are hung up", async () => {
    const { engine, uac, uas } = answeringEngine();
    const lostMidAnswer: Engine = {
      ...engine,
      createUAS: async (...args) => {
        expect(ctx.calls.loseAll()).toBe(1); // drachtio-server's connection goes now
        return engine.createUAS(...args);
      },
    };
    const ctx = context(lostMidAnswer);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    await settle();
    expect([uac.destroyed, uas.destroyed]).toEqual([true, true]);
    expect(ctx.calls.size).toBe(0);
    expect(ctx.observer.count('call-answered')).toBe(0);
    expect(ctx.observer.count('call-ended', { outcome: 'lost' })).toBe(1);
  });
});

describe('nothing over limits.maxMessageBytes reaches drachtio-server (one such message wedges its connection)', () => {
  const big = `X-Big: ${'b'.repeat(2000)}\r\n`;

  it('a 200 OK too large to send on: the caller gets 500, the far leg is hung up', async () => {
    const { engine, uac } = answeringEngine({ ...ok, raw: `SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n${big}\r\n` });
    const ctx = context(engine, 1000);
    const res = new Channel();
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(res.sent.map((s) => s.status)).toEqual([500]);
    expect(uac.destroyed).toBe(true);
  });

  it('an in-dialog answer too large to send on crosses with its status only', async () => {
    const { engine, uac, uas } = answeringEngine();
    await placeInvite(context(engine, 1000), request('INVITE', KORE, inviteRaw), new Channel());
    uac.request = async () => ({ status: 200, reason: 'OK', raw: `SIP/2.0 200 OK\r\nCSeq: 2 INFO\r\n${big}\r\n`, body: '' });
    const res = new Channel();
    uas.emit('info', request('INFO', KORE, 'INFO sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 2 INFO\r\n\r\n'), res);
    await settle();
    expect(res.sent).toEqual([{ status: 200, reason: 'OK', headers: undefined }]);
  });

  it('a REFER whose request fails with no Error at all: the caller gets 500, the transfer ends no_result, nothing escapes', async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    uac.request = () => Promise.reject(undefined); // drachtio-srf's callbacks may reject with anything
    const res = new Channel();
    uas.emit('refer', request('REFER', KORE, 'REFER sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 3 REFER\r\nRefer-To: <sip:agent@example.com>\r\n\r\n'), res);
    await settle();
    expect(res.sent.map((s) => s.status)).toEqual([500]);
    expect(ctx.observer.count('transfer', { outcome: 'no_result', uui: 'none' })).toBe(1);
  });

  it('a BYE whose headers are too large: the other leg gets a BYE without them', async () => {
    const { engine, uac, uas } = answeringEngine();
    await placeInvite(context(engine, 1000), request('INVITE', KORE, inviteRaw), new Channel());
    let sentWith: unknown = 'not sent';
    uac.destroy = async (opts?: unknown) => void (sentWith = opts);
    uas.emit('destroy', request('BYE', KORE, `BYE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 3 BYE\r\n${big}\r\n`));
    await settle();
    expect(sentWith).toBeUndefined();
  });
});

describe('order across the call', () => {
  it('a 202 to a REFER and the NOTIFY behind it, read together, reach the referrer in that order', async () => {
    const { engine, uac, uas } = answeringEngine();
    await placeInvite(context(engine), request('INVITE', KORE, inviteRaw), new Channel());
    const seen: string[] = [];
    let accept: (r: typeof ok) => void = () => undefined;
    uas.request = (opts) => new Promise((resolve) => (seen.push(`to caller: ${opts.method}`), (accept = resolve)));
    uac.request = async (opts) => (seen.push(`to referrer: ${opts.method}`), ok);
    const referRes = new Channel();
    referRes.send = (status) => void seen.push(`to referrer: ${status}`);
    uac.emit('refer', request('REFER', GENESYS, 'REFER sip:x SIP/2.0\r\nCall-ID: b\r\nCSeq: 5 REFER\r\nRefer-To: <sip:agent@example.com>\r\n\r\n'), referRes);
    await settle();
    // The caller's 202 and its NOTIFY come out of one read: the answer first, the request at once.
    accept({ status: 202, reason: 'Accepted', raw: 'SIP/2.0 202 Accepted\r\nCSeq: 7 REFER\r\n\r\n', body: '' });
    uas.emit('notify', request('NOTIFY', KORE, 'NOTIFY sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 8 NOTIFY\r\nEvent: refer\r\n\r\n'), new Channel());
    await settle();
    expect(seen).toEqual(['to caller: REFER', 'to referrer: 202', 'to referrer: NOTIFY']);
  });
});

describe('drain hangs calls up', () => {
  it('an answered call: BYE on both legs, ended as drained', async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const emptied = ctx.calls.whenEmpty();
    await ctx.calls.hangUpAll('drained');
    await emptied;
    expect([uac.destroyed, uas.destroyed]).toEqual([true, true]);
    expect(ctx.observer.count('call-ended', { outcome: 'drained' })).toBe(1);
  });

  it('a call still ringing: the other leg is canceled, the caller gets 503 with Retry-After', async () => {
    let canceled = false;
    let fail: (e: unknown) => void = () => undefined;
    const engine: Engine = {
      createUAC: (_uri, _opts, progress: UacProgress) =>
        new Promise<Dialog>((_resolve, reject) => {
          fail = reject;
          progress.cbRequest(null, {
            cancel: () => {
              canceled = true;
              fail({ status: 487, reason: 'Request Terminated' });
            },
          } satisfies OutboundRequest);
        }),
      createUAS: async () => new FakeDialog(ok) as unknown as Dialog,
      removeDialog: () => undefined,
    };
    const ctx = context(engine);
    const res = new Channel();
    const placing = placeInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    await settle();
    expect(ctx.calls.all().map((c) => c.state)).toEqual(['setting-up']);
    await ctx.calls.hangUpAll('drained');
    await placing;
    expect(canceled).toBe(true);
    expect(res.sent).toEqual([{ status: 503, reason: 'Service Unavailable', headers: { 'Retry-After': '60' } }]);
    expect(ctx.calls.size).toBe(0);
    expect(ctx.observer.count('call-ended', { outcome: 'drained' })).toBe(1);
  });
});

describe('a drain hangs up every call', () => {
  it('a late-offer call waiting for its ACK when the drain hangs up: once the ACK comes, both legs get BYE, none is joined', async () => {
    const far = new FakeDialog(ok);
    const uas = new FakeDialog(ok);
    const engine: Engine = {
      createUAC: async (_uri, opts) => {
        expect(opts.noAck).toBe(true);
        return { sdp: 'v=0\r\n', res: ok, ack: async () => far, destroy: async () => undefined } as unknown as Dialog;
      },
      createUAS: async () => uas as unknown as Dialog,
      removeDialog: () => undefined,
    };
    const ctx = context(engine);
    const noSdp = inviteRaw.replace(/Content-Type[\s\S]*$/, 'Content-Length: 0\r\n\r\n');
    const placing = placeInvite(ctx, request('INVITE', KORE, noSdp), new Channel());
    await vi.waitFor(() => expect(uas.listenerCount('ack')).toBe(1)); // the caller's leg answered, its ACK awaited
    await ctx.calls.hangUpAll('drained');
    uas.emit('ack', { body: 'v=0\r\n' });
    await placing;
    expect([far.destroyed, uas.destroyed, ctx.calls.size]).toEqual([true, true, 0]);
    expect(ctx.observer.count('call-answered')).toBe(0);
    expect(ctx.observer.count('call-ended', { outcome: 'drained' })).toBe(1);
  });
});

describe("a call's memory holds only what crossed", () => {
  const rules = compile(
    JSON.stringify({
      peers: {
        genesys: { sources: ['203.0.113.0/24'], target: 'sip:byoc.example.pure.cloud:5060' },
        kore: { sources: ['198.51.100.20'], target: 'sip:198.51.100.20:5060' },
      },
      rules: [
        { name: 'keep', when: { from: 'kore', methods: ['INFO'] }, actions: [{ action: 'remember', name: 'secret', value: '${header:X-Secret}' }] },
        { name: 'use', when: { from: 'genesys', methods: ['INFO'] }, actions: [{ action: 'set', header: 'X-Copy', value: '${memory.secret}' }] },
      ],
    }),
  );
  const koreInfo = (extra: string) => request('INFO', KORE, `INFO sip:x SIP/2.0\r\nCSeq: 2 INFO\r\n${extra}X-Secret: s3cret\r\n\r\n`);
  const genesysInfo = () => request('INFO', GENESYS, 'INFO sip:x SIP/2.0\r\nCSeq: 3 INFO\r\n\r\n');

  async function liveCall() {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    ctx.held.current = rules;
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    return { uac, uas };
  }

  it('a request sipcase refused (483: no hops left) is not remembered: the other peer never saw it', async () => {
    const { uac, uas } = await liveCall();
    const refused = new Channel();
    uas.emit('info', koreInfo('Max-Forwards: 0\r\n'), refused);
    await settle();
    uac.emit('info', genesysInfo(), new Channel());
    await settle();
    expect(refused.sent.map((r) => r.status)).toEqual([483]);
    expect(uas.requests.map((r) => r.headers['X-Copy'])).toEqual([undefined]);
  });

  it('however many names reloads bring, a call holds at most 16', () => {
    const ctx = context(answeringEngine().engine);
    const kore = ctx.rules().peers.get('kore') as Peer;
    const genesys = ctx.rules().peers.get('genesys') as Peer;
    const names = new Map(Array.from({ length: 20 }, (_, i) => [`n${i}`, 'v'] as const));
    expect(
      new Call(ctx, 'c', ctx.log, kore, genesys, ctx.rules(), {
        remembered: names,
        received: parseMessage(sip('INVITE sip:a@b SIP/2.0', 'Call-ID: c', 'CSeq: 1 INVITE')),
      }).rememberedValues,
    ).toBe(16);
  });

  it('the same request relayed is remembered, and used later on the other leg', async () => {
    const { uac, uas } = await liveCall();
    uas.emit('info', koreInfo(''), new Channel());
    await settle();
    uac.emit('info', genesysInfo(), new Channel());
    await settle();
    expect(uas.requests.map((r) => r.headers['X-Copy'])).toEqual(['s3cret']);
  });
});

describe('a reload reaches live calls', () => {
  const info = () => request('INFO', KORE, 'INFO sip:x SIP/2.0\r\nCSeq: 2 INFO\r\nuser-to-user: 00AB\r\n\r\n');
  const peers = {
    genesys: { sources: ['203.0.113.0/24'], target: 'sip:byoc.example.pure.cloud:5060' },
    kore: { sources: ['198.51.100.20'], target: 'sip:198.51.100.20:5060' },
  };
  const caseTo = (name: string, peersSpec: object = peers) =>
    compile(JSON.stringify({ peers: peersSpec, rules: [{ name: 'spell', actions: [{ action: 'case', header: name }] }] }));

  async function liveCall(): Promise<{ ctx: ReturnType<typeof context>; uac: FakeDialog; uas: FakeDialog }> {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    return { ctx, uac, uas };
  }

  it('the next in-dialog message is rewritten by the new rules', async () => {
    const { ctx, uac, uas } = await liveCall();
    ctx.held.current = caseTo('USER-TO-USER');
    uas.emit('info', info(), new Channel());
    await settle();
    expect(uac.requests.map((r) => r.headers)).toEqual([{ 'USER-TO-USER': '00AB' }]);
  });

  it("new rules that drop one of the call's peers: the call keeps the rules it started with", async () => {
    const { ctx, uac, uas } = await liveCall();
    ctx.held.current = caseTo('USER-TO-USER', { genesys: peers.genesys, carrier: { sources: ['192.0.2.1'], target: 'sip:192.0.2.1' } });
    uas.emit('info', info(), new Channel());
    await settle();
    expect(uac.requests.map((r) => r.headers)).toEqual([{ 'User-to-User': '00AB' }]); // the preset's spelling
  });

  it("new rules that move a peer's addresses: in-dialog requests still come from where the call was set up", async () => {
    const { ctx, uac, uas } = await liveCall();
    ctx.held.current = caseTo('User-to-User', { ...peers, kore: { sources: ['192.0.2.50'], target: 'sip:192.0.2.50' } });
    const res = new Channel();
    uas.emit('info', info(), res);
    await settle();
    expect(res.sent.map((s) => s.status)).toEqual([200]);
    expect(uac.requests).toHaveLength(1);
  });
});

describe('the call registry', () => {
  it('forgets every call when drachtio-server is gone, sending nothing on their dialogs, and drachtio-srf forgets the dialogs too', async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    expect(ctx.calls.loseAll()).toBe(1);
    expect([ctx.calls.size, uac.destroyed, uas.destroyed]).toEqual([0, false, false]);
    expect([uac.removed, uas.removed]).toEqual([true, true]);
    expect(ctx.observer.count('call-ended', { outcome: 'lost' })).toBe(1);
  });

  it('removes a call once, however many times it is ended, and wakes whoever waits for empty', async () => {
    const { engine, uac } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const [call] = ctx.calls.all();
    let emptied = false;
    void ctx.calls.whenEmpty().then(() => (emptied = true));
    call?.end('completed');
    call?.end('error');
    await settle();
    expect(emptied).toBe(true);
    expect(ctx.observer.count('call-ended')).toBe(1);
    expect(uac.destroyed).toBe(false);
  });
});

describe('no call lives for ever', () => {
  const watchOn = { watch: { livenessMs: 50, maxAgeMs: 0 }, maxSetupMs: 0 };

  it("a leg that answers sipcase's OPTIONS with 481: both legs get BYE at once, the call ends as unreachable", async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine, 10_240, watchOn);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    await new Promise((r) => setTimeout(r, 80));
    expect(uac.requests.map((r) => r.method)).toEqual(['OPTIONS']);
    expect(uas.requests.map((r) => r.method)).toEqual(['OPTIONS']);
    uac.optionsAnswer = 481;
    await new Promise((r) => setTimeout(r, 80));
    expect([uac.destroyed, uas.destroyed]).toEqual([true, true]);
    expect(ctx.calls.size).toBe(0);
    expect(ctx.observer.count('call-ended', { outcome: 'unreachable' })).toBe(1);
  });

  it('a call past limits.maxCallSeconds: BYE on both legs, ended as max_age', async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine, 10_240, { watch: { livenessMs: 0, maxAgeMs: 30 }, maxSetupMs: 0 });
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    expect(ctx.calls.size).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect([uac.destroyed, uas.destroyed]).toEqual([true, true]);
    expect(ctx.observer.count('call-ended', { outcome: 'max_age' })).toBe(1);
  });

  it('a call not answered within limits.maxSetupSeconds: the other leg is canceled, the caller gets 408', async () => {
    let canceled = false;
    const engine: Engine = {
      createUAC: (_uri, _opts, progress: UacProgress) =>
        new Promise<Dialog>((_resolve, reject) => {
          progress.cbRequest(null, {
            cancel: () => {
              canceled = true;
              reject({ status: 487, reason: 'Request Terminated' });
            },
          } satisfies OutboundRequest);
        }),
      createUAS: async () => new FakeDialog(ok) as unknown as Dialog,
      removeDialog: () => undefined,
    };
    const ctx = context(engine, 10_240, { watch: { livenessMs: 0, maxAgeMs: 0 }, maxSetupMs: 40 });
    const res = new Channel();
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), res);
    expect(canceled).toBe(true);
    expect(res.sent).toEqual([{ status: 408, reason: 'Request Timeout', headers: undefined }]);
    expect(ctx.observer.count('call-ended', { outcome: 'setup_timeout' })).toBe(1);
  });

  it('a stopped set-up whose other leg never answers its CANCEL (no 487 ever) ends 32 s later all the same', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const silent: Engine = {
        createUAC: (_uri, _opts, progress) => new Promise<Dialog>(() => progress.cbRequest(undefined, { cancel: () => undefined } satisfies OutboundRequest)),
        createUAS: async () => new FakeDialog(ok) as unknown as Dialog,
        removeDialog: () => undefined,
      };
      const ctx = context(silent);
      const invite = request('INVITE', KORE, inviteRaw);
      const placing = placeInvite(ctx, invite, new Channel());
      (invite as unknown as EventEmitter).emit('cancel');
      await vi.advanceTimersByTimeAsync(31_999);
      expect(ctx.calls.size).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await placing;
      expect(ctx.calls.size).toBe(0);
      expect(ctx.observer.count('call-ended', { outcome: 'canceled' })).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a call answered in time keeps no set-up timer: it is not canceled later', async () => {
    const { engine, uac } = answeringEngine();
    const ctx = context(engine, 10_240, { watch: { livenessMs: 0, maxAgeMs: 0 }, maxSetupMs: 20 });
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    await new Promise((r) => setTimeout(r, 50));
    expect(ctx.calls.all().map((c) => c.state)).toEqual(['answered']);
    expect(uac.destroyed).toBe(false);
  });

  it('a 2xx stating Session-Expires arms a session timer; a re-INVITE answered 2xx refreshes it, one answered otherwise does not', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const timed = { ...ok, raw: 'SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nSession-Expires: 90;refresher=uac\r\n\r\n' };
      const { engine, uac, uas } = answeringEngine(timed);
      const ctx = context(engine);
      await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
      const reInvite = async () => {
        uas.emit('modify', request('INVITE', KORE, 'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 2 INVITE\r\nSession-Expires: 90\r\n\r\n'), new Channel());
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      };
      await vi.advanceTimersByTimeAsync(60_000);
      await reInvite(); // answered 200 by the fake far leg: the session runs 90 s (and 30 s of grace) from here
      await vi.advanceTimersByTimeAsync(119_000);
      expect(ctx.calls.size).toBe(1);
      uac.request = async () => ({ status: 408, reason: 'Request Timeout', raw: 'SIP/2.0 408 Request Timeout\r\nCSeq: 3 INVITE\r\n\r\n', body: '' });
      await reInvite(); // not answered 2xx: no refresh
      await vi.advanceTimersByTimeAsync(1_000);
      expect([uac.destroyed, uas.destroyed, ctx.calls.size]).toEqual([true, true, 0]);
      expect(ctx.observer.count('call-ended', { outcome: 'expired' })).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("drachtio-server's own BYE when the session timer ran out ends the call as expired, by drachtio-server; it crosses to the other leg", async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const bye = 'BYE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 3 BYE\r\nReason: SIP;cause=200;text="Session timer expired"\r\n\r\n';
    uas.emit('destroy', request('BYE', KORE, bye), 'Session timer expired');
    await settle();
    expect([uac.destroyed, ctx.calls.size]).toEqual([true, 0]);
    expect(ctx.observer.count('call-ended', { outcome: 'expired' })).toBe(1);
  });

  it("a peer's BYE carrying the same Reason is the peer's hang-up (drachtio-srf says normal release): completed", async () => {
    const { engine, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const bye = 'BYE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 3 BYE\r\nReason: SIP;cause=200;text="Session timer expired"\r\n\r\n';
    uas.emit('destroy', request('BYE', KORE, bye), 'normal release');
    await settle();
    expect(ctx.observer.count('call-ended', { outcome: 'completed' })).toBe(1);
  });
});
