/**
 * Compiles a validated rules file once per load: peers parsed, regexes built and vetted, header
 * names keyed, and rules pre-sorted by (from, to) so that a message only looks at the rules that
 * can apply to its direction. Every problem found is reported with its JSON path.
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { headerKey } from '../sip/header-name.js';
import { encodeUriHeaderText } from '../sip/uri-headers.js';
import { jsonPath, type Result, type RuleError } from './errors.js';
import { compilePeers } from './peers.js';
import { compilePlans } from './plan.js';
import { compileRegex } from './regex.js';
import { parseTemplate, type Template } from './template.js';
import {
  directionKey,
  type Action,
  type ActionSpec,
  type CompiledRules,
  type HeaderRef,
  type Peer,
  type Rule,
  type RuleSpec,
  type RulesFileSpec,
  type Scope,
  type ScopeSpec,
} from './types.js';

type Path = readonly (string | number)[];

function ref(name: string): HeaderRef {
  return { key: headerKey(name), name, escaped: encodeUriHeaderText(name, 'latin1') };
}

function asList(v: string | readonly string[] | undefined): readonly string[] | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? [v] : v;
}

function compileStatus(status: readonly string[] | undefined): Scope['status'] {
  if (status === undefined) return undefined;
  const codes = new Set<number>();
  const classes = new Set<number>();
  for (const s of status) {
    if (s.endsWith('xx')) classes.add(Number(s[0]));
    else codes.add(Number(s));
  }
  return { codes, classes };
}

function compileScope(spec: ScopeSpec, at: Path, peers: ReadonlyMap<string, Peer>, errors: RuleError[]): Scope {
  for (const side of ['from', 'to'] as const) {
    asList(spec[side])?.forEach((name, i) => {
      if (!peers.has(name)) {
        const path = typeof spec[side] === 'string' ? [...at, side] : [...at, side, i];
        errors.push({ path: jsonPath(path), message: `"${name}" is not a configured peer` });
      }
    });
  }
  if (spec.status !== undefined && spec.message === 'request') {
    errors.push({ path: jsonPath([...at, 'status']), message: 'a status only matches responses, but message is "request"' });
  }
  let matches: RegExp | undefined;
  if (spec.header?.matches !== undefined) {
    const r = compileRegex(spec.header.matches, spec.header.flags);
    if (r.ok) matches = r.regex;
    else errors.push({ path: jsonPath([...at, 'header', 'matches']), message: r.message });
  }
  return {
    methods: spec.methods && new Set(spec.methods.map((m) => m.toUpperCase())),
    message: spec.status !== undefined ? 'response' : spec.message,
    status: compileStatus(spec.status),
    header: spec.header && { key: headerKey(spec.header.name), matches },
    absent: spec.absent?.map(headerKey),
  };
}

/** A call remembers at most this many names: with each value bounded, a call's memory is too. */
export const MAX_MEMORY_NAMES = 16;

function compileTemplate(text: string, at: Path, errors: RuleError[]): Template | undefined {
  const t = parseTemplate(text);
  if (t.ok) return t.template;
  errors.push({ path: jsonPath(at), message: t.message });
  return undefined;
}

function compileRemember(spec: Extract<ActionSpec, { action: 'remember' }>, at: Path, errors: RuleError[]): Action | undefined {
  const value = compileTemplate(spec.value, [...at, 'value'], errors);
  let match: RegExp | undefined;
  if (spec.match !== undefined) {
    const r = compileRegex(spec.match, spec.flags);
    if (r.ok) match = r.regex;
    else errors.push({ path: jsonPath([...at, 'match']), message: r.message });
  }
  return value && { kind: 'remember', name: spec.name, value, match };
}

function compileNumber(spec: Extract<ActionSpec, { action: 'number' }>, at: Path, errors: RuleError[]): Action | undefined {
  if (spec.region !== undefined && !isSupportedCountry(spec.region)) {
    errors.push({ path: jsonPath([...at, 'region']), message: `"${spec.region}" is no region phone numbers are known for (ISO 3166 code, e.g. "US", "GB")` });
    return undefined;
  }
  return {
    kind: 'number',
    in: spec.header === 'Request-URI' ? 'request-uri' : ref(spec.header),
    format: spec.format ?? 'e164',
    region: spec.region as CountryCode | undefined,
  };
}

/** `allow`'s names: exact, or a prefix ending in `*`; names the dialog needs anyway are kept whether listed or not. */
function compileAllow(spec: Extract<ActionSpec, { action: 'allow' }>): Action {
  const keys = new Set<string>();
  const prefixes: string[] = [];
  for (const name of spec.headers) {
    if (name.endsWith('*')) prefixes.push(name.slice(0, -1).toLowerCase());
    else keys.add(headerKey(name));
  }
  return { kind: 'allow', allowed: { keys, prefixes } };
}

function compileAction(spec: ActionSpec, at: Path, errors: RuleError[]): Action | undefined {
  if (spec.action === 'remember') return compileRemember(spec, at, errors);
  if (spec.action === 'number') return compileNumber(spec, at, errors);
  if (spec.action === 'allow') return compileAllow(spec);
  const header = ref(spec.header);
  switch (spec.action) {
    case 'case':
    case 'remove':
      return { kind: spec.action, header };
    case 'set':
    case 'add': {
      const value = compileTemplate(spec.value, [...at, 'value'], errors);
      return value && { kind: spec.action, header, value };
    }
    case 'embed': {
      const value = compileTemplate(spec.value, [...at, 'value'], errors);
      const uri = ref(spec.uri ?? 'Refer-To');
      if (uri.key === header.key) {
        errors.push({ path: jsonPath([...at, 'header']), message: `cannot embed ${uri.name} in itself` });
        return undefined;
      }
      // embed %-encodes what it writes: a slot already through |uri would leave as %25-escapes.
      const twice = value?.pieces.find((p) => p.kind === 'slot' && p.encoders.at(-1) === 'uri');
      if (twice?.kind === 'slot') {
        errors.push({ path: jsonPath([...at, 'value']), message: `embed %-encodes the value itself: ${twice.written} would be encoded twice (drop |uri)` });
        return undefined;
      }
      return value && { kind: 'embed', header, uri, value };
    }
    case 'replace': {
      const r = compileRegex(spec.match, spec.flags);
      if (!r.ok) {
        errors.push({ path: jsonPath([...at, 'match']), message: r.message });
        return undefined;
      }
      return { kind: 'replace', header, match: r.regex, with: spec.with };
    }
    case 'to-uri':
    case 'from-uri': {
      const uri = ref(spec.uri ?? 'Refer-To');
      if (uri.key === header.key) {
        errors.push({ path: jsonPath([...at, 'header']), message: `cannot embed ${uri.name} in itself` });
        return undefined;
      }
      return spec.action === 'to-uri' ? { kind: 'to-uri', header, uri, prefer: spec.prefer ?? 'uri' } : { kind: 'from-uri', header, uri };
    }
    case 'single':
      return { kind: 'single', header, keep: spec.keep ?? 'first' };
  }
}

function compileRule(spec: RuleSpec, index: number, peers: ReadonlyMap<string, Peer>, errors: RuleError[]): Rule {
  const at: Path = ['rules', index];
  const scope = compileScope(spec.when ?? {}, [...at, 'when'], peers, errors);
  const actions = spec.actions.flatMap((a, i) => compileAction(a, [...at, 'actions', i], errors) ?? []);
  return { name: spec.name, scope, actions };
}

function appliesBetween(spec: RuleSpec, from: string, to: string): boolean {
  const f = asList(spec.when?.from);
  const t = asList(spec.when?.to);
  return (f === undefined || f.includes(from)) && (t === undefined || t.includes(to));
}

function duplicateNames(rules: readonly RuleSpec[]): RuleError[] {
  const seen = new Set<string>();
  return rules.flatMap((r, i) => {
    if (!seen.has(r.name)) {
      seen.add(r.name);
      return [];
    }
    return [{ path: jsonPath(['rules', i, 'name']), message: `rule name "${r.name}" is used twice` }];
  });
}

/** Header names to emit verbatim: what case/set/add/to-uri/from-uri actions write (embed writes into a URI). */
function emittedNames(rules: readonly Rule[]): string[] {
  const names = new Set<string>();
  for (const rule of rules) {
    for (const a of rule.actions)
      if (a.kind === 'case' || a.kind === 'set' || a.kind === 'add' || a.kind === 'to-uri' || a.kind === 'from-uri') names.add(a.header.name);
  }
  return [...names].sort();
}

/**
 * The names `remember` actions write, and an error wherever a template reads a name no rule
 * writes (a typo would otherwise leave every such action skipped, silently) or the file
 * remembers more names than a call may hold.
 */
function checkMemory(spec: RulesFileSpec, errors: RuleError[]): string[] {
  const written = new Set<string>();
  spec.rules.forEach((r) => r.actions.forEach((a) => a.action === 'remember' && written.add(a.name)));
  if (written.size > MAX_MEMORY_NAMES) {
    errors.push({ path: jsonPath(['rules']), message: `${written.size} names are remembered; a call holds at most ${MAX_MEMORY_NAMES}` });
  }
  spec.rules.forEach((r, i) =>
    r.actions.forEach((a, j) => {
      if (!('value' in a)) return;
      const t = parseTemplate(a.value);
      for (const name of t.ok ? t.template.memory : []) {
        if (!written.has(name)) errors.push({ path: jsonPath(['rules', i, 'actions', j, 'value']), message: `no rule remembers "${name}" (memory.${name})` });
      }
    }),
  );
  return [...written].sort();
}

export function compileRules(spec: RulesFileSpec): Result<CompiledRules> {
  const { peers, errors } = compilePeers(spec.peers);
  errors.push(...duplicateNames(spec.rules));
  const enabled = spec.rules.map((r, i) => ({ r, i })).filter(({ r }) => r.enabled !== false);
  const compiled = enabled.map(({ r, i }) => ({ spec: r, rule: compileRule(r, i, peers, errors) }));
  const memoryNames = checkMemory(spec, errors);
  if (errors.length > 0) return { ok: false, errors };

  const byDirection = new Map<string, Rule[]>();
  for (const from of peers.keys()) {
    for (const to of peers.keys()) {
      byDirection.set(
        directionKey(from, to),
        compiled.filter((c) => appliesBetween(c.spec, from, to)).map((c) => c.rule),
      );
    }
  }
  const rules = compiled.map((c) => c.rule);
  return {
    ok: true,
    value: { peers, byDirection, plans: compilePlans(peers, byDirection), emittedNames: emittedNames(rules), ruleCount: rules.length, memoryNames },
  };
}
