/**
 * The step every relayed message takes: the raw text drachtio-server handed over, through the pure
 * rewrite for its direction, to the headers and body the other leg gets. Changes are logged at
 * debug, UUI lint findings warned about and counted; nothing here blocks a message. A message the
 * parser cannot read comes back as an error value: the relay path decides what to answer, and no
 * exception escapes into drachtio-srf's callbacks.
 */
import type { Logger } from 'pino';
import type { Observer, Way } from '../observe.js';
import type { CallMemory } from '../rewrite/memory.js';
import { rewrite } from '../rewrite/rewrite.js';
import type { CompiledRules } from '../rules/types.js';
import { parseMessage, type SipMessage } from '../sip/message.js';
import { lintMessageUui } from '../uui/in-message.js';
import { outbound, type Outbound } from './outbound.js';

export type Direction = Way;

export interface Rewritten extends Outbound {
  readonly message: SipMessage;
  /** Values the message added to its call's memory. */
  readonly remembered: CallMemory;
}

export type RewriteResult = { readonly ok: true; readonly value: Rewritten } | { readonly ok: false; readonly error: string };

export function rewriteForLeg(rules: CompiledRules, raw: string, direction: Direction, log: Logger, observer: Observer, memory?: CallMemory): RewriteResult {
  const started = process.hrtime.bigint();
  let result;
  try {
    result = rewrite(rules, parseMessage(raw), memory === undefined ? direction : { from: direction.from, to: direction.to, memory });
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const way = `${direction.from}->${direction.to}`;
  for (const c of result.changes) {
    // A skipped action changed nothing: logged, never counted as a rewrite.
    if (c.skipped !== true) observer.record({ type: 'rewrite', rule: c.rule, action: c.action });
    if (log.isLevelEnabled('debug')) log.debug({ direction: way, rule: c.rule, action: c.action, header: c.header, detail: c.detail }, 'rewrite');
  }
  for (const f of lintMessageUui(result.message)) {
    observer.record({ type: 'uui-finding', code: f.code });
    log.warn({ direction: way, code: f.code }, `uui: ${f.message}`);
  }
  const value = { message: result.message, remembered: result.remembered, ...outbound(result.message) };
  observer.record({ type: 'rewrite-time', seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  return { ok: true, value };
}
