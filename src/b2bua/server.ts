/**
 * The imperative shell: connect to drachtio-server, make header names keep their case, prove it,
 * then take calls. Every request first passes the source guard: anyone who is not a configured
 * peer gets 403 and nothing is relayed.
 */
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { Counters } from '../observe.js';
import { formatErrors } from '../rules/errors.js';
import { loadRulesFile } from '../rules/load.js';
import { peerForAddress } from '../rules/peers.js';
import type { CompiledRules } from '../rules/types.js';
import { probeAdvice, probeHeaderCase } from './case-probe.js';
import type { B2buaContext } from './context.js';
import { fromSrf, type HeaderMap, type InboundRequest, type ResponseChannel } from './engine.js';
import { handleInvite } from './invite.js';
import { PRESERVE_VAR, preserveList } from './preserve.js';

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, NOTIFY, REFER';

type Next = (err?: unknown) => void;
type Handler = (req: InboundRequest, res: ResponseChannel, next: Next) => void;

/** The drachtio-srf calls the shell makes beyond the Engine interface. */
interface SrfApp extends EventEmitter {
  connect(opts: { host: string; port: number; secret: string }): void;
  disconnect(): void;
  use(handler: Handler): void;
  invite(handler: Handler): void;
  options(handler: Handler): void;
  prack(handler: Handler): void;
  request(uri: string, opts: { method: string; headers: HeaderMap }, cb: (err: unknown, req: EventEmitter) => void): void;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface Running {
  readonly ctx: B2buaContext;
  readonly counters: Counters;
  stop(): Promise<void>;
}

async function loadRules(file: string): Promise<CompiledRules> {
  const result = await loadRulesFile(file);
  if (!result.ok) throw new StartupError(`rules ${file}: ${formatErrors(result.errors).replace(/\n/g, '; ')}`);
  return result.value;
}

function connected(srf: SrfApp, config: Config, log: Logger): Promise<string> {
  return new Promise((resolve) => {
    srf.on('connect', (err: unknown, hostport: string) => {
      if (!err) resolve(hostport);
    });
    srf.on('error', (err: Error) => log.warn({ err: err.message }, `drachtio-server ${config.drachtio.host}:${config.drachtio.port}: not connected yet, retrying`));
    srf.connect({ host: config.drachtio.host, port: config.drachtio.port, secret: config.drachtio.secret });
  });
}

function sendProbe(srf: SrfApp): (uri: string, headers: HeaderMap) => Promise<void> {
  return (uri, headers) =>
    new Promise((resolve, reject) => {
      srf.request(uri, { method: 'OPTIONS', headers }, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
}

function handlers(ctx: B2buaContext): { guard: Handler; invite: Handler; options: Handler; prack: Handler; other: Handler } {
  return {
    guard: (req, res, next) => {
      if (req.method === 'ACK') return;
      if (peerForAddress(ctx.rules.current.peers, req.source_address) !== undefined) return next();
      ctx.observer.record({ type: 'rejected', reason: 'unknown-source' });
      ctx.log.warn({ method: req.method, source: `${req.source_address}:${req.source_port}`, callId: req.get('Call-ID') }, 'request from an address that is no configured peer: 403, nothing relayed');
      res.send(403, 'Forbidden', {});
    },
    invite: (req, res) => {
      handleInvite(ctx, req, res).catch((err: unknown) => {
        ctx.log.error({ err }, 'INVITE handling failed');
        if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
      });
    },
    options: (_req, res) => res.send(200, 'OK', { headers: { Allow: ALLOW } }),
    // Reliable provisionals are hop-by-hop in a B2BUA: drachtio-server PRACKs the far leg's 1xx
    // itself and sends the caller its own reliable copy; the caller's PRACK for that copy ends here.
    prack: (_req, res) => res.send(200, 'OK', {}),
    other: (req, res) => {
      ctx.observer.record({ type: 'rejected', reason: 'method' });
      res.send(405, 'Method Not Allowed', { headers: { Allow: ALLOW } });
      ctx.log.info({ method: req.method, source: req.source_address }, 'out-of-dialog request sipcase does not relay: 405');
    },
  };
}

export async function startB2bua(config: Config, log: Logger): Promise<Running> {
  const rules = await loadRules(config.rules);
  process.env[PRESERVE_VAR] = preserveList(process.env[PRESERVE_VAR], rules.emittedNames);
  log.info({ peers: [...rules.peers.keys()], rules: rules.ruleCount, exactNames: rules.emittedNames }, `rules loaded from ${config.rules}`);

  const srf = new Srf() as unknown as SrfApp;
  const hostport = await connected(srf, config, log);
  log.info({ sip: hostport }, 'connected to drachtio-server');

  if (config.probe.enabled && rules.emittedNames.length > 0) {
    const result = await probeHeaderCase(sendProbe(srf), rules.emittedNames, config.probe.host, config.probe.timeoutMs);
    if (!result.ok) {
      srf.disconnect();
      throw new StartupError(probeAdvice(result, rules.emittedNames));
    }
    log.info({ names: rules.emittedNames }, 'header-case probe passed: drachtio-server emits rule names as written');
  }

  const counters = new Counters();
  const ctx: B2buaContext = { engine: fromSrf(srf), rules: { current: rules }, log, observer: counters, limits: { maxCalls: config.limits.maxCalls }, calls: new Map() };
  const h = handlers(ctx);
  srf.use(h.guard);
  srf.invite(h.invite);
  srf.options(h.options);
  srf.prack(h.prack);
  srf.use(h.other);
  log.info('sipcase is relaying calls');
  return {
    ctx,
    counters,
    stop: async () => {
      srf.disconnect();
    },
  };
}
