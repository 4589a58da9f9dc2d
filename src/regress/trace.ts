/**
 * SIPp's message trace (-trace_msg): every message it sent and received, in order, each after a
 * dashed line with a time stamp and a line saying which way it went.
 */
export interface Traced {
  readonly sent: boolean;
  readonly text: string;
}

export function readTrace(log: string): Traced[] {
  const out: Traced[] = [];
  for (const chunk of `\n${log}`.split(/\r?\n-{20,} [^\n]*\n/)) {
    const m = /^(?:UDP|TCP|TLS|SCTP) message (sent|received)[^\n]*\n\r?\n([\s\S]*)$/.exec(chunk.replace(/^\s+/, ''));
    if (m === null) continue;
    // SIPp ends each message with blank lines of its own: what stays is the message, CRLF kept.
    out.push({ sent: m[1] === 'sent', text: (m[2] as string).replace(/(\r\n\r\n)[\r\n]*$/, '$1') });
  }
  return out;
}

export const sentOf = (t: readonly Traced[]) => t.filter((e) => e.sent).map((e) => e.text);
export const receivedOf = (t: readonly Traced[]) => t.filter((e) => !e.sent).map((e) => e.text);
