import { describe, expect, it } from 'vitest';
import { readCapture } from './capture-file.js';
import { segmentOf } from './packet.js';
import { sipMessagesOf } from './sip-messages.js';

const ip4 = (a: string) => Buffer.from(a.split('.').map(Number));

/** IPv4 + UDP or TCP around a payload. */
function ipPacket(proto: 'udp' | 'tcp', src: string, dst: string, payload: Buffer, seq = 0): Buffer {
  const l4 = proto === 'udp' ? Buffer.alloc(8) : Buffer.alloc(20);
  l4.writeUInt16BE(5070, 0);
  l4.writeUInt16BE(5060, 2);
  if (proto === 'udp') l4.writeUInt16BE(8 + payload.length, 4);
  else {
    l4.writeUInt32BE(seq, 4);
    l4[12] = 5 << 4;
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + l4.length + payload.length, 2);
  ip[9] = proto === 'udp' ? 17 : 6;
  ip4(src).copy(ip, 12);
  ip4(dst).copy(ip, 16);
  return Buffer.concat([ip, l4, payload]);
}

const ethernet = (ip: Buffer) => Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]), ip]);

function pcap(frames: Buffer[], linkType = 1, le = true): Buffer {
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v);
    else b.writeUInt32BE(v);
    return b;
  };
  const head = Buffer.concat([u32(0xa1b2c3d4), Buffer.from(le ? [2, 0, 4, 0] : [0, 2, 0, 4]), u32(0), u32(0), u32(65535), u32(linkType)]);
  return Buffer.concat([head, ...frames.flatMap((f) => [u32(0), u32(0), u32(f.length), u32(f.length), f])]);
}

function pcapng(frames: Buffer[], linkType = 1): Buffer {
  const block = (type: number, body: Buffer) => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(12 + padded.length);
    const t = Buffer.alloc(4);
    t.writeUInt32LE(type);
    return Buffer.concat([t, len, padded, len]);
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(linkType, 0);
  const epb = (f: Buffer) => {
    const h = Buffer.alloc(20);
    h.writeUInt32LE(f.length, 12);
    h.writeUInt32LE(f.length, 16);
    return block(6, Buffer.concat([h, f]));
  };
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), ...frames.map(epb)]);
}

const invite = Buffer.from('INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 4\r\n\r\nv=0\n');
const ok = Buffer.from('SIP/2.0 200 OK\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n');

describe('capture files', () => {
  it.each([
    ['pcap, little-endian', pcap([ethernet(ipPacket('udp', '10.0.0.1', '10.0.0.2', invite))])],
    ['pcap, big-endian', pcap([ethernet(ipPacket('udp', '10.0.0.1', '10.0.0.2', invite))], 1, false)],
    ['pcapng', pcapng([ethernet(ipPacket('udp', '10.0.0.1', '10.0.0.2', invite))])],
  ])('%s: the frame and its link type', (_what, file) => {
    const r = readCapture(file);
    expect(r.ok && r.frames.map((f) => [f.linkType, f.data.length])).toEqual([[1, 14 + 28 + invite.length]]);
  });

  it('keeps the whole records of a file cut short, and says it was cut', () => {
    const file = pcap([ethernet(ipPacket('udp', '10.0.0.1', '10.0.0.2', invite)), ethernet(ipPacket('udp', '10.0.0.2', '10.0.0.1', ok))]);
    const r = readCapture(file.subarray(0, file.length - 10));
    expect(r).toMatchObject({ ok: true, truncated: true });
    expect(r.ok && r.frames).toHaveLength(1);
  });

  it('says what is no capture file', () => {
    expect(readCapture(Buffer.from('INVITE sip:a@b SIP/2.0\r\n'))).toEqual({
      ok: false,
      error: 'not a capture file: neither pcap nor pcapng (unknown magic number)',
    });
  });
});

describe('frames down to UDP and TCP', () => {
  const udp = ipPacket('udp', '10.0.0.1', '10.0.0.2', invite);
  it.each([
    ['Ethernet', 1, ethernet(udp)],
    ['Ethernet with a VLAN tag', 1, Buffer.concat([Buffer.alloc(12), Buffer.from([0x81, 0x00, 0, 5, 0x08, 0x00]), udp])],
    ['Linux cooked v1', 113, Buffer.concat([Buffer.alloc(14), Buffer.from([0x08, 0x00]), udp])],
    ['Linux cooked v2', 276, Buffer.concat([Buffer.from([0x08, 0x00]), Buffer.alloc(18), udp])],
    ['BSD loopback', 0, Buffer.concat([Buffer.from([2, 0, 0, 0]), udp])],
    ['raw IP', 101, udp],
  ])('%s', (_what, linkType, frame) => {
    expect(segmentOf(linkType, frame)).toMatchObject({ transport: 'udp', src: '10.0.0.1', srcPort: 5070, dst: '10.0.0.2', dstPort: 5060, payload: invite });
  });

  it('IPv6', () => {
    const l4 = Buffer.alloc(8);
    l4.writeUInt16BE(5070, 0);
    l4.writeUInt16BE(5060, 2);
    l4.writeUInt16BE(8 + ok.length, 4);
    const ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(8 + ok.length, 4);
    ip[6] = 17;
    ip[23] = 1;
    ip[39] = 2;
    expect(segmentOf(101, Buffer.concat([ip, l4, ok]))).toMatchObject({ src: '::1', dst: '::2', payload: ok });
  });

  it('gives nothing for what is not UDP or TCP, or an IP fragment', () => {
    const icmp = ipPacket('udp', '10.0.0.1', '10.0.0.2', invite);
    icmp[9] = 1;
    const fragment = ipPacket('udp', '10.0.0.1', '10.0.0.2', invite);
    fragment.writeUInt16BE(0x2000, 6);
    expect([segmentOf(101, icmp), segmentOf(101, fragment), segmentOf(1, Buffer.alloc(10)), segmentOf(999, invite)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('SIP messages out of a capture', () => {
  const messagesOf = (file: Buffer) => {
    const r = sipMessagesOf(file);
    if (!r.ok) throw new Error(r.error);
    return r.value.messages.map((m) => [m.transport, m.src, m.bytes.toString('latin1')]);
  };

  it('UDP: a datagram is a message; keep-alives and what is no SIP are skipped', () => {
    const frames = [invite, Buffer.from('\r\n\r\n'), Buffer.from('hello'), ok].map((p) => ethernet(ipPacket('udp', '10.0.0.1', '10.0.0.2', p)));
    expect(messagesOf(pcap(frames))).toEqual([
      ['udp', '10.0.0.1', invite.toString('latin1')],
      ['udp', '10.0.0.1', ok.toString('latin1')],
    ]);
  });

  it('TCP: a message split over segments, two in one segment, a retransmission, CRLF keep-alives', () => {
    const stream = Buffer.concat([invite, Buffer.from('\r\n\r\n'), ok]);
    const cut = 30;
    const segs = [
      [stream.subarray(0, cut), 1000],
      [stream.subarray(0, cut), 1000], // retransmitted
      [stream.subarray(cut), 1000 + cut],
    ] as const;
    const frames = segs.map(([p, seq]) => ethernet(ipPacket('tcp', '10.0.0.1', '10.0.0.2', p, seq)));
    expect(messagesOf(pcapng(frames)).map((m) => m[2])).toEqual([invite.toString('latin1'), ok.toString('latin1')]);
  });
});
