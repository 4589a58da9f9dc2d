/**
 * Rule plans: for each (from, to, request or response, method), made once per load, the rules that
 * can apply, and what in a message can wake any of them. Most messages of a call (100, 180, ACK,
 * BYE and its 200, OPTIONS) carry nothing the rules read or write: such a message is seen to be
 * inert by a scan of its header keys, and the rewrite hands it back as it came without running a
 * rule. What a plan says is only ever "these rules cannot change this message", never a guess:
 * a rule whose effect does not hang on a header (set, add, embed, remember, allow, a number in the
 * Request-URI) makes its plan `always`.
 */
import { mayEmbed } from '../sip/embedded.js';
import type { Header } from '../sip/message.js';
import { directionKey, type Action, type Peer, type Rule } from './types.js';

export interface Plan {
  /** The rules that can apply, in file order. */
  readonly rules: readonly Rule[];
  /** Some rule may change the message whatever headers it has. */
  readonly always: boolean;
  /** Header keys whose presence may let a rule act. */
  readonly keys: ReadonlySet<string>;
  /** A URI with embedded headers (Refer-To, Contact) may let a rule act (case and single reach into them). */
  readonly embedded: boolean;
}

/** The plans of one kind of message in one direction: by method, and for any method no rule names. */
interface KindPlans {
  readonly byMethod: ReadonlyMap<string, Plan>;
  readonly other: Plan;
}

export interface Plans {
  readonly request: KindPlans;
  readonly response: KindPlans;
}

const NONE: Plan = { rules: [], always: false, keys: new Set(), embedded: false };

/** What can wake one action: `always`, or header keys (and embedded URI headers). */
type Wake = 'always' | { readonly keys: readonly string[]; readonly embedded: boolean };

function wakeOf(a: Action): Wake {
  switch (a.kind) {
    case 'case':
    case 'single':
      return { keys: [a.header.key], embedded: true };
    case 'remove':
    case 'replace':
      return { keys: [a.header.key], embedded: false };
    case 'to-uri':
    case 'from-uri':
      return { keys: [a.header.key, a.uri.key], embedded: false };
    case 'number':
      return a.in === 'request-uri' ? 'always' : { keys: [a.in.key], embedded: false };
    case 'set':
    case 'add':
    case 'embed':
    case 'remember':
    case 'allow':
      return 'always';
  }
}

/** A rule's scope that names a header needs it present: then nothing else in the message can wake it. */
function ruleWake(rule: Rule): Wake {
  if (rule.scope.header !== undefined) return { keys: [rule.scope.header.key], embedded: false };
  const wakes = rule.actions.map(wakeOf);
  if (wakes.some((w) => w === 'always')) return 'always';
  const some = wakes as Exclude<Wake, 'always'>[];
  return { keys: some.flatMap((w) => w.keys), embedded: some.some((w) => w.embedded) };
}

function planOf(rules: readonly Rule[]): Plan {
  if (rules.length === 0) return NONE;
  const wakes = rules.map(ruleWake);
  const some = wakes.filter((w): w is Exclude<Wake, 'always'> => w !== 'always');
  return {
    rules,
    always: some.length < wakes.length,
    keys: new Set(some.flatMap((w) => w.keys)),
    embedded: some.some((w) => w.embedded),
  };
}

function kindPlans(rules: readonly Rule[], kind: 'request' | 'response'): KindPlans {
  const ofKind = rules.filter((r) => r.scope.message === undefined || r.scope.message === kind);
  const named = new Set(ofKind.flatMap((r) => [...(r.scope.methods ?? [])]));
  const byMethod = new Map([...named].map((m) => [m, planOf(ofKind.filter((r) => r.scope.methods === undefined || r.scope.methods.has(m)))]));
  return { byMethod, other: planOf(ofKind.filter((r) => r.scope.methods === undefined)) };
}

/** Plans for every ordered pair of peers, keyed by `directionKey(from, to)`. */
export function compilePlans(peers: ReadonlyMap<string, Peer>, byDirection: ReadonlyMap<string, readonly Rule[]>): ReadonlyMap<string, Plans> {
  const plans = new Map<string, Plans>();
  for (const from of peers.keys()) {
    for (const to of peers.keys()) {
      const rules = byDirection.get(directionKey(from, to)) ?? [];
      plans.set(directionKey(from, to), { request: kindPlans(rules, 'request'), response: kindPlans(rules, 'response') });
    }
  }
  return plans;
}

/** The plan for a message of this kind and (upper-case) method; no rules at all for an unknown direction. */
export function planFor(plans: Plans | undefined, kind: 'request' | 'response', method: string): Plan {
  if (plans === undefined) return NONE;
  const k = plans[kind];
  return k.byMethod.get(method) ?? k.other;
}

/** Whether anything in these header lines can wake the plan's rules. */
export function wakes(plan: Plan, headers: readonly Header[]): boolean {
  if (plan.always) return true;
  if (plan.rules.length === 0) return false;
  for (const h of headers) {
    if (plan.keys.has(h.key)) return true;
    if (plan.embedded && mayEmbed(h)) return true;
  }
  return false;
}
