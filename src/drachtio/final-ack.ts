/**
 * One ACK for a refused re-INVITE, not two. drachtio-server ACKs a non-2xx final answer to an
 * INVITE itself, inside the INVITE's transaction (RFC 3261 §17.1.1.3). drachtio-srf's
 * Dialog#request then asks it for an ACK of its own for any answer over 200, which drachtio-server
 * sends as a new transaction (its log: "TimerDHandler::addAck - failed to find outbound invite"):
 * a stray ACK on which a strict peer aborts the call (SIPp does; found by the conformance campaign,
 * a re-INVITE answered 499). So drachtio-srf's ACK of an INVITE answer is left to drachtio-server
 * for every status from 300 up; a 2xx ACK (the dialog's own, end to end) is sent as before.
 */
import { createRequire } from 'node:module';

interface SrfResponse {
  readonly status: number;
  sendAck(...args: unknown[]): unknown;
}

let installed = false;

/** A start-up step of `sipcase run`, before any call; once per process. */
export function installTransactionAckOnly(): void {
  if (installed) return;
  installed = true;
  const Response = createRequire(import.meta.url)('drachtio-srf/lib/response') as { prototype: SrfResponse };
  const sendAck = Response.prototype.sendAck;
  Response.prototype.sendAck = function (this: SrfResponse, ...args: unknown[]) {
    if (this.status >= 300) {
      // The callback, when one was given, hears that nothing needed sending.
      const callback = args.find((a): a is (err: unknown) => void => typeof a === 'function');
      callback?.(null);
      return undefined;
    }
    return sendAck.apply(this, args);
  };
}
