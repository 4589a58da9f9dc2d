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
import { carriesUui, lintMessageUui } from '../uui/in-message.js';
import { describeArrival, reservedArrivals } from '../genesys/reserved-headers.js';
import { outbound, type Outbound } from './outbound.js';

export type Direction = Way;

export interface Rewritten extends Outbound {
  /** The message as it came, parsed. */
  readonly received: SipMessage;
  readonly message: SipMessage;
  /** Values the message added to its call's memory. */
  readonly remembered: CallMemory;
}

export type RewriteResult = { readonly ok: true; readonly value: Rewritten } | { readonly ok: false; readonly error: string };

export function rewriteForLeg(rules: CompiledRules, raw: string, direction: Direction, log: Logger, observer: Observer, memory?: CallMemory): RewriteResult {
  const started = performance.now();
  let result;
  let received;
  try {
    received = parseMessage(raw);
    result = rewrite(rules, received, memory === undefined ? direction : { from: direction.from, to: direction.to, memory });
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const way = `${direction.from}->${direction.to}`;
  for (const c of result.changes) {
    // A skipped action changed nothing: logged and counted apart, never as a rewrite.
    observer.record(c.skipped === true ? { type: 'rewrite-skipped', rule: c.rule, action: c.action } : { type: 'rewrite', rule: c.rule, action: c.action });
    if (log.isLevelEnabled('debug')) log.debug({ direction: way, rule: c.rule, action: c.action, header: c.header, detail: c.detail }, 'rewrite');
  }
  for (const f of carriesUui(result.message) ? lintMessageUui(result.message) : []) {
    observer.record({ type: 'uui-finding', code: f.code });
    log.warn({ direction: way, code: f.code }, `uui: ${f.message}`);
  }
  if (rules.peers.get(direction.to)?.platform === 'genesys') flagReserved(received, result.message, direction, log, observer);
  const value = { received, message: result.message, remembered: result.remembered, ...outbound(result.message) };
  observer.record({ type: 'rewrite-time', seconds: (performance.now() - started) / 1e3 });
  return { ok: true, value };
}

/**
 * Headers Genesys reserves, as they arrived from the other side: flagged and counted whether or not
 * the rules let them through (an allowlist keeps them back), and the log says which.
 */
function flagReserved(received: SipMessage, sent: SipMessage, direction: Direction, log: Logger, observer: Observer): void {
  for (const r of reservedArrivals(received, sent)) {
    observer.record({ type: 'reserved-header', way: direction, family: r.family });
    log.warn({ direction: `${direction.from}->${direction.to}`, header: r.name }, describeArrival(r, direction.from));
  }
}
