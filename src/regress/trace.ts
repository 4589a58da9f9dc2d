/**
 * SIPp's message trace (-trace_msg): every message it sent and received, in order, each after a
 * dashed line with a time stamp and a line saying which way it went.
 */
export interface Traced {
  readonly sent: boolean;
  readonly text: string;
  /** SIPp's time stamp (`2026-12-02 04:12:34.982339`): sorts as text. */
  readonly at: string;
}

export function readTrace(log: string): Traced[] {
  const out: Traced[] = [];
  // split() with a capture group keeps each separator's time stamp just before its chunk.
  const parts = `\n${log}`.split(/\r?\n-{20,} ([^\n]*)\n/);
  for (let i = 2; i < parts.length; i += 2) {
    const m = /^(?:UDP|TCP|TLS|SCTP) message (sent|received)[^\n]*\n\r?\n([\s\S]*)$/.exec((parts[i] as string).replace(/^\s+/, ''));
    if (m === null) continue;
    // SIPp ends each message with blank lines of its own: what stays is the message, CRLF kept.
    out.push({ sent: m[1] === 'sent', text: (m[2] as string).replace(/(\r\n\r\n)[\r\n]*$/, '$1'), at: (parts[i - 1] as string).trim() });
  }
  return out;
}

export const sentOf = (t: readonly Traced[]) => t.filter((e) => e.sent).map((e) => e.text);
export const receivedOf = (t: readonly Traced[]) => t.filter((e) => !e.sent).map((e) => e.text);
