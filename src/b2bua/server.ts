/**
 * The imperative shell: serve the operations endpoints, load the rules, connect to drachtio-server,
 * prove header case, then take calls; reload, drain and stop on request. Each step's logic lives
 * in its own module; this file only joins them.
 */
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { drain, type DrainEnd } from '../ops/drain.js';
import { startOpsServer, type OpsServer } from '../ops/http.js';
import { Metrics } from '../ops/metrics.js';
import { initialStatus, readiness, type ProbeState } from '../ops/readiness.js';
import { probeAdvice, probeHeaderCase } from './case-probe.js';
import { installHeaderNameLookup, keepHeaderNames } from './preserve.js';
import { Calls } from './calls.js';
import { trackConnection } from './connection.js';
import type { B2buaContext } from './context.js';
import { fromSrf, type HeaderMap } from './engine.js';
import { handlers, type Handler } from './handlers.js';
import { readRules, RulesKeeper, type ReloadOutcome } from './rules-keeper.js';
import { SourceRate } from './source-rate.js';
import { parseSource } from '../rules/peers.js';
import type { Cidr } from '../rules/types.js';

/** The drachtio-srf calls the shell makes beyond the Engine interface. */
interface SrfApp extends EventEmitter {
  connect(opts: { host: string; port: number; secret: string; reconnect: { retryMaxDelay: number } }): void;
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
  readonly metrics: Metrics;
  /** The operations endpoints' port. */
  readonly httpPort: number;
  reload(trigger: 'signal' | 'file'): Promise<ReloadOutcome>;
  drain(timeoutMs: number): Promise<DrainEnd>;
  stop(): Promise<void>;
}

function sendProbe(srf: SrfApp): (uri: string, headers: HeaderMap) => Promise<void> {
  return (uri, headers) =>
    new Promise((resolve, reject) => {
      try {
        srf.request(uri, { method: 'OPTIONS', headers }, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
}

function prover(srf: SrfApp, config: Config, log: Logger): (names: readonly string[]) => Promise<ProbeState> {
  return async (names) => {
    if (!config.probe.enabled) return { state: 'skipped', why: 'probe.enabled is false' };
    if (names.length === 0) return { state: 'skipped', why: 'no rule emits a header name' };
    const result = await probeHeaderCase(sendProbe(srf), names, config.probe.host, config.probe.timeoutMs);
    if (!result.ok) return { state: 'failed', advice: probeAdvice(result, names) };
    log.info({ names }, 'header-case probe passed: drachtio-server emits rule names as written');
    return { state: 'passed' };
  };
}

export async function startB2bua(config: Config, log: Logger): Promise<Running> {
  const status = initialStatus(config.rules);
  // The metrics read the registry's size when scraped (never before both exist: no await between).
  const metrics: Metrics = new Metrics({ liveCalls: () => registry.size, ready: () => readiness(status).ready });
  const registry: Calls = new Calls(metrics);
  const ops: OpsServer = await startOpsServer(config.http.host, config.http.port, {
    readiness: () => readiness(status),
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
  }).catch((e: unknown) => {
    throw new StartupError(`http.port ${config.http.port}: cannot listen on ${config.http.host}: ${(e as Error).message}`);
  });
  log.info({ host: config.http.host, port: ops.port }, 'serving /healthz, /readyz and /metrics');

  // drachtio-srf lower-cases the header names it sends: from here on it keeps the rules' names as
  // written (preserve.ts), before anything is sent.
  installHeaderNameLookup();
  const first = await readRules(config.rules);
  if (!first.ok) {
    await ops.close();
    throw new StartupError(`rules ${config.rules}: ${first.message}`);
  }
  log.info({ peers: [...first.rules.peers.keys()], rules: first.rules.ruleCount, exactNames: first.rules.emittedNames }, `rules loaded from ${config.rules}`);

  const srf = new Srf() as unknown as SrfApp;
  const ctx: B2buaContext = {
    engine: fromSrf(srf),
    rules: { current: first.rules },
    log,
    observer: metrics,
    limits: { maxCalls: config.limits.maxCalls, busyRetryAfterS: config.limits.retryAfterS, drainRetryAfterS: config.drain.retryAfterS },
    maxMessageBytes: config.limits.maxMessageBytes,
    sourceRate: new SourceRate(config.limits.sourceRate, config.limits.sourceBurst),
    // Validated as addresses or ranges when the settings loaded.
    proxies: config.proxies.map((p) => parseSource(p) as Cidr),
    outboundProxy: config.outboundProxy === '' ? undefined : config.outboundProxy,
    calls: registry,
    status,
  };
  const keeper = new RulesKeeper(config.rules, first, ctx.rules, status, prover(srf, config, log), keepHeaderNames, log, metrics);

  const firstUp = new Promise<void>((resolve) => {
    trackConnection(srf, `${config.drachtio.host}:${config.drachtio.port}`, log, metrics, {
      state: (s) => {
        status.drachtio = s;
        // Dialogs live in drachtio-server and are tied to this connection: with it gone, no
        // request or BYE will reach these calls again, so they end here instead of staying live.
        if (s === 'disconnected') {
          const lost = registry.forgetAll('lost');
          if (lost > 0) log.warn({ lost }, 'live calls lost with the connection to drachtio-server');
        }
      },
      up: (_hostport, isFirst) => {
        if (isFirst) return resolve();
        // A restarted drachtio-server may have been started without the preserve list: prove again.
        void keeper.proveCurrent().then((p) => {
          if (p.state === 'failed') log.error(`after reconnecting: ${p.advice}; new calls get 503 until it is fixed`);
        });
      },
    });
  });
  srf.connect({ host: config.drachtio.host, port: config.drachtio.port, secret: config.drachtio.secret, reconnect: { retryMaxDelay: config.drachtio.reconnectMaxDelayMs } });
  await firstUp;

  const probe = await keeper.proveCurrent();
  if (probe.state === 'failed') {
    srf.disconnect();
    await ops.close();
    throw new StartupError(probe.advice);
  }

  const h = handlers(ctx);
  srf.use(h.guard);
  srf.invite(h.invite);
  srf.options(h.options);
  srf.prack(h.prack);
  srf.use(h.other);
  log.info('sipcase is relaying calls');
  return {
    ctx,
    metrics,
    httpPort: ops.port,
    reload: (trigger) => keeper.reload(trigger),
    drain: (timeoutMs) => drain(registry, status, timeoutMs, log),
    stop: async () => {
      // drachtio-srf's disconnect asserts a live socket: with drachtio-server already gone there
      // is nothing to close (and the process exits without waiting for its reconnect timer).
      if (status.drachtio === 'connected') srf.disconnect();
      await ops.close();
    },
  };
}
