/**
 * Capture files as tcpdump, dumpcap, sngrep and Wireshark write them: classic pcap (either byte
 * order, micro- or nanosecond stamps) and pcapng (sections, interfaces, enhanced and simple packet
 * blocks). Out come the captured frames in file order, each with its link type. A file that is
 * neither, or that is cut short, is an error value that says where; a truncated last record is
 * dropped and said so, as capture tools leave when they are killed.
 */

export interface Frame {
  /** LINKTYPE_* of the interface the frame was captured on (1 Ethernet, 113/276 Linux cooked, ...). */
  readonly linkType: number;
  readonly data: Buffer;
}

export type CaptureResult = { readonly ok: true; readonly frames: Frame[]; readonly truncated: boolean } | { readonly ok: false; readonly error: string };

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xa1b23c4d]);
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

export function readCapture(buf: Buffer): CaptureResult {
  if (buf.length < 4) return { ok: false, error: 'not a capture file: shorter than any header' };
  if (buf.readUInt32LE(0) === PCAPNG_SHB) return readPcapng(buf);
  if (PCAP_MAGICS.has(buf.readUInt32LE(0)) || PCAP_MAGICS.has(buf.readUInt32BE(0))) return readPcap(buf);
  return { ok: false, error: 'not a capture file: neither pcap nor pcapng (unknown magic number)' };
}

function readPcap(buf: Buffer): CaptureResult {
  const le = PCAP_MAGICS.has(buf.readUInt32LE(0));
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  if (buf.length < 24) return { ok: false, error: 'pcap: global header cut short' };
  const linkType = u32(20) & 0x0fffffff;
  const frames: Frame[] = [];
  let at = 24;
  while (at + 16 <= buf.length) {
    const length = u32(at + 8);
    if (at + 16 + length > buf.length) return { ok: true, frames, truncated: true };
    frames.push({ linkType, data: buf.subarray(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return { ok: true, frames, truncated: at !== buf.length };
}

function readPcapng(buf: Buffer): CaptureResult {
  const frames: Frame[] = [];
  let le = true;
  let interfaces: number[] = [];
  let at = 0;
  while (at + 12 <= buf.length) {
    const type = buf.readUInt32LE(at);
    if (type === PCAPNG_SHB) {
      // Each section says its byte order; interfaces are numbered anew in each section.
      const order = buf.readUInt32LE(at + 8);
      if (order !== PCAPNG_BYTE_ORDER && buf.readUInt32BE(at + 8) !== PCAPNG_BYTE_ORDER)
        return { ok: false, error: `pcapng: bad byte-order magic at offset ${at}` };
      le = order === PCAPNG_BYTE_ORDER;
      interfaces = [];
    }
    const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
    const u16 = (off: number) => (le ? buf.readUInt16LE(off) : buf.readUInt16BE(off));
    const length = u32(at + 4);
    if (length < 12 || length % 4 !== 0) return { ok: false, error: `pcapng: bad block length ${length} at offset ${at}` };
    if (at + length > buf.length) return { ok: true, frames, truncated: true };
    const body = at + 8;
    const blockType = u32(at);
    if (blockType === 1) interfaces.push(u16(body));
    else if (blockType === 6) {
      const linkType = interfaces[u32(body)];
      const captured = u32(body + 12);
      if (linkType === undefined) return { ok: false, error: `pcapng: packet on an undeclared interface at offset ${at}` };
      if (body + 20 + captured > at + length) return { ok: false, error: `pcapng: packet longer than its block at offset ${at}` };
      frames.push({ linkType, data: buf.subarray(body + 20, body + 20 + captured) });
    } else if (blockType === 3) {
      const linkType = interfaces[0];
      if (linkType === undefined) return { ok: false, error: `pcapng: packet before any interface at offset ${at}` };
      frames.push({ linkType, data: buf.subarray(body + 4, at + length - 4) });
    }
    at += length;
  }
  return { ok: true, frames, truncated: at !== buf.length };
}
