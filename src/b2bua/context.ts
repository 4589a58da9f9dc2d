/** What every part of the shell shares: the live rules, the engine, logging and counting. */
import type { Logger } from 'pino';
import type { CompiledRules } from '../rules/types.js';
import type { Observer } from '../observe.js';
import type { Call } from './call.js';
import type { Engine } from './engine.js';

/** Rules swap as a whole on reload; a message is rewritten by whatever is current when it passes. */
export interface RulesHolder {
  current: CompiledRules;
}

export interface Limits {
  readonly maxCalls: number;
}

export interface B2buaContext {
  readonly engine: Engine;
  readonly rules: RulesHolder;
  readonly log: Logger;
  readonly observer: Observer;
  readonly limits: Limits;
  /** Live calls by the Call-ID of their first leg. */
  readonly calls: Map<string, Call>;
}
