/**
 * Who a request comes from. Directly: its source address. Through a trusted SIP proxy (a balancer
 * such as Kamailio's dispatcher in front of several sipcase instances): every request then arrives
 * from the proxy's address, and the address it came from is on the Via below the proxy's own, where
 * the proxy recorded it (RFC 3261 §18.2.1). Only configured proxies are believed: a Via from anyone
 * else is the sender's own claim and is ignored. A chain of trusted proxies is walked down.
 */
import type { Cidr, Peer } from './types.js';
import { addressIn, peerForAddress } from './peers.js';
import { viaAddress, viaValues } from '../sip/via.js';

export type Origin =
  /** The address the request came from (through `via`, a trusted proxy, when given). */
  | { readonly kind: 'address'; readonly address: string; readonly via?: string }
  /** A trusted proxy's own request, such as its OPTIONS health probe: no Via below the proxy's. */
  | { readonly kind: 'proxy'; readonly proxy: string }
  /** Through a trusted proxy, but the Via below names no address (a domain without received=). */
  | { readonly kind: 'unknown'; readonly via: string };

export function originOf(req: { readonly source_address: string; readonly raw: string }, proxies: readonly Cidr[]): Origin {
  if (proxies.length === 0 || !addressIn(proxies, req.source_address)) return { kind: 'address', address: req.source_address };
  const vias = viaValues(req.raw);
  let hop = req.source_address;
  for (let below = 1; ; below++) {
    const via = vias[below];
    if (via === undefined) return { kind: 'proxy', proxy: hop };
    const address = viaAddress(via);
    if (address === undefined) return { kind: 'unknown', via: hop };
    if (!addressIn(proxies, address)) return { kind: 'address', address, via: hop };
    hop = address;
  }
}

/** The origin's address for matching against peers; undefined when there is none to match. */
export function originAddress(origin: Origin): string | undefined {
  return origin.kind === 'address' ? origin.address : undefined;
}

/** Who a new call is between: the peer that calls, and the peer its calls are relayed to. */
export interface Parties {
  readonly caller: Peer;
  readonly callee: Peer;
}

/** The parties of a call from this origin, when it is a configured peer's. */
export function partiesOf(origin: Origin, peers: ReadonlyMap<string, Peer>): Parties | undefined {
  const address = originAddress(origin);
  const caller = address === undefined ? undefined : peerForAddress(peers, address);
  const callee = caller && peers.get(caller.relayTo);
  return caller && callee && { caller, callee };
}
