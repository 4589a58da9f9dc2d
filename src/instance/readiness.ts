/**
 * What /readyz answers, as a pure judgment of the instance's state. Ready means: connected to
 * drachtio-server, rules loaded, the header-case probe passed for the rules in force, and not
 * draining. A refused reload does not make the instance unready (the rules in force were proven and
 * keep running) but /readyz says why it was refused, so an operator reading it sees both.
 */

import type { DrachtioState } from '../drachtio/connection.js';

export type ProbeState =
  | { readonly state: 'pending' }
  | { readonly state: 'passed' }
  | { readonly state: 'skipped'; readonly why: string }
  | { readonly state: 'failed'; readonly advice: string };

export interface LastReload {
  readonly at: string;
  readonly result: 'ok' | 'invalid' | 'unpreserved';
  readonly message: string;
}

/** The instance's state, owned by the shell and read by /readyz, /metrics and the SIP handlers. */
export interface Status {
  drachtio: DrachtioState;
  rules: { readonly file: string; readonly loaded: boolean; readonly count: number };
  probe: ProbeState;
  draining: boolean;
  lastReload: LastReload | undefined;
}

export function initialStatus(rulesFile: string): Status {
  return { drachtio: 'connecting', rules: { file: rulesFile, loaded: false, count: 0 }, probe: { state: 'pending' }, draining: false, lastReload: undefined };
}

export interface Readiness {
  readonly ready: boolean;
  /** The checks that fail, by name: `drachtio`, `rules`, `probe`, `draining`. */
  readonly failing: readonly string[];
  readonly drachtio: DrachtioState;
  readonly rules: string;
  readonly probe: string;
  readonly draining: boolean;
  readonly lastReload?: LastReload;
}

/** Whether header case is proven for the rules in force (or there is nothing to prove). */
export function probeAllows(p: ProbeState): boolean {
  return p.state === 'passed' || p.state === 'skipped';
}

function describeProbe(p: ProbeState): string {
  switch (p.state) {
    case 'pending':
      return 'pending';
    case 'passed':
      return 'passed';
    case 'skipped':
      return `skipped (${p.why})`;
    case 'failed':
      return `failed: ${p.advice}`;
  }
}

export function readiness(s: Status): Readiness {
  const failing = [
    ...(s.drachtio === 'connected' ? [] : ['drachtio']),
    ...(s.rules.loaded ? [] : ['rules']),
    ...(probeAllows(s.probe) ? [] : ['probe']),
    ...(s.draining ? ['draining'] : []),
  ];
  return {
    ready: failing.length === 0,
    failing,
    drachtio: s.drachtio,
    rules: s.rules.loaded ? `${s.rules.count} rules from ${s.rules.file}` : `not loaded (${s.rules.file})`,
    probe: describeProbe(s.probe),
    draining: s.draining,
    ...(s.lastReload === undefined ? {} : { lastReload: s.lastReload }),
  };
}
