/**
 * A fake drachtio engine for the call logic's tests: dialogs that record what they were asked to
 * send, a response channel that records answers, and the preset rules' peers.
 */
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { Recorder } from '../src/observe.js';
import { Calls } from '../src/relay/calls.js';
import { RecentHandoffs } from '../src/transfer/fallback.js';
import type { RelayPorts } from '../src/relay/ports.js';
import { handleInvite } from '../src/relay/invite.js';
import { originOf, partiesOf } from '../src/rules/origin.js';
import type { CompiledRules } from '../src/rules/types.js';
import type { Dialog, Engine, HeaderMap, InboundRequest, InboundResponse, ResponseChannel, UacOptions } from '../src/drachtio/engine.js';
import { presetRules } from './fixtures.js';

export const rules = presetRules(); // genesys 203.0.113.0/24, kore 198.51.100.20
export const KORE = '198.51.100.20';
export const GENESYS = '203.0.113.50';

export function request(method: string, source: string, raw: string): InboundRequest {
  const e = new EventEmitter();
  return Object.assign(e, {
    method,
    uri: 'sip:+14445556666@203.0.113.10',
    raw,
    body: '',
    source_address: source,
    source_port: 5060,
    get: (n: string) => (n === 'Call-ID' ? 'call-1' : n === 'From' ? '<sip:+1555@kore>;tag=1' : undefined),
  }) as unknown as InboundRequest;
}

/** An early-offer INVITE from Kore (the late-offer path is proven by the SIPp suite). */
export const inviteRaw =
  'INVITE sip:+14445556666@203.0.113.10 SIP/2.0\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nUser-To-User: 00AB;encoding=hex\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n';

export class Channel implements ResponseChannel {
  sent: { status: number; reason: string; headers?: HeaderMap | undefined }[] = [];
  send(status: number, reason: string, opts: { headers?: HeaderMap }): void {
    this.sent.push({ status, reason, headers: opts.headers });
  }
  get finalResponseSent(): boolean {
    return this.sent.some((s) => s.status >= 200);
  }
}

export class FakeDialog extends EventEmitter {
  requests: { method: string; headers: HeaderMap }[] = [];
  destroyed = false;
  /** Whether the engine was told to forget this dialog (removeDialog). */
  removed = false;
  /** How this leg answers an OPTIONS: a status, or 0 for a request that fails outright. */
  optionsAnswer = 200;
  constructor(readonly res: InboundResponse) {
    super();
  }
  id = 'd';
  sip = { callId: 'b-leg' };
  async request(opts: { method: string; headers: HeaderMap }): Promise<InboundResponse> {
    this.requests.push(opts);
    const status = opts.method === 'OPTIONS' ? this.optionsAnswer : 200;
    if (status === 0) throw new Error('request timed out');
    const reason = status === 200 ? 'OK' : 'Gone';
    return { status, reason, raw: `SIP/2.0 ${status} ${reason}\r\nCSeq: 2 ${opts.method}\r\n\r\n`, body: '' };
  }
  async destroy(): Promise<void> {
    this.destroyed = true;
  }
}

/** The relay's ports around a fake engine, with the rules in force at hand to change. */
export type TestContext = RelayPorts & {
  readonly observer: Recorder;
  readonly held: { current: CompiledRules };
};

/** A new INVITE as the edge hands it to the relay: with its parties worked out (edge/handlers.ts does the same). */
export function placeInvite(ctx: RelayPorts, req: InboundRequest, res: ResponseChannel): Promise<void> {
  const parties = partiesOf(originOf(req, ctx.proxies), ctx.rules().peers);
  if (parties === undefined) throw new Error(`${req.source_address} is no peer's: the edge would have answered 403`);
  return handleInvite(ctx, req, res, parties);
}

export function context(
  engine: Engine,
  maxMessageBytes = 10_240,
  timers: Pick<RelayPorts, 'watch' | 'maxSetupMs'> = { watch: { livenessMs: 0, maxAgeMs: 0 }, maxSetupMs: 0 },
): TestContext {
  const observer = new Recorder();
  const held = { current: rules };
  return {
    engine,
    rules: () => held.current,
    held,
    log: pino({ level: 'silent' }),
    observer,
    maxMessageBytes,
    proxies: [],
    outboundProxy: undefined,
    calls: new Calls(observer),
    drainRetryAfterS: 60,
    ...timers,
    transfers: { observer, settings: { resultMs: 120_000, conversationKey: 'x-inin-cnv' }, handoffs: new RecentHandoffs() },
  };
}

export const ok: InboundResponse = { status: 200, reason: 'OK', raw: 'SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n', body: '' };

export function answeringEngine(answer: InboundResponse = ok): { engine: Engine; uac: FakeDialog; uas: FakeDialog; sentHeaders: HeaderMap[] } {
  const uac = new FakeDialog(answer);
  const uas = new FakeDialog(ok);
  const sentHeaders: HeaderMap[] = [];
  const engine: Engine = {
    // As the real adapter does: the new dialog is adopted before the call resumes.
    createUAC: async (_uri: string, opts: UacOptions, _progress, adopt) => {
      sentHeaders.push(opts.headers);
      adopt?.(uac as unknown as Dialog);
      return uac as unknown as Dialog;
    },
    createUAS: async (_req, _res, _opts, adopt) => {
      adopt?.(uas as unknown as Dialog);
      return uas as unknown as Dialog;
    },
    removeDialog: (d) => void ((d as unknown as FakeDialog).removed = true),
  };
  return { engine, uac, uas, sentHeaders };
}
