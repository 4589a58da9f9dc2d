/**
 * Rules as written in the JSON file (`*Spec`, checked by config/rules.schema.json) and as compiled
 * for matching (everything else). Actions are discriminated unions on `action` / `kind`.
 */
import type { IPv4, IPv6 } from 'ipaddr.js';
import type { CountryCode } from 'libphonenumber-js';
import type { Plans } from './plan.js';
import type { Template } from './template.js';

export type PeerListSpec = string | readonly string[];

export interface ScopeSpec {
  readonly from?: PeerListSpec;
  readonly to?: PeerListSpec;
  readonly methods?: readonly string[];
  readonly message?: 'request' | 'response';
  readonly status?: readonly string[];
  readonly header?: { readonly name: string; readonly matches?: string; readonly flags?: string };
  /** Header names of which the message carries no copy: no header line, nothing embedded in a Refer-To or Contact URI. */
  readonly absent?: readonly string[];
}

export type UriHeaderName = 'Refer-To' | 'Contact';

/**
 * Where a `number` action finds the URI whose user part it normalises. To is not among them: the
 * To of a new call's other leg is built from its Request-URI, and in a dialog it belongs to the leg.
 */
export const NUMBER_PLACES = ['Request-URI', 'From', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Diversion', 'Refer-To', 'Referred-By', 'Contact'] as const;
export type NumberPlace = (typeof NUMBER_PLACES)[number];

/** `e164`: +13125550100; `national`: the digits a caller in the number's own country dials (3125550100, 02079460000). */
export type NumberFormat = 'e164' | 'national';

export type ActionSpec =
  | { readonly action: 'case'; readonly header: string }
  | { readonly action: 'remove'; readonly header: string }
  | { readonly action: 'set'; readonly header: string; readonly value: string }
  | { readonly action: 'add'; readonly header: string; readonly value: string }
  | {
      readonly action: 'replace';
      readonly header: string;
      readonly match: string;
      readonly flags?: string;
      readonly with: string;
    }
  | { readonly action: 'to-uri'; readonly header: string; readonly uri?: UriHeaderName; readonly prefer?: 'uri' | 'header' }
  | { readonly action: 'from-uri'; readonly header: string; readonly uri?: UriHeaderName }
  | { readonly action: 'single'; readonly header: string; readonly keep?: 'first' | 'last' }
  | { readonly action: 'embed'; readonly header: string; readonly uri?: UriHeaderName; readonly value: string }
  | { readonly action: 'remember'; readonly name: string; readonly value: string; readonly match?: string; readonly flags?: string }
  | { readonly action: 'number'; readonly header: NumberPlace; readonly format?: NumberFormat; readonly region?: string }
  | { readonly action: 'allow'; readonly headers: readonly string[] };

export interface RuleSpec {
  readonly name: string;
  readonly description?: string;
  readonly enabled?: boolean;
  readonly when?: ScopeSpec;
  readonly actions: readonly ActionSpec[];
}

export interface PeerSpec {
  readonly description?: string;
  readonly sources: readonly string[];
  readonly target: string;
  readonly relayTo?: string;
  /** ISO 3166 region a number from this peer without a country code is read in (`number` actions). */
  readonly region?: string;
  /** What the peer is, when sipcase knows its conventions: `genesys` (Genesys Cloud BYOC). */
  readonly platform?: 'genesys';
}

export interface RulesFileSpec {
  readonly peers: Readonly<Record<string, PeerSpec>>;
  readonly rules: readonly RuleSpec[];
}

/* ---- compiled ---- */

export type Transport = 'udp' | 'tcp' | 'tls';

export interface PeerTarget {
  /** The URI as configured. */
  readonly uri: string;
  readonly scheme: 'sip' | 'sips';
  readonly host: string;
  readonly port: number | undefined;
  readonly transport: Transport | undefined;
  /** Its URI parameters as written, transport among them (`;transport=tls;tgrp=TG-1`), or ''. */
  readonly params: string;
}

export type Cidr = [IPv4 | IPv6, number];

export interface Peer {
  readonly name: string;
  readonly sources: readonly Cidr[];
  readonly target: PeerTarget;
  /** Name of the peer this one's requests are relayed to. */
  readonly relayTo: string;
  readonly region: CountryCode | undefined;
  readonly platform: 'genesys' | undefined;
}

/** A header name as a rule means it: the key to match by, the spelling to emit. */
export interface HeaderRef {
  readonly key: string;
  readonly name: string;
  /** The name escaped for use as an hname in a URI (names are ASCII tokens: any encoding). */
  readonly escaped: string;
}

export type Action =
  | { readonly kind: 'case'; readonly header: HeaderRef }
  | { readonly kind: 'remove'; readonly header: HeaderRef }
  | { readonly kind: 'set'; readonly header: HeaderRef; readonly value: Template }
  | { readonly kind: 'add'; readonly header: HeaderRef; readonly value: Template }
  | { readonly kind: 'replace'; readonly header: HeaderRef; readonly match: RegExp; readonly with: string }
  | { readonly kind: 'to-uri'; readonly header: HeaderRef; readonly uri: HeaderRef; readonly prefer: 'uri' | 'header' }
  | { readonly kind: 'from-uri'; readonly header: HeaderRef; readonly uri: HeaderRef }
  | { readonly kind: 'single'; readonly header: HeaderRef; readonly keep: 'first' | 'last' }
  | { readonly kind: 'embed'; readonly header: HeaderRef; readonly uri: HeaderRef; readonly value: Template }
  | { readonly kind: 'remember'; readonly name: string; readonly value: Template; readonly match: RegExp | undefined }
  /** `in`: the Request-URI, or a header carrying URIs; `region`: the action's own, else the sending peer's is used. */
  | { readonly kind: 'number'; readonly in: 'request-uri' | HeaderRef; readonly format: NumberFormat; readonly region: CountryCode | undefined }
  | { readonly kind: 'allow'; readonly allowed: AllowList };

/** The header lines an `allow` action keeps besides the dialog's own: exact keys, and key prefixes (`X-Trace-*`). */
export interface AllowList {
  readonly keys: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export type ActionKind = Action['kind'];

export interface Scope {
  readonly methods: ReadonlySet<string> | undefined;
  readonly message: 'request' | 'response' | undefined;
  /** Exact codes and classes (as 1..6) a response must be in. */
  readonly status: { readonly codes: ReadonlySet<number>; readonly classes: ReadonlySet<number> } | undefined;
  readonly header: { readonly key: string; readonly matches: RegExp | undefined } | undefined;
  /** Keys of headers the message must carry nowhere (lines or URIs); undefined for no such test. */
  readonly absent: readonly string[] | undefined;
}

export interface Rule {
  readonly name: string;
  readonly scope: Scope;
  readonly actions: readonly Action[];
}

export interface CompiledRules {
  readonly peers: ReadonlyMap<string, Peer>;
  /** Rules that can apply between two peers, in file order, keyed by `directionKey(from, to)`. */
  readonly byDirection: ReadonlyMap<string, readonly Rule[]>;
  /** The same rules as plans by request or response and method (plan.ts), keyed as byDirection. */
  readonly plans: ReadonlyMap<string, Plans>;
  /** Every header name some rule emits, spelled as it must be on the wire. */
  readonly emittedNames: readonly string[];
  readonly ruleCount: number;
  /** Every name a `remember` action writes: a call's memory holds at most these. */
  readonly memoryNames: readonly string[];
}

export function directionKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
