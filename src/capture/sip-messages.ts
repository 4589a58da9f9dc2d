/**
 * SIP messages out of a capture's segments. Over UDP each datagram is one message (RFC 3261
 * §18.3). Over TCP a flow is a byte stream: segments are put in sequence order (retransmitted
 * bytes dropped), and messages are cut from it by the blank line and Content-Length (§18.3 again:
 * mandatory on stream transports). Keep-alives (CRLF) and what is not SIP are skipped.
 */
import { readCapture } from './capture-file.js';
import { segmentOf, type Segment } from './packet.js';

export interface CapturedMessage {
  /** Where it comes in the capture: the frame that completed it. */
  readonly frame: number;
  readonly transport: 'udp' | 'tcp';
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly bytes: Buffer;
}

export interface CaptureMessages {
  readonly messages: CapturedMessage[];
  readonly frames: number;
  /** Frames that carry no UDP or TCP payload this reads (ARP, ICMP, fragments, empty ACKs...). */
  readonly skipped: number;
  readonly truncated: boolean;
}

const START = /^(?:[A-Za-z]+ \S+ SIP\/2\.0|SIP\/2\.0 \d{3})/;
const isSip = (b: Buffer) => START.test(b.subarray(0, 64).toString('latin1'));

/** Bytes of the first whole message at the start of `b`, or undefined while it is incomplete. */
function messageLength(b: Buffer): number | undefined {
  const end = b.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = b.subarray(0, end).toString('latin1');
  const length = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head)?.[1];
  const total = end + 4 + Number(length ?? 0);
  return total <= b.length ? total : undefined;
}

class TcpFlow {
  private next: number | undefined;
  private buffered = Buffer.alloc(0);

  /** Adds a segment's new bytes; returns the whole messages they complete. */
  push(s: Segment): Buffer[] {
    let payload = s.payload;
    if (this.next !== undefined) {
      const behind = (this.next - s.seq) >>> 0;
      // A retransmission (all bytes seen) or an overlap (trim what was seen); a gap is taken as is.
      if (behind > 0 && behind < 0x80000000) payload = behind >= payload.length ? Buffer.alloc(0) : payload.subarray(behind);
    }
    this.next = (s.seq + s.payload.length) >>> 0;
    this.buffered = Buffer.concat([this.buffered, payload]);
    const out: Buffer[] = [];
    for (;;) {
      while (this.buffered.subarray(0, 2).toString('latin1') === '\r\n') this.buffered = this.buffered.subarray(2);
      const length = messageLength(this.buffered);
      if (length === undefined) return out;
      out.push(this.buffered.subarray(0, length));
      this.buffered = this.buffered.subarray(length);
    }
  }
}

export function sipMessagesOf(capture: Buffer): { ok: true; value: CaptureMessages } | { ok: false; error: string } {
  const file = readCapture(capture);
  if (!file.ok) return file;
  const messages: CapturedMessage[] = [];
  const flows = new Map<string, TcpFlow>();
  let skipped = 0;
  file.frames.forEach((f, frame) => {
    const s = segmentOf(f.linkType, f.data);
    if (s === undefined || s.payload.length === 0) {
      skipped++;
      return;
    }
    const at = { frame, transport: s.transport, src: s.src, srcPort: s.srcPort, dst: s.dst, dstPort: s.dstPort };
    if (s.transport === 'udp') {
      if (isSip(s.payload)) messages.push({ ...at, bytes: s.payload });
      return;
    }
    const key = `${s.src}:${s.srcPort}>${s.dst}:${s.dstPort}`;
    let flow = flows.get(key);
    if (flow === undefined) flows.set(key, (flow = new TcpFlow()));
    for (const bytes of flow.push(s)) if (isSip(bytes)) messages.push({ ...at, bytes });
  });
  return { ok: true, value: { messages, frames: file.frames.length, skipped, truncated: file.truncated } };
}
