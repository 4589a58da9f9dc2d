/**
 * One captured frame down to its transport payload: the link layers capture tools write (Ethernet
 * with VLAN tags, Linux cooked v1 and v2, BSD loopback, raw IP), then IPv4 or IPv6, then UDP or TCP.
 * Anything else (ARP, ICMP, IP fragments, IPv6 extension headers) is not SIP over UDP or TCP and
 * gives undefined: the replay counts it as skipped.
 */
import ipaddr from 'ipaddr.js';

export interface Segment {
  readonly transport: 'udp' | 'tcp';
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** TCP only: the sequence number of the payload's first byte. */
  readonly seq: number;
  readonly payload: Buffer;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8]);

/** The IP packet inside a frame of the given link type, or undefined. */
function ipOf(linkType: number, f: Buffer): Buffer | undefined {
  switch (linkType) {
    case 0: // BSD loopback: a 4-byte address family in the capturing host's order; IP says which.
    case 108:
      return f.subarray(4);
    case 1: {
      let at = 12;
      while (at + 2 <= f.length && VLAN_TAGS.has(f.readUInt16BE(at))) at += 4;
      return at + 2 <= f.length && [ETHERTYPE_IPV4, ETHERTYPE_IPV6].includes(f.readUInt16BE(at)) ? f.subarray(at + 2) : undefined;
    }
    case 101:
    case 228:
    case 229:
      return f;
    case 113:
      return f.length >= 16 && [ETHERTYPE_IPV4, ETHERTYPE_IPV6].includes(f.readUInt16BE(14)) ? f.subarray(16) : undefined;
    case 276:
      return f.length >= 20 && [ETHERTYPE_IPV4, ETHERTYPE_IPV6].includes(f.readUInt16BE(0)) ? f.subarray(20) : undefined;
    default:
      return undefined;
  }
}

interface IpPayload {
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  readonly data: Buffer;
}

function ipPayload(ip: Buffer): IpPayload | undefined {
  if (ip.length < 1) return undefined;
  const version = (ip[0] as number) >> 4;
  if (version === 4 && ip.length >= 20) {
    const headerLength = ((ip[0] as number) & 0x0f) * 4;
    const total = ip.readUInt16BE(2);
    const fragment = ip.readUInt16BE(6);
    // More fragments, or not the first: a SIP message split by IP is not replayed.
    if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0 || headerLength < 20 || total > ip.length) return undefined;
    const address = (at: number) => [...ip.subarray(at, at + 4)].join('.');
    return { protocol: ip[9] as number, src: address(12), dst: address(16), data: ip.subarray(headerLength, total) };
  }
  if (version === 6 && ip.length >= 40) {
    const length = ip.readUInt16BE(4);
    if (40 + length > ip.length) return undefined;
    const address = (at: number) => ipaddr.fromByteArray([...ip.subarray(at, at + 16)]).toString();
    return { protocol: ip[6] as number, src: address(8), dst: address(24), data: ip.subarray(40, 40 + length) };
  }
  return undefined;
}

export function segmentOf(linkType: number, frame: Buffer): Segment | undefined {
  const ip = ipOf(linkType, frame);
  const p = ip && ipPayload(ip);
  if (p === undefined) return undefined;
  const d = p.data;
  if (p.protocol === 17 && d.length >= 8) {
    const length = Math.min(d.readUInt16BE(4), d.length);
    return { transport: 'udp', src: p.src, srcPort: d.readUInt16BE(0), dst: p.dst, dstPort: d.readUInt16BE(2), seq: 0, payload: d.subarray(8, length) };
  }
  if (p.protocol === 6 && d.length >= 20) {
    const offset = ((d[12] as number) >> 4) * 4;
    if (offset < 20 || offset > d.length) return undefined;
    return {
      transport: 'tcp',
      src: p.src,
      srcPort: d.readUInt16BE(0),
      dst: p.dst,
      dstPort: d.readUInt16BE(2),
      seq: d.readUInt32BE(4),
      payload: d.subarray(offset),
    };
  }
  return undefined;
}
