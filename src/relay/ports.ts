/**
 * What the per-call relay needs from the rest of sipcase, and nothing more: the engine to place and
 * answer legs with, the rules in force, where to log and count, the live-call registry, the limits
 * a message must keep (whether a new call is taken at all, the edge has said already). The instance builds
 * it (instance/instance.ts); tests build it around a fake engine (test/fake-engine.ts).
 */
import type { Logger } from 'pino';
import type { Engine } from '../drachtio/engine.js';
import type { CallPorts } from './call.js';
import type { Calls } from './calls.js';

export interface RelayPorts extends CallPorts {
  readonly engine: Engine;
  readonly log: Logger;
  readonly calls: Calls;
  /** Where calls toward a peer are sent through; undefined: straight to the peer. */
  readonly outboundProxy: string | undefined;
  /** Longest a call may take to be answered (0: no limit): then 408 to the caller, CANCEL to the callee. */
  readonly maxSetupMs: number;
  /** Retry-After of the 503 a caller gets when a drain cuts its call's set-up short. */
  readonly drainRetryAfterS: number;
}
