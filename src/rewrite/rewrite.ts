/**
 * The rewrite core: a pure function of (compiled rules, message, context) that gives the message
 * as it must leave sipcase, and the list of what was changed. No I/O, no SIP engine types.
 */
import { scopeMatches, type MessageFacts } from '../rules/matcher.js';
import { directionKey, type Action, type CompiledRules } from '../rules/types.js';
import { methodOf, type Header, type SipMessage, type TextEncoding } from '../sip/message.js';
import type { Change } from './change.js';
import { applyAdd, applyCase, applyRemove, applyReplace, applySet, applySingle } from './header-actions.js';
import type { ActionOutcome } from './outcome.js';
import { applyFromUri, applyToUri } from './refer-to.js';

export interface RewriteContext {
  /** The peer the message comes from. */
  readonly from: string;
  /** The peer the message goes to. */
  readonly to: string;
}

export interface RewriteResult {
  readonly message: SipMessage;
  readonly changes: readonly Change[];
}

export function messageFacts(message: SipMessage): MessageFacts {
  return {
    kind: message.start.kind,
    method: methodOf(message).toUpperCase(),
    status: message.start.kind === 'response' ? message.start.status : undefined,
  };
}

function applyAction(action: Action, headers: readonly Header[], encoding: TextEncoding): ActionOutcome {
  switch (action.kind) {
    case 'case':
      return applyCase(action, headers, encoding);
    case 'remove':
      return applyRemove(action, headers);
    case 'set':
      return applySet(action, headers);
    case 'add':
      return applyAdd(action, headers);
    case 'replace':
      return applyReplace(action, headers);
    case 'to-uri':
      return applyToUri(action, headers, encoding);
    case 'from-uri':
      return applyFromUri(action, headers, encoding);
    case 'single':
      return applySingle(action, headers, encoding);
  }
}

export function rewrite(rules: CompiledRules, message: SipMessage, context: RewriteContext): RewriteResult {
  const candidates = rules.byDirection.get(directionKey(context.from, context.to));
  if (candidates === undefined || candidates.length === 0) return { message, changes: [] };
  const facts = messageFacts(message);
  let headers = message.headers;
  const changes: Change[] = [];
  for (const rule of candidates) {
    if (!scopeMatches(rule.scope, facts, headers)) continue;
    for (const action of rule.actions) {
      const outcome = applyAction(action, headers, message.encoding);
      headers = outcome.headers;
      for (const c of outcome.changes) changes.push({ rule: rule.name, ...c });
    }
  }
  return { message: headers === message.headers ? message : { ...message, headers }, changes };
}
