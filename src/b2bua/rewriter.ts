/**
 * The step every relayed message takes: the raw text drachtio-server handed over, through the pure
 * rewrite for its direction, to the headers and body the other leg gets. Changes are logged at
 * debug, UUI lint findings warned about and counted; nothing here blocks a message.
 */
import type { Logger } from 'pino';
import type { Observer } from '../observe.js';
import { rewrite } from '../rewrite/rewrite.js';
import type { CompiledRules } from '../rules/types.js';
import { parseMessage, type SipMessage } from '../sip/message.js';
import { lintMessageUui } from '../uui/in-message.js';
import { outbound, type Outbound } from './outbound.js';

export interface Direction {
  readonly from: string;
  readonly to: string;
}

export interface Rewritten extends Outbound {
  readonly message: SipMessage;
}

export function rewriteForLeg(rules: CompiledRules, raw: string, direction: Direction, log: Logger, observer: Observer): Rewritten {
  const result = rewrite(rules, parseMessage(raw), direction);
  const way = `${direction.from}->${direction.to}`;
  for (const c of result.changes) {
    observer.record({ type: 'rewrite', rule: c.rule, action: c.action });
    log.debug({ direction: way, rule: c.rule, action: c.action, header: c.header, detail: c.detail }, 'rewrite');
  }
  for (const f of lintMessageUui(result.message)) {
    observer.record({ type: 'uui-finding', code: f.code });
    log.warn({ direction: way, code: f.code }, `uui: ${f.message}`);
  }
  return { message: result.message, ...outbound(result.message) };
}
