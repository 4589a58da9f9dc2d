/**
 * What `sipcase regress` sends, derived from the rules: for each direction (a peer toward the peer
 * it relays to), header lines that make every rule for that direction act. A `case` rule's header
 * goes with its name mis-cased, a `single` rule's twice, a `remove`, `replace` or `to-uri` rule's
 * once, and a scope's header once so the rule applies at all; so does a header a template reads
 * (`${header:NAME}`), so that `set`, `add`, `embed` and `remember` have a value to build. A rule
 * scoped to messages *without* some headers (`absent`) gets a flow of its own in which the peer
 * leaves them out (run.ts). And the rules file moved onto loopback: each peer its own address,
 * every rule as written.
 */
import { headerKey } from '../sip/header-name.js';
import type { Template } from '../rules/template.js';
import { directionKey, type Action, type CompiledRules, type RulesFileSpec } from '../rules/types.js';

export interface Direction {
  readonly from: string;
  readonly to: string;
}

export function directions(rules: CompiledRules): Direction[] {
  return [...rules.peers.values()].map((p) => ({ from: p.name, to: p.relayTo }));
}

/** Every letter's case flipped: a spelling no peer's literal match accepts for the original. */
export function miscase(name: string): string {
  return [...name].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

const UUI_KEYS = new Set(['user-to-user', 'x-user-to-user']);

/** A header no allowlist names: an `allow` rule must keep it from the other peer. */
export const NOT_ALLOWED = 'X-Regress-Not-Allowed';

/** Headers whose value `number` reads: a URI with a number in the national form of the North American plan. */
const NUMBERED = new Set(['p-asserted-identity', 'p-preferred-identity', 'diversion', 'referred-by']);

/** A value the header can carry: valid UUI for UUI headers (lint stays quiet), a number in a URI for `number`, a marker otherwise. */
function valueFor(key: string, copy: number): string {
  if (UUI_KEYS.has(key)) return `00436F6E7465787${copy};encoding=hex`;
  if (NUMBERED.has(key)) return `<sip:+1202555010${copy}@regress.invalid>`;
  return `regress-${copy}`;
}

interface Wanted {
  /** The spelling a rule gives (the key when only a scope names it). */
  name: string;
  copies: number;
  /** A `case` rule spells it: send it spelled otherwise, so the rule has something to do. */
  miscased: boolean;
}

/** The header names a template reads from the message. */
function headersRead(t: Template): string[] {
  return t.pieces.flatMap((p) => (p.kind === 'slot' && p.source.kind === 'header' ? [p.source.name] : []));
}

function templateOf(a: Action): Template | undefined {
  return a.kind === 'set' || a.kind === 'add' || a.kind === 'embed' || a.kind === 'remember' ? a.value : undefined;
}

/** Header keys some rule of this direction wants absent from a message (its `absent` scope). */
export function absentKeys(rules: CompiledRules, dir: Direction): Set<string> {
  return new Set((rules.byDirection.get(directionKey(dir.from, dir.to)) ?? []).flatMap((r) => r.scope.absent ?? []));
}

/** The header lines to send from `dir.from` toward `dir.to`, one string each, without CRLF; none of `without` (keys). */
export function testHeaderLines(rules: CompiledRules, dir: Direction, without: ReadonlySet<string> = new Set()): string[] {
  const wanted = new Map<string, Wanted>();
  const want = (key: string, name: string, change: Partial<Wanted> = {}) => {
    const w = wanted.get(key) ?? { name, copies: 1, miscased: false };
    if (w.name === key) w.name = name;
    w.copies = Math.max(w.copies, change.copies ?? 1);
    w.miscased ||= change.miscased ?? false;
    wanted.set(key, w);
  };
  for (const rule of rules.byDirection.get(directionKey(dir.from, dir.to)) ?? []) {
    const scoped = rule.scope.header;
    if (scoped !== undefined) want(scoped.key, scoped.key);
    for (const a of rule.actions) {
      if (a.kind === 'allow') want(headerKey(NOT_ALLOWED), NOT_ALLOWED);
      else if (a.kind === 'number') {
        if (a.in !== 'request-uri' && NUMBERED.has(a.in.key)) want(a.in.key, a.in.name);
      } else if (a.kind === 'case') want(a.header.key, a.header.name, { miscased: true });
      else if (a.kind === 'single') want(a.header.key, a.header.name, { copies: 2 });
      else if (a.kind === 'remove' || a.kind === 'replace' || a.kind === 'to-uri') want(a.header.key, a.header.name);
      const t = templateOf(a);
      for (const name of t === undefined ? [] : headersRead(t)) want(headerKey(name), name);
    }
  }
  return [...wanted]
    .filter(([key]) => !without.has(key))
    .flatMap(([key, w]) => Array.from({ length: w.copies }, (_, i) => `${w.miscased ? miscase(w.name) : w.name}: ${valueFor(key, i + 1)}`));
}

/** SIPp's -key value for those lines: each ends in CRLF, so an empty set leaves no blank line. */
export function hdrsKey(lines: readonly string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

/** The rules file with each peer moved onto its loopback address and UAS port. */
export function onLoopback(spec: RulesFileSpec, addresses: ReadonlyMap<string, string>, uasPort: number): RulesFileSpec {
  const peers = Object.fromEntries(
    Object.entries(spec.peers).map(([name, p]) => {
      const address = addresses.get(name) as string;
      return [name, { ...p, sources: [address], target: `sip:${address}:${uasPort};transport=udp` }];
    }),
  );
  return { ...spec, peers };
}
