/**
 * One sipcase process, and the one owner of its life. It starts the parts in order (operations
 * endpoints, drachtio-srf's header-name lookup, the rules, the drachtio-server connection, the
 * header-case proof, the SIP handlers), holds what they share (the status, written here and nowhere
 * else; the rules in force; the live calls), and answers each event of the process in one place:
 *
 *   SIGHUP, or a save in the rules file's folder     -> reload()
 *   drachtio-server's connection lost or regained     -> onConnection()
 *   SIGTERM or SIGINT, or a fault nobody handled      -> stop: drain(), then exit (run() below)
 *   a second SIGTERM or SIGINT                        -> exit 1 at once
 *
 * The parts get narrow ports, not the instance: the relay (relay/ports.ts), the edge
 * (edge/handlers.ts), the rules keeper (rules-keeper.ts, KeeperReport).
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { probeAdvice, probeHeaderCase } from '../drachtio/case-probe.js';
import { trackConnection, type DrachtioState, type TrackedConnection } from '../drachtio/connection.js';
import { createApp, type DrachtioApp } from '../drachtio/app.js';
import { installHeaderNameLookup, keepHeaderNames } from '../drachtio/preserve.js';
import { completeStatusTable } from '../drachtio/status-codes.js';
import type { AdmissionLimits, Availability } from '../edge/admission.js';
import { handlers } from '../edge/handlers.js';
import { SourceRate } from '../edge/source-rate.js';
import { startOpsServer, type OpsServer } from '../ops/http.js';
import { Metrics } from '../ops/metrics.js';
import { Calls } from '../relay/calls.js';
import { handleInvite } from '../relay/invite.js';
import type { RelayPorts } from '../relay/ports.js';
import { parseSource } from '../rules/peers.js';
import type { Cidr, CompiledRules } from '../rules/types.js';
import { headerKey } from '../sip/header-name.js';
import { RecentHandoffs } from '../transfer/fallback.js';
import { drain, type DrainEnd } from './drain.js';
import { FAULT_EXIT_CODE, watchFaults } from './fault-policy.js';
import { initialStatus, probeAllows, readiness, type ProbeState, type Status } from './readiness.js';
import { readRules, RulesKeeper, type KeeperReport, type ReloadOutcome } from './rules-keeper.js';
import { watchRulesFile } from './rules-watch.js';

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export class Instance {
  private readonly status: Status;
  private readonly app: DrachtioApp;
  /** Whether new work is taken, as the edge reads it: a view of the status, never a copy of it. */
  private readonly available: Availability;
  private current: CompiledRules | undefined;
  private keeper: RulesKeeper | undefined;
  private connection: TrackedConnection | undefined;
  private readonly limits: AdmissionLimits;
  private readonly proxies: readonly Cidr[];
  private readonly relayPorts: RelayPorts;
  readonly calls: Calls;
  readonly metrics: Metrics;

  private constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly ops: OpsServer,
    parts: { readonly metrics: Metrics; readonly calls: Calls; readonly status: Status; readonly app: DrachtioApp },
  ) {
    this.app = parts.app;
    this.metrics = parts.metrics;
    this.calls = parts.calls;
    this.status = parts.status;
    const status = this.status;
    this.available = {
      get draining() {
        return status.draining;
      },
      // Serving: rules loaded and the header case proven (or the proof skipped).
      get serving() {
        return status.rules.loaded && probeAllows(status.probe);
      },
    };
    this.limits = { maxCalls: config.limits.maxCalls, busyRetryAfterS: config.limits.retryAfterS, drainRetryAfterS: config.drain.retryAfterS };
    // Validated as addresses or ranges when the settings loaded.
    this.proxies = config.proxies.map((p) => parseSource(p) as Cidr);
    this.relayPorts = {
      engine: this.app.engine,
      rules: () => this.rules(),
      log,
      observer: this.metrics,
      calls: this.calls,
      maxMessageBytes: config.limits.maxMessageBytes,
      proxies: this.proxies,
      outboundProxy: config.outboundProxy === '' ? undefined : config.outboundProxy,
      drainRetryAfterS: config.drain.retryAfterS,
      watch: { livenessMs: config.liveness.intervalS * 1000, maxAgeMs: config.limits.maxCallSeconds * 1000 },
      maxSetupMs: config.limits.maxSetupSeconds * 1000,
      transfers: {
        observer: this.metrics,
        settings: { resultMs: config.transfers.resultSeconds * 1000, conversationKey: headerKey(config.transfers.conversationHeader) },
        handoffs: new RecentHandoffs(),
      },
    };
  }

  /** Starts every part in order; resolves once it relays calls, or fails with a StartupError that says why. */
  static async start(config: Config, log: Logger): Promise<Instance> {
    const status = initialStatus(config.rules);
    const app = createApp();
    // The metrics read the registry's size when scraped (never before both exist: no await between).
    const metrics: Metrics = new Metrics({
      liveCalls: () => calls.size,
      rememberedValues: () => calls.rememberedValues(),
      dialogsHeld: () => app.dialogsHeld(),
      callsByState: () => calls.byState(),
      ready: () => readiness(status).ready,
    });
    const calls: Calls = new Calls(metrics);
    const ops = await startOpsServer(config.http.host, config.http.port, {
      readiness: () => readiness(status),
      metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    }).catch((e: unknown) => {
      throw new StartupError(`http.port ${config.http.port}: cannot listen on ${config.http.host}: ${(e as Error).message}`);
    });
    log.info({ host: config.http.host, port: ops.port }, 'serving /healthz, /readyz and /metrics');
    const instance = new Instance(config, log, ops, { metrics, calls, status, app });
    try {
      await instance.begin();
    } catch (e) {
      await ops.close();
      throw e;
    }
    return instance;
  }

  private async begin(): Promise<void> {
    const { config, log } = this;
    // drachtio-srf lower-cases the header names it sends: from here on it keeps the rules' names
    // as written (drachtio/preserve.ts), before anything is sent.
    installHeaderNameLookup();
    // drachtio-srf refuses to send a status its table lacks: every code from 100 to 699 is sendable.
    completeStatusTable();
    const first = await readRules(config.rules);
    if (!first.ok) throw new StartupError(`rules ${config.rules}: ${first.message}`);
    log.info({ peers: [...first.rules.peers.keys()], rules: first.rules.ruleCount, exactNames: first.rules.emittedNames }, `rules loaded from ${config.rules}`);
    this.keeper = new RulesKeeper(config.rules, first, this.keeperReport(), (names) => this.prove(names), keepHeaderNames, log, this.metrics);

    const firstUp = new Promise<void>((resolve) => {
      this.connection = trackConnection(this.app.events, `${config.drachtio.host}:${config.drachtio.port}`, log, this.metrics, {
        state: (s) => this.onConnection(s),
        up: (_hostport, isFirst) => (isFirst ? resolve() : this.onReconnected()),
      });
    });
    this.app.connect({ ...config.drachtio, retryMaxDelayMs: config.drachtio.reconnectMaxDelayMs });
    await firstUp;

    const probe = await this.keeper.proveCurrent();
    if (probe.state === 'failed') {
      this.connection?.closing();
      this.app.disconnect();
      throw new StartupError(probe.advice);
    }
    this.app.mount(
      handlers({
        rules: () => this.rules(),
        log,
        observer: this.metrics,
        proxies: this.proxies,
        sourceRate: new SourceRate(config.limits.sourceRate, config.limits.sourceBurst),
        availability: this.available,
        limits: this.limits,
        liveCalls: () => this.calls.size,
        invite: (req, res, parties) => handleInvite(this.relayPorts, req, res, parties),
      }),
    );
    log.info('sipcase is relaying calls');
  }

  // --- the state, written only here ----------------------------------------------------------------

  private rules(): CompiledRules {
    return this.current as CompiledRules; // set by the keeper's first report, before any handler runs
  }

  private keeperReport(): KeeperReport {
    return {
      inForce: () => this.rules(),
      putInForce: (rules) => {
        this.current = rules;
        this.status.rules = { file: this.config.rules, loaded: true, count: rules.ruleCount };
      },
      probe: (state) => (this.status.probe = state),
      reloaded: (last) => (this.status.lastReload = last),
      lastReload: () => this.status.lastReload,
    };
  }

  /** drachtio-server's connection changed. */
  private onConnection(state: DrachtioState): void {
    this.status.drachtio = state;
    // Dialogs live in drachtio-server and are tied to this connection: with it gone, no request
    // or BYE will reach these calls again, so they end here instead of staying live.
    if (state === 'disconnected') {
      const lost = this.calls.loseAll();
      if (lost > 0) this.log.warn({ lost }, 'live calls lost with the connection to drachtio-server');
    }
  }

  /** A restarted drachtio-server may have been started without the preserve list: prove again. */
  private onReconnected(): void {
    void this.keeper?.proveCurrent().then((p) => {
      if (p.state === 'failed') this.log.error(`after reconnecting: ${p.advice}; new calls get 503 until it is fixed`);
    });
  }

  // --- the header-case proof, as the keeper asks for it ----------------------------------------------

  private async prove(names: readonly string[]): Promise<ProbeState> {
    const { probe } = this.config;
    if (!probe.enabled) return { state: 'skipped', why: 'probe.enabled is false' };
    if (names.length === 0) return { state: 'skipped', why: 'no rule emits a header name' };
    const result = await probeHeaderCase(this.app.sendOptions, names, probe.host, probe.timeoutMs);
    if (!result.ok) return { state: 'failed', advice: probeAdvice(result, names) };
    this.log.info({ names }, 'header-case probe passed: drachtio-server emits rule names as written');
    return { state: 'passed' };
  }

  // --- the process's events -------------------------------------------------------------------------

  reload(trigger: 'signal' | 'file'): Promise<ReloadOutcome> {
    return (this.keeper as RulesKeeper).reload(trigger);
  }

  /** No new calls from now on; resolves when the live ones have ended (or were hung up at `timeoutMs`). */
  drain(timeoutMs: number): Promise<DrainEnd> {
    this.status.draining = true;
    return drain(this.calls, timeoutMs, this.log);
  }

  async stop(): Promise<void> {
    // drachtio-srf's disconnect asserts a live socket: with drachtio-server already gone there is
    // nothing to close (and the process exits without waiting for its reconnect timer).
    if (this.status.drachtio === 'connected') {
      this.connection?.closing();
      this.app.disconnect();
    }
    await this.ops.close();
  }
}

/** Why the process stops: a stop signal, or a fault nobody handled. */
type StopCause = { readonly by: 'signal'; readonly signal: string } | { readonly by: 'fault' };

/** Resolves at the first SIGTERM or SIGINT; a second one ends the process at once. */
function stopRequested(proc: NodeJS.Process, log: Logger): Promise<string> {
  return new Promise((resolve) => {
    let asked = false;
    const onSignal = (signal: string): void => {
      if (asked) {
        log.warn({ signal }, 'second stop signal: exiting now, live calls are cut');
        proc.exit(1);
      }
      asked = true;
      resolve(signal);
    };
    proc.on('SIGTERM', onSignal);
    proc.on('SIGINT', onSignal);
  });
}

/**
 * `sipcase run`: an instance's whole life in this process, from start to the exit code. A stop
 * before start-up finished exits at once (0, or 70 after a fault); a StartupError rejects.
 */
export async function run(config: Config, log: Logger, proc: NodeJS.Process = process): Promise<number> {
  // The instance once it runs: what a fault counts into and reads the live calls of.
  const live: { instance?: Instance } = {};
  const faults = watchFaults(proc, log, { record: (o) => live.instance?.metrics.record(o) }, () => live.instance?.calls.size ?? 0);
  // Until the instance runs, SIGHUP has nothing to reload (and must not end the process).
  let onHangUp = (): void => undefined;
  proc.on('SIGHUP', () => onHangUp());
  const stop = Promise.race([
    stopRequested(proc, log).then((signal): StopCause => ({ by: 'signal', signal })),
    faults.first.then((): StopCause => ({ by: 'fault' })),
  ]);
  const first = await Promise.race([Instance.start(config, log), stop]);
  if (!(first instanceof Instance)) {
    log.info(first, 'stopped before start-up finished');
    return proc.exit(first.by === 'fault' ? FAULT_EXIT_CODE : 0);
  }
  const instance = (live.instance = first);
  onHangUp = () => {
    log.info('SIGHUP: reloading the rules');
    void instance.reload('signal');
  };
  const watching = config.reload.watch ? watchRulesFile(config.rules, config.reload.debounceMs, () => void instance.reload('file'), log) : undefined;
  const cause = await stop;
  log.info(cause, 'stop requested');
  watching?.close();
  await instance.drain(config.drain.timeoutMs);
  await instance.stop();
  const code = cause.by === 'fault' ? FAULT_EXIT_CODE : 0;
  log.info({ code }, 'stopped');
  // Anything still holding the event loop (a peer's half-finished transaction) must not keep a
  // drained process alive.
  setTimeout(() => proc.exit(code), 1000).unref();
  return code;
}
