/**
 * The check of one leg of a regression flow: each message the far peer received, against what the
 * rules make of the message the near peer sent (the dry run, the pure rewrite core, is the oracle).
 * Messages pair up by kind and order: the n-th INVITE received with the n-th INVITE sent, the n-th
 * `180 INVITE` with the n-th sent. For every header a rule of this direction names, what arrived must
 * be what the rules emit: the exact spelling, as many copies (drachtio-srf joins copies into one
 * line, so values are compared joined), the same value; a removed header must not arrive at all.
 * Messages a B2BUA answers or makes per leg (100 Trying, ACK, CANCEL and its 487, a BYE's answer)
 * carry no rewrite and are not paired; any other message that arrived with none sent to pair it
 * with is a mismatch. A call's memory is rebuilt the way sipcase builds it: both peers' sent
 * messages in the order they were sent (callMemory), each rewritten with what came before it.
 */
import { NO_MEMORY, type CallMemory } from '../rewrite/memory.js';
import { rewrite } from '../rewrite/rewrite.js';
import { directionKey, type CompiledRules } from '../rules/types.js';
import { headerKey } from '../sip/header-name.js';
import { methodOf, parseMessage, type Header, type SipMessage } from '../sip/message.js';
import { NOT_ALLOWED, type Direction } from './plan.js';
import type { Traced } from './trace.js';

/** What the call remembered before each message a peer sent (by its text): the flow's two traces merged by time. */
export function callMemory(rules: CompiledRules, dir: Direction, caller: readonly Traced[], callee: readonly Traced[]): ReadonlyMap<string, CallMemory> {
  const sent = [
    ...caller.filter((t) => t.sent).map((t) => ({ t, way: dir })),
    ...callee.filter((t) => t.sent).map((t) => ({ t, way: { from: dir.to, to: dir.from } })),
  ];
  sent.sort((a, b) => (a.t.at < b.t.at ? -1 : a.t.at > b.t.at ? 1 : 0));
  const before = new Map<string, CallMemory>();
  let memory: CallMemory = NO_MEMORY;
  for (const { t, way } of sent) {
    before.set(t.text, memory);
    let m: SipMessage;
    try {
      m = parseMessage(t.text);
    } catch {
      continue;
    }
    const r = rewrite(rules, m, { ...way, memory });
    if (r.remembered.size > 0) memory = new Map([...memory, ...r.remembered]);
  }
  return before;
}

export interface LegCheck {
  readonly checked: number;
  readonly mismatches: readonly string[];
}

function kindOf(m: SipMessage): string {
  const method = methodOf(m).toUpperCase();
  return m.start.kind === 'request' ? method : `${m.start.status} ${method}`;
}

const PER_LEG = /^(ACK|CANCEL|100 \w+|487 INVITE|\d+ BYE|\d+ CANCEL)$/;

/** The header keys the rules of this direction read or write. */
function keysOfInterest(rules: CompiledRules, dir: Direction): Set<string> {
  const keys = new Set<string>();
  for (const rule of rules.byDirection.get(directionKey(dir.from, dir.to)) ?? []) {
    if (rule.scope.header !== undefined) keys.add(rule.scope.header.key);
    for (const a of rule.actions) {
      if (a.kind === 'remember') continue;
      if (a.kind === 'allow') {
        keys.add(headerKey(NOT_ALLOWED));
        continue;
      }
      if (a.kind === 'number') {
        // From, Contact and the Request-URI are each leg's own: drachtio-server writes them.
        if (a.in !== 'request-uri' && a.in.key !== 'from' && a.in.key !== 'contact') keys.add(a.in.key);
        continue;
      }
      keys.add(a.header.key);
      if (a.kind === 'to-uri' || a.kind === 'from-uri' || a.kind === 'embed') keys.add(a.uri.key);
    }
  }
  return keys;
}

const joined = (hs: readonly Header[]) => hs.map((h) => h.value).join(',');

function compare(expected: readonly Header[], got: readonly Header[]): string | undefined {
  if (expected.length === 0) return got.length === 0 ? undefined : `${(got[0] as Header).name} arrived; the rules remove it`;
  const want = (expected[0] as Header).name;
  if (got.length === 0) return `${want} is missing`;
  const spelled = got.find((h) => h.name !== want);
  if (spelled !== undefined) return `arrived as ${spelled.name}; the rules emit ${want}`;
  if (joined(got) !== joined(expected)) return `${want}: ${JSON.stringify(joined(got))} arrived; the rules emit ${JSON.stringify(joined(expected))}`;
  if (expected.length === 1 && got.length > 1) return `${got.length} ${want} lines arrived; the rules leave one`;
  return undefined;
}

export function checkLeg(
  rules: CompiledRules,
  dir: Direction,
  sent: readonly string[],
  received: readonly string[],
  extraKeys: readonly string[] = [],
  memory: ReadonlyMap<string, CallMemory> = new Map(),
): LegCheck {
  const keys = keysOfInterest(rules, dir);
  for (const k of extraKeys) keys.add(headerKey(k));
  const pool = new Map<string, { m: SipMessage; memory: CallMemory }[]>();
  for (const raw of sent) {
    const m = parseMessage(raw);
    const k = kindOf(m);
    pool.set(k, [...(pool.get(k) ?? []), { m, memory: memory.get(raw) ?? NO_MEMORY }]);
  }
  const mismatches: string[] = [];
  let checked = 0;
  for (const raw of received) {
    const got = parseMessage(raw);
    const kind = kindOf(got);
    if (PER_LEG.test(kind)) continue;
    const original = pool.get(kind)?.shift();
    if (original === undefined) {
      // Nothing to judge it by is a finding, not a pass: a message sipcase made up, or a trace
      // this check no longer reads right.
      mismatches.push(`${kind} at ${dir.to}: arrived, but ${dir.from} sent no ${kind} to pair it with`);
      continue;
    }
    checked++;
    const expected = rewrite(rules, original.m, { ...dir, memory: original.memory }).message;
    for (const key of keys) {
      const problem = compare(
        expected.headers.filter((h) => h.key === key),
        got.headers.filter((h) => h.key === key),
      );
      if (problem !== undefined) mismatches.push(`${kind} at ${dir.to}: ${problem}`);
    }
  }
  return { checked, mismatches };
}
