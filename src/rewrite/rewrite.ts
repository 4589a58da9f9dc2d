/**
 * The rewrite core: a pure function of (compiled rules, message, context) that gives the message
 * as it must leave sipcase, the list of what was changed, and what the message adds to its call's
 * memory. No I/O, no SIP engine types.
 */
import { scopeMatches, type MessageFacts } from '../rules/matcher.js';
import { planFor, wakes } from '../rules/plan.js';
import { directionKey, type Action, type CompiledRules, type Rule } from '../rules/types.js';
import { methodOf, type Header, type SipMessage, type StartLine, type TextEncoding } from '../sip/message.js';
import { applyAllow } from './allow.js';
import { applyNumber } from './number.js';
import type { ActionChange, Change } from './change.js';
import { applyAdd, applyCase, applyRemove, applyReplace, applySet, applySingle } from './header-actions.js';
import { applyRemember, NO_MEMORY, type CallMemory } from './memory.js';
import { unchanged, type ActionOutcome } from './outcome.js';
import { applyEmbed, applyFromUri, applyToUri } from './refer-to.js';
import { buildValue, type ValueScope } from './values.js';

export interface RewriteContext {
  /** The peer the message comes from. */
  readonly from: string;
  /** The peer the message goes to. */
  readonly to: string;
  /** What the call remembered from its earlier messages (none for a message outside a call). */
  readonly memory?: CallMemory;
}

export interface RewriteResult {
  readonly message: SipMessage;
  readonly changes: readonly Change[];
  /** Values this message remembered: the call's memory is its old memory with these set. */
  readonly remembered: CallMemory;
}

export function messageFacts(message: SipMessage): MessageFacts {
  return {
    kind: message.start.kind,
    method: methodOf(message).toUpperCase(),
    status: message.start.kind === 'response' ? message.start.status : undefined,
  };
}

/** set, add and embed build their value first; with none to build, the message stays as it is. */
function withValue(a: Extract<Action, { kind: 'set' | 'add' | 'embed' }>, scope: ValueScope): ActionOutcome {
  const built = buildValue(a.value, scope);
  if (!built.ok) {
    const skipped: ActionChange = { action: a.kind, header: a.header.name, detail: `skipped: ${built.detail}`, skipped: true };
    return { headers: scope.headers, changes: [skipped] };
  }
  const outcome = applyWithValue(a, scope, built.value);
  if (a.value.memory.length === 0) return outcome;
  return { headers: outcome.headers, changes: outcome.changes.map((c) => ({ ...c, used: a.value.memory })) };
}

function applyWithValue(a: Extract<Action, { kind: 'set' | 'add' | 'embed' }>, scope: ValueScope, value: string): ActionOutcome {
  switch (a.kind) {
    case 'set':
      return applySet(a, scope.headers, value);
    case 'add':
      return applyAdd(a, scope.headers, value);
    case 'embed':
      return applyEmbed(a, scope.headers, scope.encoding, value);
  }
}

/** The actions that read only the header list. */
function applyPlain(
  action: Exclude<Action, { kind: 'remember' | 'set' | 'add' | 'embed' | 'number' }>,
  headers: readonly Header[],
  encoding: TextEncoding,
): ActionOutcome {
  switch (action.kind) {
    case 'case':
      return applyCase(action, headers, encoding);
    case 'remove':
      return applyRemove(action, headers);
    case 'replace':
      return applyReplace(action, headers);
    case 'to-uri':
      return applyToUri(action, headers, encoding);
    case 'from-uri':
      return applyFromUri(action, headers, encoding);
    case 'single':
      return applySingle(action, headers, encoding);
    case 'allow':
      return applyAllow(action, headers);
  }
}

/**
 * The message as the rules leave it. Only the rules of its plan (rules/plan.ts) are tried, and a
 * message with nothing in it that can wake them is handed back as it came.
 */
export function rewrite(rules: CompiledRules, message: SipMessage, context: RewriteContext): RewriteResult {
  const direction = directionKey(context.from, context.to);
  if ((rules.byDirection.get(direction)?.length ?? 0) === 0) return inert(message);
  const facts = messageFacts(message);
  const plan = planFor(rules.plans.get(direction), facts.kind, facts.method);
  if (!wakes(plan, message.headers)) return inert(message);
  return applyRules(rules, plan.rules, message, facts, context);
}

/**
 * rewrite() without plans: every rule of the direction tried on every message. The plans must
 * give exactly what this gives (rules/plan.test.ts, over the vectors and every flow's messages).
 */
export function rewriteEveryRule(rules: CompiledRules, message: SipMessage, context: RewriteContext): RewriteResult {
  const candidates = rules.byDirection.get(directionKey(context.from, context.to));
  if (candidates === undefined || candidates.length === 0) return inert(message);
  return applyRules(rules, candidates, message, messageFacts(message), context);
}

const inert = (message: SipMessage): RewriteResult => ({ message, changes: [], remembered: NO_MEMORY });

function applyRules(rules: CompiledRules, candidates: readonly Rule[], message: SipMessage, facts: MessageFacts, context: RewriteContext): RewriteResult {
  const earlier = context.memory ?? NO_MEMORY;
  let remembered: Map<string, string> | undefined;
  let headers: readonly Header[] = message.headers;
  let start: StartLine = message.start;
  const scope = (): ValueScope => ({
    start,
    headers,
    encoding: message.encoding,
    memory: (name) => remembered?.get(name) ?? earlier.get(name),
  });
  const changes: Change[] = [];
  for (const rule of candidates) {
    if (!scopeMatches(rule.scope, facts, headers, message.encoding)) continue;
    for (const action of rule.actions) {
      let outcome: ActionOutcome;
      if (action.kind === 'remember') {
        const r = applyRemember(action, scope());
        if (r.value !== undefined) (remembered ??= new Map()).set(action.name, r.value);
        outcome = { ...unchanged(headers), changes: [r.change] };
      } else if (action.kind === 'set' || action.kind === 'add' || action.kind === 'embed') {
        outcome = withValue(action, scope());
      } else if (action.kind === 'number') {
        const numbered = applyNumber(action, start, headers, rules.peers.get(context.from)?.region);
        start = numbered.start;
        outcome = numbered;
      } else {
        outcome = applyPlain(action, headers, message.encoding);
      }
      headers = outcome.headers;
      for (const c of outcome.changes) changes.push({ rule: rule.name, ...c });
    }
  }
  const same = headers === message.headers && start === message.start;
  return { message: same ? message : { ...message, start, headers }, changes, remembered: remembered ?? NO_MEMORY };
}
