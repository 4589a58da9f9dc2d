/**
 * Loading the rules file and proving it, for start-up and for every reload: read, compile (errors
 * name the JSON path), tell drachtio-srf the names to send as written (the `keepNames` port), then
 * prove on the wire that drachtio-server emits every name the rules emit exactly as written. A reload that fails either
 * step leaves the rules in force untouched; one that passes swaps them in one assignment.
 */
import type { Logger } from 'pino';
import type { Observer, ReloadResult } from '../observe.js';
import type { LastReload, ProbeState } from './readiness.js';
import { formatErrors } from '../rules/errors.js';
import { parseRulesText, readRulesText } from '../rules/load.js';
import type { CompiledRules } from '../rules/types.js';

/** Proves names on the wire (or says why it was skipped). */
export type Prover = (names: readonly string[]) => Promise<ProbeState>;

/** Tells drachtio-srf to send these names as written (preserve.ts keepHeaderNames). */
export type KeepNames = (names: readonly string[]) => void;

export type Loaded = { readonly ok: true; readonly rules: CompiledRules; readonly text: string } | { readonly ok: false; readonly message: string };

export async function readRules(file: string): Promise<Loaded> {
  const text = await readRulesText(file);
  if (!text.ok) return { ok: false, message: formatErrors(text.errors) };
  const compiled = parseRulesText(text.value);
  if (!compiled.ok) return { ok: false, message: formatErrors(compiled.errors).replace(/\n/g, '; ') };
  return { ok: true, rules: compiled.value, text: text.value };
}

export type ReloadOutcome = ReloadResult | 'unchanged';

/**
 * Where the keeper reports, and what it reads back: the instance's status and its rules in force
 * (instance.ts implements it; the keeper never writes either itself).
 */
export interface KeeperReport {
  /** The rules in force now. */
  inForce(): CompiledRules;
  /** New rules go in force (at start-up and after a reload that loaded and proved). */
  putInForce(rules: CompiledRules): void;
  probe(state: ProbeState): void;
  reloaded(last: LastReload): void;
  lastReload(): LastReload | undefined;
}

export class RulesKeeper {
  /** Names proven on the current drachtio-server connection. */
  private readonly proven = new Set<string>();
  private lastText: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether the last proof on the wire failed (new calls get 503 until one passes). */
  private failed = false;

  constructor(
    private readonly file: string,
    first: Loaded & { ok: true },
    private readonly report: KeeperReport,
    private readonly prover: Prover,
    private readonly keepNames: KeepNames,
    private readonly log: Logger,
    private readonly observer: Observer,
  ) {
    this.lastText = first.text;
    keepNames(first.rules.emittedNames);
    report.putInForce(first.rules);
  }

  /**
   * Proves the names of the rules in force (at start-up and after every reconnection), in turn with
   * reloads: a proof and a reload never interleave.
   */
  proveCurrent(): Promise<ProbeState> {
    return this.inTurn(async () => {
      this.proven.clear();
      this.report.probe({ state: 'pending' });
      return this.prove(this.report.inForce().emittedNames);
    });
  }

  /**
   * Reads the file again and swaps the rules in if they load and prove. `file` reloads (from the
   * watcher) skip a file whose bytes have not changed; a signal always reloads. Reloads run one at
   * a time, in the order asked.
   */
  reload(trigger: 'signal' | 'file'): Promise<ReloadOutcome> {
    return this.inTurn(() => this.reloadNow(trigger));
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Proves the rules in force: the status says what it found. */
  private async prove(names: readonly string[]): Promise<ProbeState> {
    const result = await this.prover(names);
    this.report.probe(result);
    this.failed = result.state === 'failed';
    if (result.state === 'passed') for (const n of names) this.proven.add(n);
    return result;
  }

  /**
   * Proves a reload's names before they go in force. A failure refuses the reload and leaves the
   * status alone (the rules in force keep their proof); a pass clears a failed status.
   */
  private async proveNew(names: readonly string[]): Promise<ProbeState> {
    const result = await this.prover(names);
    if (result.state === 'failed') return result;
    if (result.state === 'passed') for (const n of names) this.proven.add(n);
    if (this.failed) {
      this.failed = false;
      this.report.probe(result);
    }
    return result;
  }

  private async reloadNow(trigger: 'signal' | 'file'): Promise<ReloadOutcome> {
    const loaded = await readRules(this.file);
    const last = this.report.lastReload();
    const inForceAndClean = (last === undefined || last.result === 'ok') && !this.failed;
    if (loaded.ok && trigger === 'file' && loaded.text === this.lastText && inForceAndClean) return 'unchanged';
    if (!loaded.ok) return this.refuse('invalid', `rules ${this.file}: ${loaded.message}`, trigger);
    // Before the proof: the probe and every message after the swap go out through drachtio-srf.
    this.keepNames(loaded.rules.emittedNames);
    // A failed proof (at a reconnection, say) is proven again, whatever the names: a reload is how
    // an operator who fixed drachtio-server's setting gets new calls taken again.
    if (this.failed || loaded.rules.emittedNames.some((n) => !this.proven.has(n))) {
      const probe = await this.proveNew(loaded.rules.emittedNames);
      if (probe.state === 'failed') return this.refuse('unpreserved', probe.advice, trigger);
    }
    this.lastText = loaded.text;
    this.report.putInForce(loaded.rules);
    this.report.reloaded({ at: new Date().toISOString(), result: 'ok', message: `${loaded.rules.ruleCount} rules in force` });
    this.observer.record({ type: 'reload', result: 'ok' });
    const r = loaded.rules;
    this.log.info({ trigger, peers: [...r.peers.keys()], rules: r.ruleCount, exactNames: r.emittedNames }, `rules reloaded from ${this.file}`);
    return 'ok';
  }

  private refuse(result: 'invalid' | 'unpreserved', message: string, trigger: 'signal' | 'file'): ReloadOutcome {
    this.report.reloaded({ at: new Date().toISOString(), result, message });
    this.observer.record({ type: 'reload', result });
    this.log.error({ trigger, result }, `rules reload refused, the rules in force keep running: ${message}`);
    return result;
  }
}
