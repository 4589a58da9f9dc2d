/** drachtio-srf asks for an ACK of a 2xx only; drachtio-server's transaction ACKs every other final. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { installTransactionAckOnly } from './final-ack.js';

interface SrfResponse {
  status: number;
  sendAck(dialogId: string, opts?: object, callback?: (err: unknown) => void): void;
}
const Response = createRequire(import.meta.url)('drachtio-srf/lib/response') as new (agent: object) => SrfResponse;

function answered(status: number): { res: SrfResponse; asked: string[] } {
  const asked: string[] = [];
  const res = new Response({ sendAck: (method: string) => asked.push(method) });
  res.status = status;
  return { res, asked };
}

describe("the ACK of an INVITE's final answer", () => {
  it('a 2xx is ACKed by drachtio-srf; a 3xx to 6xx is left to drachtio-server, which ACKed it in its transaction', () => {
    installTransactionAckOnly();
    const ok = answered(200);
    ok.res.sendAck('dialog-1');
    const refused = [300, 488, 499, 699].map(answered);
    let heard: unknown = 'not called';
    for (const r of refused) r.res.sendAck('dialog-1', {}, (err) => (heard = err));
    expect(ok.asked).toEqual(['ACK']);
    expect(refused.flatMap((r) => r.asked)).toEqual([]);
    expect(heard).toBeNull();
  });
});
