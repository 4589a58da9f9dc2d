/** What every part of the shell shares: the live rules, the engine, state, logging and counting. */
import type { Logger } from 'pino';
import type { Cidr, CompiledRules } from '../rules/types.js';
import type { Observer } from '../observe.js';
import type { Status } from '../ops/readiness.js';
import type { AdmissionLimits } from './admission.js';
import type { Calls } from './calls.js';
import type { Engine } from './engine.js';
import type { SourceRate } from './source-rate.js';

/**
 * The rules in force. A reload compiles the new file completely, then swaps `current` in one
 * assignment: a message is rewritten by whichever rules are current when it passes (see call.ts).
 */
export interface RulesHolder {
  current: CompiledRules;
}

export interface B2buaContext {
  readonly engine: Engine;
  readonly rules: RulesHolder;
  readonly log: Logger;
  readonly observer: Observer;
  readonly limits: AdmissionLimits;
  /** Requests larger than this (bytes as sent on) are answered 513 instead of relayed. */
  readonly maxMessageBytes: number;
  readonly sourceRate: SourceRate;
  /** Trusted SIP proxies in front of sipcase (see origin.ts). */
  readonly proxies: readonly Cidr[];
  /** Where calls toward a peer are sent through; undefined: straight to the peer. */
  readonly outboundProxy: string | undefined;
  readonly calls: Calls;
  readonly status: Status;
}
