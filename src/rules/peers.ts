/**
 * Peers: who may send to sipcase (source CIDRs) and where their calls go (a SIP URI).
 * Source matching is what keeps sipcase from ever being an open relay.
 */
import ipaddr from 'ipaddr.js';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { jsonPath, type RuleError } from './errors.js';
import type { Cidr, Peer, PeerSpec, PeerTarget, Transport } from './types.js';

/** An IP address or CIDR range as a range; undefined when it is neither. */
export function parseSource(text: string): Cidr | undefined {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const addr = ipaddr.parse(text);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

const TARGET = /^(sips?):(?:[^@;?]+@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?((?:;[^;?]*)*)$/;

export function parseTarget(uri: string): PeerTarget | string {
  const m = TARGET.exec(uri);
  if (!m) return 'must be a SIP URI with a host, e.g. "sip:carrier.example.com:5060;transport=udp"';
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return `port ${port} is out of range`;
  const transportParam = /;transport=([^;]*)/i.exec(m[4] ?? '')?.[1]?.toLowerCase();
  if (transportParam !== undefined && !['udp', 'tcp', 'tls'].includes(transportParam)) {
    return `transport "${transportParam}" is not one of udp, tcp, tls`;
  }
  return {
    uri,
    scheme: m[1] as 'sip' | 'sips',
    host: m[2] as string,
    port,
    transport: transportParam as Transport | undefined,
    params: m[4] ?? '',
  };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  if (a[0].kind() !== b[0].kind()) return false;
  return a[1] <= b[1] ? b[0].match(a) : a[0].match(b);
}

export function compilePeers(specs: Readonly<Record<string, PeerSpec>>): { peers: Map<string, Peer>; errors: RuleError[] } {
  const errors: RuleError[] = [];
  const peers = new Map<string, Peer>();
  const names = Object.keys(specs);
  for (const [name, spec] of Object.entries(specs)) {
    const at = (...rest: (string | number)[]): string => jsonPath(['peers', name, ...rest]);
    const sources: Cidr[] = [];
    spec.sources.forEach((s, i) => {
      const cidr = parseSource(s);
      if (cidr === undefined) errors.push({ path: at('sources', i), message: `"${s}" is not an IP address or CIDR range` });
      else sources.push(cidr);
    });
    const target = parseTarget(spec.target);
    if (typeof target === 'string') errors.push({ path: at('target'), message: target });
    const relayTo = spec.relayTo ?? (names.length === 2 ? names.find((n) => n !== name) : undefined);
    if (relayTo === undefined) {
      errors.push({ path: at(), message: 'relayTo is required when there are not exactly two peers' });
    } else if (!Object.hasOwn(specs, relayTo) || relayTo === name) {
      errors.push({ path: at('relayTo'), message: `"${relayTo}" is not another configured peer` });
    }
    const region = spec.region === undefined || isSupportedCountry(spec.region) ? (spec.region as CountryCode | undefined) : undefined;
    if (spec.region !== undefined && region === undefined)
      errors.push({ path: at('region'), message: `"${spec.region}" is no region phone numbers are known for (ISO 3166 code, e.g. "US", "GB")` });
    if (typeof target !== 'string' && relayTo !== undefined) peers.set(name, { name, sources, target, relayTo, region, platform: spec.platform });
  }
  errors.push(...overlapErrors(specs));
  return { peers, errors };
}

/** Two peers sharing a source address would make "who sent this" a guess. */
function overlapErrors(specs: Readonly<Record<string, PeerSpec>>): RuleError[] {
  const all = Object.entries(specs).flatMap(([name, spec]) => spec.sources.map((s, i) => ({ name, i, cidr: parseSource(s) })));
  const errors: RuleError[] = [];
  all.forEach((a, ai) => {
    for (const b of all.slice(ai + 1)) {
      if (a.name !== b.name && a.cidr && b.cidr && overlaps(a.cidr, b.cidr)) {
        errors.push({
          path: jsonPath(['peers', b.name, 'sources', b.i]),
          message: `overlaps ${jsonPath(['peers', a.name, 'sources', a.i])}: a source address must name one peer`,
        });
      }
    }
  });
  return errors;
}

/**
 * Addresses read so far. Every new request and every in-dialog one is matched against the peers by
 * its source address, and a sidecar hears from a handful of addresses: each is parsed once (a
 * profile of the relay put 1.6% of its CPU in ipaddr.js). Bounded, since a scan sends from many;
 * past the bound an address is parsed every time, as before.
 */
const parsed = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();
const MAX_PARSED = 1024;

function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const known = parsed.get(address);
  if (known !== undefined) return known ?? undefined;
  let addr: ipaddr.IPv4 | ipaddr.IPv6 | null;
  try {
    addr = ipaddr.process(address);
  } catch {
    addr = null;
  }
  if (parsed.size < MAX_PARSED) parsed.set(address, addr);
  return addr ?? undefined;
}

function inRanges(ranges: readonly Cidr[], addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return ranges.some((c) => c[0].kind() === addr.kind() && addr.match(c));
}

/** Whether an address is in any of the ranges. */
export function addressIn(ranges: readonly Cidr[], address: string): boolean {
  const addr = parseAddress(address);
  return addr !== undefined && inRanges(ranges, addr);
}

/** The peer a source address belongs to, if any. */
export function peerForAddress(peers: ReadonlyMap<string, Peer>, address: string): Peer | undefined {
  const addr = parseAddress(address);
  if (addr === undefined) return undefined;
  for (const peer of peers.values()) {
    if (inRanges(peer.sources, addr)) return peer;
  }
  return undefined;
}

/** Whether a source address is one of this peer's. */
export function peerHasAddress(peer: Peer, address: string): boolean {
  return addressIn(peer.sources, address);
}
