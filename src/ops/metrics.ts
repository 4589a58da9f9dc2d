/**
 * Prometheus metrics (prom-client) hung on the Observer seam. Each instance has its own registry,
 * with the default process metrics. Gauges that describe the present (live calls, readiness) are
 * read when scraped, from the one place that owns that state, rather than counted up and down.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FAULT_KINDS, REJECT_REASONS, RELOAD_RESULTS, type Observation, type Observer } from '../observe.js';
import { PlainCounter, PlainHistogram } from './plain-metrics.js';

export interface MetricsSources {
  /** Calls in the registry now (setting up, answered or ending). */
  readonly liveCalls: () => number;
  /** Values the live calls remember (rewrite/memory.ts), together. */
  readonly rememberedValues: () => number;
  /** Dialogs drachtio-srf holds (undefined: it no longer says). */
  readonly dialogsHeld: () => number | undefined;
  /** Live calls by state (setting-up, answered, ending). */
  readonly callsByState: () => Readonly<Record<string, number>>;
  /** Whether /readyz would answer 200 now. */
  readonly ready: () => boolean;
}

/** A transfer takes from a second (a blind transfer into a queue) to minutes (one that rings a person). */
const TRANSFER_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/** Rewrites take microseconds; buckets from 2 µs to 10 ms. */
const REWRITE_BUCKETS = [2e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 1e-2];

export class Metrics implements Observer {
  readonly registry = new Registry();
  private readonly m;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    // The event-loop delay is sampled every 100 ms, not prom-client's 10: the finer sampling alone
    // cost an idle sidecar 5 ms of CPU a second.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    // prom-client also exports these three counts as gauges named *_total, which Prometheus'
    // naming rules (and `promtool check metrics`) reserve for counters; the same counts stay
    // exported, by type, as nodejs_active_handles, nodejs_active_requests, nodejs_active_resources.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    const way = ['from', 'to'] as const;
    this.m = {
      started: new PlainCounter('sipcase_calls_started_total', 'Calls accepted for relaying, by the peer that called and the peer called', this.registry),
      answered: new PlainCounter('sipcase_calls_answered_total', 'Calls answered by the far peer', this.registry),
      ended: new PlainCounter(
        'sipcase_calls_ended_total',
        'Calls ended, by direction and outcome (completed, failed, canceled, abandoned, drained, error)',
        this.registry,
      ),
      relayed: new PlainCounter('sipcase_requests_relayed_total', 'Requests relayed to the other leg, by method', this.registry),
      answers: new PlainCounter('sipcase_responses_relayed_total', 'Responses relayed back to the other leg, by the method they answer', this.registry),
      rewrites: new PlainCounter('sipcase_rewrites_total', 'Header changes made by the rules, by rule and action', this.registry),
      findings: new Counter({ name: 'sipcase_uui_findings_total', help: 'UUI lint findings in relayed messages, by kind', labelNames: ['kind'], registers }),
      rejected: new Counter({
        name: 'sipcase_requests_rejected_total',
        help: 'Requests answered by sipcase and not relayed, by reason',
        labelNames: ['reason'],
        registers,
      }),
      reloads: new Counter({
        name: 'sipcase_rules_reloads_total',
        help: 'Rules reloads, by result (ok, invalid, unpreserved)',
        labelNames: ['result'],
        registers,
      }),
      disconnects: new Counter({ name: 'sipcase_drachtio_disconnects_total', help: 'Times the connection to drachtio-server was lost', registers }),
      faults: new Counter({
        name: 'sipcase_faults_total',
        help: 'Faults nobody handled (uncaught_exception, unhandled_rejection); the first one drains the process and it exits 70',
        labelNames: ['kind'],
        registers,
      }),
      connected: new Gauge({ name: 'sipcase_drachtio_connected', help: '1 while connected to drachtio-server', registers }),
      skipped: new PlainCounter(
        'sipcase_rewrites_skipped_total',
        'Actions that left a message as it was because they had nothing to work on (a number that is no valid one, a value with nothing to build it from), by rule and action',
        this.registry,
      ),
      transfers: new Counter({
        name: 'sipcase_transfers_total',
        help: 'Transfers (REFER) relayed, by direction, outcome (completed, failed, refused, no_result), where the UUI was (embedded in Refer-To, header, none) and whether Genesys reads it (verdict: readable, unreadable, none)',
        labelNames: [...way, 'outcome', 'uui', 'verdict'],
        registers,
      }),
      transferTime: new Histogram({
        name: 'sipcase_transfer_duration_seconds',
        help: 'Time from a REFER to its final NOTIFY, for transfers that got one (completed, failed)',
        labelNames: way,
        buckets: TRANSFER_BUCKETS,
        registers,
      }),
      fallbacks: new Counter({
        name: 'sipcase_transfer_fallbacks_total',
        help: "New calls whose INVITE carries the context (UUI) of a hand-off that did not complete: a bot's fallback after a failed REFER",
        labelNames: way,
        registers,
      }),
      reserved: new Counter({
        name: 'sipcase_reserved_headers_total',
        help: 'Headers Genesys reserves for itself (x-inin-*, x-genesys-*, x-pcv, x-gcv) on messages toward a Genesys peer from the other side, by family',
        labelNames: [...way, 'family'],
        registers,
      }),
      rewriteTime: new PlainHistogram('sipcase_rewrite_duration_seconds', 'Time to rewrite one message (parse, rules, lint)', REWRITE_BUCKETS, this.registry),
    };
    new Gauge({
      name: 'sipcase_live_calls',
      help: 'Calls in progress (setting up, answered or ending)',
      registers,
      collect() {
        this.set(sources.liveCalls());
      },
    });
    new Gauge({
      name: 'sipcase_live_calls_by_state',
      help: 'Calls in progress by state: setting-up (not answered yet), answered, ending (BYE under way)',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, n] of Object.entries(sources.callsByState())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'sipcase_remembered_values',
      help: 'Values the rules remembered that live calls hold; each is let go when its call ends',
      registers,
      collect() {
        this.set(sources.rememberedValues());
      },
    });
    new Gauge({
      name: 'sipcase_drachtio_dialogs',
      help: "Dialogs drachtio-srf holds for sipcase's calls (two an answered call): back to 0 when no call is live",
      registers,
      collect() {
        const held = sources.dialogsHeld();
        if (held !== undefined) this.set(held);
      },
    });
    new Gauge({
      name: 'sipcase_ready',
      help: '1 when /readyz answers 200',
      registers,
      collect() {
        this.set(sources.ready() ? 1 : 0);
      },
    });
    // Known label values start at zero, so rate() and increase() see the first event.
    for (const reason of REJECT_REASONS) this.m.rejected.inc({ reason }, 0);
    for (const result of RELOAD_RESULTS) this.m.reloads.inc({ result }, 0);
    for (const kind of FAULT_KINDS) this.m.faults.inc({ kind }, 0);
    this.m.disconnects.inc(0);
    this.m.connected.set(0);
  }

  record(o: Observation): void {
    const m = this.m;
    switch (o.type) {
      case 'rejected':
        return m.rejected.inc({ reason: o.reason });
      case 'rewrite':
        return m.rewrites.inc(`${o.rule}\u0000${o.action}`, { rule: o.rule, action: o.action });
      case 'rewrite-skipped':
        return m.skipped.inc(`${o.rule}\u0000${o.action}`, { rule: o.rule, action: o.action });
      case 'rewrite-time':
        return m.rewriteTime.observe(o.seconds);
      case 'transfer':
        m.transfers.inc({ ...o.way, outcome: o.outcome, uui: o.uui, verdict: o.verdict });
        if (o.seconds !== undefined) m.transferTime.observe({ ...o.way }, o.seconds);
        return;
      case 'transfer-fallback':
        return m.fallbacks.inc({ ...o.way });
      case 'reserved-header':
        return m.reserved.inc({ ...o.way, family: o.family });
      case 'uui-finding':
        return m.findings.inc({ kind: o.code });
      case 'call-started':
        return m.started.inc(`${o.way.from}\u0000${o.way.to}`, { ...o.way });
      case 'call-answered':
        return m.answered.inc(`${o.way.from}\u0000${o.way.to}`, { ...o.way });
      case 'call-ended':
        return m.ended.inc(`${o.way.from}\u0000${o.way.to}\u0000${o.outcome}`, { ...o.way, outcome: o.outcome });
      case 'relayed':
        return (o.kind === 'request' ? m.relayed : m.answers).inc(o.method, { method: o.method });
      case 'reload':
        return m.reloads.inc({ result: o.result });
      case 'drachtio':
        m.connected.set(o.connected ? 1 : 0);
        if (!o.connected) m.disconnects.inc();
        return;
      case 'fault':
        return m.faults.inc({ kind: o.kind });
    }
  }

  /** The exposition text, as /metrics serves it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
