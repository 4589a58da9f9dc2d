/**
 * The start-up proof that drachtio-server emits rule header names exactly as written. sipcase
 * listens on a UDP port of its own, asks drachtio-server to send it an OPTIONS carrying each name,
 * and reads the bytes that arrive. (drachtio-server will not send a request to itself, and the
 * wire is the only witness that counts.) A re-cased name stops start-up with the setting to fix.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { parseMessage, type SipMessage } from '../sip/message.js';
import { headerKey } from '../sip/header-name.js';
import type { HeaderMap } from './engine.js';

export const PROBE_HEADER = 'X-Sipcase-Probe';

export interface Miscased {
  readonly expected: string;
  /** How it arrived; undefined when it did not arrive at all. */
  readonly got: string | undefined;
}

/** Names whose spelling on the wire differs from the expected one. */
export function miscasedNames(expected: readonly string[], message: SipMessage): Miscased[] {
  return expected.flatMap((name) => {
    const found = message.headers.filter((h) => h.key === headerKey(name));
    if (found.length > 0 && found.every((h) => h.name === name)) return [];
    return [{ expected: name, got: found.find((h) => h.name !== name)?.name }];
  });
}

export type ProbeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly miscased: readonly Miscased[]; readonly missing: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** What to tell the operator when the probe fails. */
export function probeAdvice(result: ProbeResult, names: readonly string[]): string {
  if (result.ok) return 'drachtio-server emits every rule header name as written';
  if ('error' in result) return `header-case probe failed: ${result.error}`;
  const wrong = result.miscased.map((m) => `${m.expected} arrived as ${m.got}`).join(', ');
  return `drachtio-server re-cases header names (${wrong}): start drachtio-server with DRACHTIO_PRESERVE_HEADER_NAMES=${names.join(',')}`;
}

function answer200(text: string): string {
  const lines = text.split('\r\n');
  const keep = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name}:`));
  const to = keep('to')[0] ?? 'To: <sip:probe@invalid>';
  return ['SIP/2.0 200 OK', ...keep('via'), ...keep('from'), `${to};tag=probe`, ...keep('call-id'), ...keep('cseq'), 'Content-Length: 0', '', ''].join('\r\n');
}

export type ProbeSender = (uri: string, headers: HeaderMap) => Promise<void>;

/**
 * A UDP port on `host` that waits for the one datagram carrying `token` and answers it 200. Every
 * way it can end (a message, garbage, a socket error, the time limit, close) settles `arrival`
 * once; nothing it starts outlives close(), and no event handler throws: the probe runs at every
 * reload and reconnection of a process carrying live calls.
 */
function probeListener(host: string, token: string, timeoutMs: number) {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let settle: (r: { message: SipMessage } | { error: string }) => void = () => undefined;
  const arrival = new Promise<{ message: SipMessage } | { error: string }>((resolve) => (settle = resolve));
  const timer = setTimeout(() => settle({ error: `no probe arrived within ${timeoutMs} ms (can drachtio-server reach ${host}?)` }), timeoutMs);
  socket.on('error', (e) => settle({ error: `cannot listen on ${host}: ${e.message}` }));
  socket.on('message', (bytes: Buffer, from: RemoteInfo) => {
    const text = bytes.toString('latin1');
    if (!text.includes(token)) return;
    try {
      const message = parseMessage(bytes);
      socket.send(answer200(text), from.port, from.address);
      settle({ message });
    } catch (e) {
      settle({ error: `what arrived is not a SIP message: ${(e as Error).message}` });
    }
  });
  const bound = new Promise<number | undefined>((resolve) => {
    socket.once('listening', () => resolve(socket.address().port));
    void arrival.then(() => resolve(undefined)); // an error before listening: nothing to send to
    socket.bind(0, host);
  });
  return {
    bound,
    arrival,
    /** Ends the wait with an error (the probe could not be sent). */
    fail: (error: string) => settle({ error }),
    close: () => {
      clearTimeout(timer);
      settle({ error: 'probe closed' });
      socket.close();
    },
  };
}

/**
 * Sends the probe through `send` (an out-of-dialog OPTIONS via drachtio-server) and judges what
 * arrives. Names drachtio-server does not carry at all (ones it manages itself) are reported as
 * missing: they cannot be proven either way, so they do not fail the probe.
 */
export async function probeHeaderCase(send: ProbeSender, names: readonly string[], host: string, timeoutMs: number): Promise<ProbeResult> {
  const token = Math.random().toString(36).slice(2);
  const listener = probeListener(host, token, timeoutMs);
  try {
    const port = await listener.bound;
    if (port === undefined) return failed(await listener.arrival);
    const uriHost = host.includes(':') ? `[${host}]` : host;
    const headers: HeaderMap = Object.fromEntries([...names.map((n) => [n, 'probe']), [PROBE_HEADER, token]]);
    // Not awaited alone: drachtio-srf may never call back for a request sent as its connection
    // drops, and the probe must still end by its time limit (the keeper's queue waits on it).
    send(`sip:sipcase-probe@${uriHost}:${port}`, headers).catch((e: unknown) => listener.fail(e instanceof Error ? e.message : String(e)));
    const arrived = await listener.arrival;
    if (!('message' in arrived)) return failed(arrived);
    const bad = miscasedNames(names, arrived.message);
    const miscased = bad.filter((m) => m.got !== undefined);
    if (miscased.length === 0) return { ok: true };
    return { ok: false, miscased, missing: bad.filter((m) => m.got === undefined).map((m) => m.expected) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    listener.close();
  }
}

function failed(r: { message: SipMessage } | { error: string }): ProbeResult {
  return { ok: false, error: 'error' in r ? r.error : 'probe ended' };
}
