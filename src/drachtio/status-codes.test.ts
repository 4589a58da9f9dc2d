/** Every legal status code goes out through drachtio-srf's own Response#send, with the peer's phrase. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { classReason, completeStatusTable, drachtioStatusTable } from './status-codes.js';

interface SrfResponse {
  send(status: number, reason: string, opts: object): void;
  msg: { status: number; reason: string };
}
const Response = createRequire(import.meta.url)('drachtio-srf/lib/response') as new (agent: object) => SrfResponse;

/** drachtio-srf's Response with an agent that only records what it was asked to send. */
function response(): { res: SrfResponse; sent: string[] } {
  const sent: string[] = [];
  const res = new Response({ sendResponse: (r: SrfResponse) => sent.push(`${r.msg.status} ${r.msg.reason}`) });
  return { res, sent };
}

describe('status codes drachtio-srf sends', () => {
  it("a table without a code: drachtio-srf's Response#send throws for it (why the table is completed)", () => {
    const table: Record<number, string> = { 100: 'Trying', 180: 'Ringing' };
    expect(155 in table).toBe(false);
    expect(completeStatusTable(table)).toBe(598);
    expect([table[155], table[180], table[499], table[699]]).toEqual(['Provisional', 'Ringing', 'Client Failure', 'Global Failure']);
    expect(completeStatusTable(table)).toBe(0);
  });

  it('once completed, an unregistered 1xx and an unregistered final go out as they came, with their own reason phrase', () => {
    completeStatusTable();
    const provisional = response();
    provisional.res.send(155, 'Queued For Agent', {});
    const final = response();
    final.res.send(499, 'Client Made Something Up', {});
    expect([...provisional.sent, ...final.sent]).toEqual(['155 Queued For Agent', '499 Client Made Something Up']);
    expect(drachtioStatusTable()[486]).toBe('Busy Here'); // registered codes keep their phrase
  });

  it("a code's default phrase is its class's", () => {
    expect([102, 299, 302, 499, 599, 699].map(classReason)).toEqual([
      'Provisional',
      'Success',
      'Redirection',
      'Client Failure',
      'Server Failure',
      'Global Failure',
    ]);
  });
});
